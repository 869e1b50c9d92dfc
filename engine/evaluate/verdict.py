"""Verdicts on a deadline, written once: on time or late, overdue, due soon or still pending.

Written with comparison and bitwise operators only, so the same functions judge one obligation (Python
scalars: the row-by-row evaluator, a pre-publication check) and a column of them (numpy arrays: the
columnar screen), without tiny arrays on the scalar side. Instants and days may be datetimes and dates or
µs and epoch days, as long as one call uses one kind. How far in a rule's unit (late by, time left) is
the calendar's business (`units_between`, `working_days_between_array`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..calendar import SHANGHAI, Deadline, Period, WorkCalendar, to_shanghai

NO_DAY = dt.date.min  # a deadline without a last day (hours): before every day
NO_DAY_INDEX = np.iinfo(np.int64).min  # the same in epoch days


def on_time(done_at, done_date_only, done_day, due_at, last_day):
    """A fulfilment beats its deadline when it comes before the due instant, or, given as a bare date
    ("that day"), on or before the last day."""
    return (done_at < due_at) | (done_date_only & (done_day <= last_day))


def overdue(as_of, due_at):
    """Still open when the due instant has come (the instant itself included)."""
    return as_of >= due_at


def due_soon(as_of, due_at, left, warn_amount):
    """Still open, not yet due, with at most `warn_amount` units left (`left`: in the warning's unit, from
    as-of to the last day, or to the due instant when there is none)."""
    return (as_of < due_at) & (left <= warn_amount)


def at_least_one(units):
    """How late or overdue, in the rule's unit: a deadline missed within its unit is missed by one."""
    return np.maximum(units, 1) if isinstance(units, np.ndarray) else max(units, 1)


def warning_instant(calendar: WorkCalendar, deadline: Deadline, warn: Period) -> dt.datetime:
    """The first instant at which `due_soon` holds for an open obligation (`Context.judge_open` counts the
    units left with `units_between` from as-of to the last day, or to the due instant): what the live
    monitor's "approaching" alarm waits for."""
    if warn.unit == "h":
        anchor = to_shanghai(deadline.last_day) if deadline.last_day else deadline.due
        return anchor - dt.timedelta(hours=warn.amount)
    last = deadline.last_day or deadline.due.astimezone(SHANGHAI).date()
    if warn.unit == "wd":  # working days after that day through the last day: the last working day, N back
        day = calendar.add_working_days(calendar.previous_working_day(last, include_self=True), -warn.amount)
    else:  # calendar days (months and years are counted as days here, as units_between does)
        day = calendar.add_days(last, -warn.amount, roll=False)
    return dt.datetime.combine(day, dt.time(0), SHANGHAI)
