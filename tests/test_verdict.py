"""The one home of verdicts (engine/evaluate/verdict.py): the live monitor's "approaching" instant is the first
moment the audit calls an open obligation due soon, for any deadline and warning window."""

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import SHANGHAI, Period, load_calendar
from engine.evaluate.verdict import NO_DAY, NO_DAY_INDEX, on_time, warning_instant

CAL = load_calendar()
SECOND = dt.timedelta(seconds=1)


def soon(deadline, as_of, warn):
    """Context.judge_open's test, written out naively: not yet due and at most `warn` units left."""
    anchor = deadline.last_day or deadline.due
    return as_of < deadline.due and CAL.units_between(as_of, anchor, warn.unit) <= warn.amount


@given(
    st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2024, 6, 30)),
    st.integers(0, 23 * 60 + 59),
    st.sampled_from(["wd", "d", "h", "m"]),
    st.integers(1, 30),
    st.sampled_from(["wd", "d", "h"]),
    st.integers(0, 10),
)
@settings(max_examples=300, deadline=None)
def test_warning_instant_is_when_due_soon_begins(day, minute, unit, amount, warn_unit, warn_amount):
    start = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), SHANGHAI)
    deadline = CAL.deadline(start, Period(amount, unit), explain=False)
    warn = Period(warn_amount, warn_unit)
    at = warning_instant(CAL, deadline, warn)
    if at < deadline.due:
        assert soon(deadline, at, warn)
        assert not soon(deadline, at - SECOND, warn)
    else:
        assert not soon(deadline, deadline.due - SECOND, warn)


def test_a_monday_last_day_warns_from_monday_not_the_weekend():
    """3 working days from Wed 2024-11-06 end Mon 11-11: the last-day warning (0 working days left) begins at
    11-11 00:00; on Saturday 11-09 one working day (11-11) is still left."""
    deadline = CAL.deadline(dt.datetime(2024, 11, 6, 10, tzinfo=SHANGHAI), Period(3, "wd"), explain=False)
    assert deadline.last_day == dt.date(2024, 11, 11)
    assert warning_instant(CAL, deadline, Period(0, "wd")) == dt.datetime(2024, 11, 11, tzinfo=SHANGHAI)


def test_on_time_judges_one_and_many_alike():
    """Before the due instant is on time; a bare date ("that day", e.g. a date in another zone whose midnight
    falls after a 17:00 closing) is on time on the deadline's last day, late the day after; a deadline in
    hours has no last day, so only the instant counts."""
    due = dt.datetime(2024, 10, 8, 17, tzinfo=SHANGHAI)  # closing 17:00 on the last day, 10-08
    last, after = dt.date(2024, 10, 8), dt.date(2024, 10, 9)
    late_instant = dt.datetime(2024, 10, 8, 18, tzinfo=SHANGHAI)
    cases = [
        (dt.datetime(2024, 10, 8, 16, 59, tzinfo=SHANGHAI), False, last, True),
        (due, False, last, False),
        (late_instant, True, last, True),
        (late_instant, True, after, False),
    ]
    assert [on_time(at, bare, day, due, last) for at, bare, day, _ in cases] == [want for *_, want in cases]
    assert [on_time(at, bare, day, due, NO_DAY) for at, bare, day, _ in cases] == [True, False, False, False]
    epoch, day0 = dt.datetime(1970, 1, 1, tzinfo=dt.UTC), dt.date(1970, 1, 1)
    us = np.array([(at - epoch) // dt.timedelta(microseconds=1) for at, *_ in cases])
    days = np.array([(day - day0).days for _, _, day, _ in cases])
    bare = np.array([b for _, b, _, _ in cases])
    due_us, last_day = (due - epoch) // dt.timedelta(microseconds=1), (last - day0).days
    assert on_time(us, bare, days, due_us, last_day).tolist() == [want for *_, want in cases]
    assert on_time(us, bare, days, due_us, NO_DAY_INDEX).tolist() == [True, False, False, False]
