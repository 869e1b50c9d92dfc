"""The calendar's array forms (`add_working_days_array`, `working_days_between_array`, `due_array`) give the
scalar forms' answers, coverage errors included, where the columnar screen and the clock's array form lean on
them: near both ends of the national table (2004-01-01 and 2026-12-31, where a period runs out of known
years) and on a calendar with a year missing in the middle (2010 unknown between 2009 and 2011), where a span
that crosses the gap must not be counted as if the year were ordinary.

Hand-checked anchors first (国办发明电〔2023〕7号: 2024 国庆 10-01..07 off, 09-29 Sun and 10-12 Sat worked),
then seeded properties against the scalar arithmetic, which tests/test_calendar_examples.py pins to the day.
"""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import SHANGHAI, Conventions, Period, WorkCalendar, load_calendar
from engine.calendar.sources import CalendarData
from engine.errors import CalendarCoverageError

D = dt.date
NATIONAL = load_calendar()
GAPPED = WorkCalendar(
    CalendarData(
        "gapped",
        notes=NATIONAL.data.notes,
        coverage={y: s for y, s in NATIONAL.data.coverage.items() if y in (2008, 2009, 2011, 2012)},
    )
)
# a table ending on a rest day (元旦 2023-12-30..2024-01-01 off, 国办发明电〔2023〕7号; 12-31 a Sunday): after its last
# working day (12-29) there is none the calendar knows
TO_2023 = WorkCalendar(
    CalendarData(
        "to-2023", notes=NATIONAL.data.notes, coverage={y: NATIONAL.data.coverage[y] for y in (2022, 2023)}
    )
)
EPOCH_DAY = D(1970, 1, 1).toordinal()
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def epoch_day(day: D) -> int:
    return day.toordinal() - EPOCH_DAY


