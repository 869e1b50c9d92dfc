"""Properties over every covered day: agreement with chinese-calendar and sound arithmetic."""

import datetime as dt

import chinese_calendar
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import CalendarCoverageError

D = dt.date
FIRST, LAST = D(2004, 1, 1), D(2026, 12, 31)
# The documented corrections (calendars/national/*.yaml). Only this day differs from chinese-calendar 1.11.0.
CORRECTIONS = {D(2005, 12, 31)}

days = st.dates(min_value=FIRST, max_value=D(2026, 10, 31))
amounts = st.integers(min_value=0, max_value=40)


def test_every_day_agrees_with_chinese_calendar_except_the_corrections(cal):
    differs = set()
    for ordinal in range(FIRST.toordinal(), LAST.toordinal() + 1):
        day = D.fromordinal(ordinal)
        if cal.is_working_day(day) != chinese_calendar.is_workday(day):
            differs.add(day)
    assert differs == CORRECTIONS
    assert cal.data.corrections.keys() == CORRECTIONS


@given(days, amounts)
@settings(max_examples=500)
def test_add_working_days_counts_exactly_n_after_the_start(cal, start, n):
    end = cal.add_working_days(start, n)
    if n == 0:
        assert end == start
        return
    assert cal.is_working_day(end)
    counted = [
        D.fromordinal(o)
        for o in range(start.toordinal() + 1, end.toordinal() + 1)
        if cal.is_working_day(D.fromordinal(o))
    ]
    assert len(counted) == n and counted[-1] == end
    assert cal.working_days_between(start, end) == n


@given(days, st.integers(min_value=0, max_value=60))
@settings(max_examples=500)
def test_rolled_calendar_days_never_land_on_a_rest_day(cal, start, n):
    end = cal.add_days(start, n)
    assert cal.is_working_day(end)
    raw = D.fromordinal(start.toordinal() + n)
    assert end >= raw
    # every day skipped by the roll was a rest day
    assert all(not cal.is_working_day(D.fromordinal(o)) for o in range(raw.toordinal(), end.toordinal()))


@given(days, st.integers(min_value=1, max_value=40))
@settings(max_examples=300)
def test_next_working_start_rule_matches_chinese_calendar_find_workday(cal, start, n):
    # chinese-calendar's find_workday(n, date) rolls a rest-day start forward first; equal to ours
    # except across the one documented correction.
    ours = cal.add_working_days(start, n, start="next-working")
    if not (start <= D(2005, 12, 31) <= ours):
        assert ours == chinese_calendar.find_workday(n, start)


@given(st.lists(days, min_size=1, max_size=50), st.integers(min_value=1, max_value=30))
@settings(max_examples=200)
def test_vectorised_equals_scalar(cal, starts, n):
    arr = np.array(starts, dtype="datetime64[D]")
    out = cal.add_working_days_array(arr, n)
    assert [d.astype(object) for d in out] == [cal.add_working_days(s, n) for s in starts]


@given(st.dates(min_value=D(2004, 4, 1), max_value=D(2026, 10, 31)), st.integers(min_value=-40, max_value=40))
@settings(max_examples=300)
def test_subtract_inverts_add_on_working_days(cal, start, n):
    if not cal.is_working_day(start) or n == 0:
        return
    assert cal.add_working_days(cal.add_working_days(start, n), -n) == start


@given(
    st.datetimes(min_value=dt.datetime(2004, 2, 1), max_value=dt.datetime(2026, 9, 30)),
    st.sampled_from(["0d", "3d", "7d", "30d", "1wd", "3wd", "20wd", "5h", "48h", "1m", "2m", "1y"]),
    st.booleans(),
    st.sampled_from(["strict", "next-working"]),
    st.integers(min_value=0, max_value=10),
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=10)), max_size=2
    ),
)
@settings(max_examples=300)
def test_quick_and_explained_deadlines_agree(cal, start, period, roll, start_rule, extension, pauses):
    # the audit's hot path computes deadlines without words; the explanation path must give the same answer
    from engine.calendar import Conventions, to_shanghai

    start = to_shanghai(start)
    spans = [(start + dt.timedelta(days=a), start + dt.timedelta(days=a + b), "pause") for a, b in pauses]
    conv = Conventions(roll=roll, start=start_rule)
    try:
        quick = cal.deadline(start, period, conv, pauses=spans, extension=extension, explain=False)
    except CalendarCoverageError:  # near the end of the covered years: both paths must refuse
        with pytest.raises(CalendarCoverageError):
            cal.deadline(start, period, conv, pauses=spans, extension=extension)
        return
    full = cal.deadline(start, period, conv, pauses=spans, extension=extension)
    assert (quick.due, quick.last_day) == (full.due, full.last_day)
    assert quick.explain() == full.steps