def us(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


# days near the table's ends and around the gap, and anywhere in between
national_days = st.one_of(
    st.dates(D(2003, 11, 1), D(2004, 3, 31)),
    st.dates(D(2026, 9, 1), D(2027, 2, 28)),
    st.dates(D(2004, 1, 1), D(2026, 12, 31)),
)
gapped_days = st.one_of(
    st.dates(D(2009, 10, 1), D(2011, 3, 31)),
    st.dates(D(2007, 11, 1), D(2008, 2, 29)),
    st.dates(D(2012, 10, 1), D(2013, 2, 28)),
)
calendars_and_days = st.one_of(
    st.tuples(st.just(NATIONAL), national_days), st.tuples(st.just(GAPPED), gapped_days)
)


def test_hand_checked_anchors_around_national_day_2024():
    """Fri 2024-09-27 + 3 working days: 09-29 (Sun, worked), 09-30, 10-08 (domain notes' worked example).
    Between 09-27 and 10-12: 09-29, 09-30, 10-08..11, 10-12 (Sat, worked) = 7."""
    out = NATIONAL.add_working_days_array(np.array(["2024-09-27", "2024-09-30"], dtype="datetime64[D]"), 3)
    assert out.astype(object).tolist() == [D(2024, 10, 8), D(2024, 10, 10)]
    count, ok = NATIONAL.working_days_between_array(
        np.array([epoch_day(D(2024, 9, 27))]), np.array([epoch_day(D(2024, 10, 12))])
    )
    assert count.tolist() == [7] and ok.tolist() == [True]
    start = dt.datetime(2024, 9, 27, 15, 0, tzinfo=SHANGHAI)
    due, last, ok = NATIONAL.due_array(
        np.array([us(start)]), np.array([epoch_day(start.date())]), Period(3, "wd"), Conventions()
    )
    assert ok.tolist() == [True] and last.tolist() == [epoch_day(D(2024, 10, 8))]
    assert due.tolist() == [us(dt.datetime(2024, 10, 9, 0, 0, tzinfo=SHANGHAI))]  # 10-08 24:00


def test_a_span_across_an_unknown_year_is_not_counted():
    """2009-12-31 to 2011-01-04 crosses 2010, which the gapped calendar does not know: the array form says
    so (ok False) as the scalar one raises, while 2009-12-01..2009-12-31 is counted (23 working days)."""
    count, ok = GAPPED.working_days_between_array(
        np.array([epoch_day(D(2009, 12, 31)), epoch_day(D(2009, 12, 1))]),
        np.array([epoch_day(D(2011, 1, 4)), epoch_day(D(2009, 12, 31))]),
    )
    assert ok.tolist() == [False, True] and count[1] == GAPPED.working_days_between(
        D(2009, 12, 1), D(2009, 12, 31)
    )
    with pytest.raises(CalendarCoverageError):
        GAPPED.working_days_between(D(2009, 12, 31), D(2011, 1, 4))
    with pytest.raises(CalendarCoverageError):
        GAPPED.add_working_days_array(np.array(["2009-12-30"], dtype="datetime64[D]"), 5)


@given(calendars_and_days, st.lists(st.integers(-30, 30), min_size=1, max_size=4), st.integers(1, 40))
@settings(max_examples=400, deadline=None, derandomize=True)
def test_add_working_days_array_is_the_scalar_add(drawn, offsets, n):
    """For n >= 1 (its use: a period's working days), element by element; one start the scalar form cannot
    count makes the whole array raise CalendarCoverageError."""
    cal, day = drawn
    starts = [D.fromordinal(day.toordinal() + k) for k in offsets]
    want = []
    for start in starts:
        try:
            want.append(cal.add_working_days(start, n))
        except CalendarCoverageError:
            want = None
            break
    days = np.array([s.isoformat() for s in starts], dtype="datetime64[D]")
    if want is None:
        with pytest.raises(CalendarCoverageError):
            cal.add_working_days_array(days, n)
    else:
        assert cal.add_working_days_array(days, n).astype(object).tolist() == want
        # the same with n per start
        assert cal.add_working_days_array(days, np.full(len(days), n)).astype(object).tolist() == want


@given(calendars_and_days, st.integers(-400, 400))
@settings(max_examples=400, deadline=None, derandomize=True)
def test_working_days_between_array_is_the_scalar_count(drawn, span):
    cal, start = drawn
    end = D.fromordinal(start.toordinal() + span)
    counts, ok = cal.working_days_between_array(np.array([epoch_day(start)]), np.array([epoch_day(end)]))
    try:
        want = cal.working_days_between(start, end)
    except CalendarCoverageError:
        assert not ok[0]
        return
    assert ok[0] and counts[0] == want


@given(
    calendars_and_days,
    st.integers(0, 1439),
    st.sampled_from(["wd", "d", "h"]),
    st.integers(0, 40),
    st.booleans(),
    st.sampled_from(["strict", "next-working"]),
    st.sampled_from([None, dt.time(17, 30), dt.time(9, 0, 15, 250)]),
)
@settings(max_examples=600, deadline=None, derandomize=True)
def test_due_array_is_the_scalar_due_at_the_ends_and_across_a_gap(
    drawn, minute, unit, amount, roll, start, closing
):
    """`due_array` against `_due` (the same arithmetic as the explained deadline), coverage errors included:
    ok is False exactly where the scalar form raises; a closing time to the microsecond is kept."""
    cal, day = drawn
    if unit == "h":
        closing = None
    begin = dt.datetime.combine(day, dt.time(0), SHANGHAI) + dt.timedelta(minutes=minute)
    period, conventions = Period(amount, unit), Conventions(roll=roll, start=start, closing=closing)
    due, last, ok = cal.due_array(np.array([us(begin)]), np.array([epoch_day(day)]), period, conventions)
    try:
        want, want_last = cal._due(begin, period, conventions, SHANGHAI, [], 0)
    except CalendarCoverageError:
        assert not ok[0]
        return
    assert ok[0]
    assert due[0] == us(want)
    assert last[0] == (epoch_day(want_last) if want_last else -1)


def test_due_array_declines_months_and_years():
    """Months and years are counted one by one (民法典第二百零二条: the corresponding day, else the month's end)."""
    start = dt.datetime(2024, 1, 31, 10, tzinfo=SHANGHAI)
    for unit in ("m", "y"):
        _, _, ok = NATIONAL.due_array(
            np.array([us(start)]), np.array([epoch_day(start.date())]), Period(1, unit)
        )
        assert ok.tolist() == [False]


def test_the_last_working_day_of_the_table_and_one_past_it():
    """2026-12-31 (Thu) is the last working day the national calendar knows. 12-30 + 1 working day is 12-31;
    12-31 + 1 needs a day of 2027: the array form raises naming 2027 as the scalar one does, and `due_array`
    declines it (ok False) instead of answering 12-31."""
    out = NATIONAL.add_working_days_array(np.array(["2026-12-30"], dtype="datetime64[D]"), 1)
    assert out.astype(object).tolist() == [D(2026, 12, 31)]
    with pytest.raises(CalendarCoverageError) as scalar:
        NATIONAL.add_working_days(D(2026, 12, 31), 1)
    with pytest.raises(CalendarCoverageError) as array:
        NATIONAL.add_working_days_array(np.array(["2026-12-30", "2026-12-31"], dtype="datetime64[D]"), 1)
    assert array.value.year == scalar.value.year == 2027
    starts = [dt.datetime(2026, 12, d, 10, tzinfo=SHANGHAI) for d in (30, 31)]
    due, last, ok = NATIONAL.due_array(
        np.array([us(s) for s in starts]), np.array([epoch_day(s.date()) for s in starts]), Period(1, "wd")
    )
    assert ok.tolist() == [True, False] and last[0] == epoch_day(D(2026, 12, 31))


def test_only_the_start_that_crosses_the_unknown_year_makes_the_array_raise():
    """On the gapped calendar, 2009-11-02 + 5 working days stays in 2009 while 2009-12-30 + 5 needs 2010: the
    array raises for the second even though the first is fine."""
    GAPPED.add_working_days_array(np.array(["2009-11-02"], dtype="datetime64[D]"), 5)
    with pytest.raises(CalendarCoverageError) as array:
        GAPPED.add_working_days_array(np.array(["2009-11-02", "2009-12-30"], dtype="datetime64[D]"), 5)
    assert array.value.year == 2010


def test_a_calendar_from_1992_is_counted_in_arrays():
    """Shanghai has kept UTC+8 without summer time since 1992, so a calendar whose table starts in 1992 is
    vectorised: Mon 1992-06-01 + 3 working days (weekdays only, no holiday data given) is Thu 06-04."""
    cal = WorkCalendar(CalendarData("from-1992", coverage={1992: "test"}))
    start = dt.datetime(1992, 6, 1, 10, tzinfo=SHANGHAI)
    due, last, ok = cal.due_array(np.array([us(start)]), np.array([epoch_day(start.date())]), Period(3, "wd"))
    assert ok.tolist() == [True] and last.tolist() == [epoch_day(D(1992, 6, 4))]
    assert due.tolist() == [us(dt.datetime(1992, 6, 5, tzinfo=SHANGHAI))]


# Every start a few days either side of each edge of the tables: where a day one past the end, the first day
# of a missing year, or the n-th working day landing exactly one past the last known working day would show.
EDGES = [
    (NATIONAL, D(2004, 1, 1)),
    (NATIONAL, D(2027, 1, 1)),
    (GAPPED, D(2008, 1, 1)),
    (GAPPED, D(2010, 1, 1)),
    (GAPPED, D(2011, 1, 1)),
    (GAPPED, D(2013, 1, 1)),
    (TO_2023, D(2024, 1, 1)),
]
NEAR = range(-4, 5)


def _scalar_or_none(compute, *args):
    try:
        return compute(*args)
    except CalendarCoverageError:
        return None


@pytest.mark.parametrize("cal, edge", EDGES)
def test_due_array_is_the_scalar_due_at_every_day_near_an_edge(cal, edge):
    days = [D.fromordinal(edge.toordinal() + k) for k in NEAR]
    starts = [dt.datetime.combine(d, dt.time(10), SHANGHAI) for d in days]
    for unit, conventions in [
        ("wd", Conventions()),
        ("wd", Conventions(start="next-working")),
        ("d", Conventions()),
        ("d", Conventions(roll=False)),
        ("d", Conventions(start="next-working", closing=dt.time(17, 30))),
    ]:
        for amount in range(0, 7):
            period = Period(amount, unit)
            due, last, ok = cal.due_array(
                np.array([us(s) for s in starts]), np.array([epoch_day(d) for d in days]), period, conventions
            )
            for k, start in enumerate(starts):
                want = _scalar_or_none(cal._due, start, period, conventions, SHANGHAI, [], 0)
                assert bool(ok[k]) == (want is not None), (start, period, conventions)
                if want is not None:
                    assert (due[k], last[k]) == (us(want[0]), epoch_day(want[1])), (
                        start,
                        period,
                        conventions,
                    )


@pytest.mark.parametrize("cal, edge", EDGES)
def test_working_days_between_array_is_the_scalar_count_near_an_edge(cal, edge):
    days = [D.fromordinal(edge.toordinal() + k) for k in NEAR]
    far = [D.fromordinal(edge.toordinal() + k) for k in (-400, -370, -40, 40, 370, 400)]
    pairs = [(a, b) for a in days for b in days + far] + [(b, a) for a in days for b in far]
    counts, ok = cal.working_days_between_array(
        np.array([epoch_day(a) for a, _ in pairs]), np.array([epoch_day(b) for _, b in pairs])
    )
    for k, (a, b) in enumerate(pairs):
        want = _scalar_or_none(cal.working_days_between, a, b)
        assert bool(ok[k]) == (want is not None), (a, b)
        if want is not None:
            assert counts[k] == want, (a, b)


@pytest.mark.parametrize("cal, edge", EDGES)
def test_add_working_days_array_is_the_scalar_add_near_an_edge(cal, edge):
    for k in NEAR:
        start = D.fromordinal(edge.toordinal() + k)
        for n in range(1, 7):
            want = _scalar_or_none(cal.add_working_days, start, n)
            days = np.array([start.isoformat()], dtype="datetime64[D]")
            if want is None:
                with pytest.raises(CalendarCoverageError):
                    cal.add_working_days_array(days, n)
            else:
                assert cal.add_working_days_array(days, n).astype(object).tolist() == [want]
