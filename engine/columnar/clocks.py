"""The deadline of each clock the screen settles in columns (screen.py), and whether its fulfilment beat it.

Apart from the screen because it is the one place the screen meets clock controls: a trigger's own deadline
for all bare clocks at once (`WorkCalendar.due_array`), and for clocks a pause, restart or extension touched
the clock in effect by the one home of clock controls (evaluate/clock.py: its array form, and `run_clock`
itself where that form does not vouch). Nothing here decides what a control means.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..calendar import SHANGHAI, Period, WorkCalendar
from ..errors import CalendarCoverageError
from ..evaluate.clock import Mark, asked_days, clock_deadlines, control_kinds, deadline, end_pause, run_clock
from ..evaluate.verdict import NO_DAY_INDEX, on_time
from ..model.rules import DeadlineRule
from .counted import SetAside
from .frame import EPOCH, ORDINAL_1970
from .view import View


@dataclass
class Controls:
    """Per subject, the clock controls (pause, resume, restart, extension) while its clock runs: after its
    trigger and before its fulfilment (or as-of). Controls outside that do nothing."""

    key: np.ndarray  # subject of each control inside, in view order
    pos: np.ndarray  # its view row
    count: np.ndarray  # controls inside, per subject

    @classmethod
    def between(cls, key, idx, is_control, t_pos, end) -> Controls:
        ck, cpos = key[is_control], idx[is_control]
        inside = (t_pos[ck] >= 0) & (t_pos[ck] < cpos) & (cpos < end[ck])
        ck, cpos = ck[inside], cpos[inside]
        return cls(ck, cpos, np.bincount(ck, minlength=len(t_pos)))


def fulfilled_on_time(
    rule: DeadlineRule,
    view: View,
    calendar: WorkCalendar,
    one,
    controls: Controls,
    t_pos,
    f_pos,
    set_aside: SetAside,
) -> np.ndarray:
    """Per subject: one matching trigger and one later fulfilment that beats the deadline of the clock in
    effect (clock.py; with no control, the trigger's own deadline, computed for all of them at once); each
    is counted as met on time (set_aside)."""
    out = np.zeros(len(one), bool)
    closed = one & (t_pos < f_pos)
    bare = np.flatnonzero(closed & (controls.count == 0))
    t = t_pos[bare]
    due, last, good = calendar.due_array(
        view.instant[t], view.day[t], rule.period, rule.counting.conventions()
    )
    met = good & on_time_rows(view, f_pos[bare], due, last)
    out[bare[met]] = True
    set_aside.add(t[met], due[met], last[met], "on_time")
    touched = np.flatnonzero(closed & (controls.count > 0))
    due, last, good = touched_deadlines(rule, view, calendar, touched, controls, t_pos, f_pos)
    met = good & on_time_rows(view, f_pos[touched], due, last)
    out[touched[met]] = True
    set_aside.add(t_pos[touched[met]], due[met], last[met], "on_time")
    return out


def on_time_rows(view: View, done: np.ndarray, due: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Whether fulfilments (view rows) beat their deadlines, as `Context.judge_done` decides: before the due
    instant, or a bare date on or before the last day."""
    return on_time(
        view.instant[done], view.date_only[done], view.day[done], due, np.where(last >= 0, last, NO_DAY_INDEX)
    )


def touched_deadlines(
    rule: DeadlineRule,
    view: View,
    calendar: WorkCalendar,
    subjects: np.ndarray,
    controls: Controls,
    t_pos,
    f_pos,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For subjects whose clock was touched between their trigger and fulfilment: the deadline of the clock
    in effect at the fulfilment, by the one home of clock controls (evaluate/clock.py: its array form, and
    `run_clock` itself where that form does not vouch): due instants (µs), last days (epoch days, -1 for
    none) and ok (False where the calendar lacks a year: left to the rule's evaluator)."""
    n = len(subjects)
    wanted = np.full(len(t_pos), -1, np.int64)
    wanted[subjects] = np.arange(n)
    inside = wanted[controls.key] >= 0
    rows, cpos = wanted[controls.key[inside]], controls.pos[inside]
    runs = np.argsort(rows, kind="stable")  # each subject's controls together, in view order
    rows, cpos = rows[runs], cpos[runs]
    flags = np.array(control_kinds(rule, view.types) + [0], np.int64)[view.type[cpos]]  # [-1]: no rule's type
    limit = Period.parse(rule.extend.max).amount if rule.extend else 0
    asked = np.zeros(len(cpos), np.int64)
    if rule.extend:
        values = view.take("days", cpos).to_pylist()
        asked = np.array([max(min(asked_days(v, limit), limit), -1) for v in values], np.int64)  # as granted
    t, f = t_pos[subjects], f_pos[subjects]
    due, last, ok = clock_deadlines(
        rule,
        calendar,
        view.instant[t],
        view.day[t],
        rows,
        flags,
        view.instant[cpos],
        view.day[cpos],
        asked,
        view.instant[f],
        view.day[f],
    )
    for k in np.flatnonzero(~ok).tolist():  # the scalar form, for what the array form does not vouch for
        mine = cpos[np.searchsorted(rows, k) : np.searchsorted(rows, k, side="right")]
        times = datetimes(view.instant[np.concatenate([[t[k], f[k]], mine])])
        marks = [
            Mark(moment, view.types[c], i, d)
            for moment, c, i, d in zip(
                times[2:],
                view.type[mine].tolist(),
                view.frame.values("id", view.order[mine]),
                view.take("days", mine).to_pylist() if rule.extend else [None] * len(mine),
            )
        ]
        clock = run_clock(rule, calendar, times[0], marks)
        if clock.late_extensions:  # a finding of its own: left to the rule's evaluator
            continue
        end_pause(clock, times[1])  # the fulfilment ends the pause (DeadlineEvaluator._close)
        try:
            found = deadline(rule, calendar, clock)
        except CalendarCoverageError:
            continue
        due[k] = (found.due - EPOCH) // dt.timedelta(microseconds=1)
        last[k] = found.last_day.toordinal() - ORDINAL_1970 if found.last_day else -1
        ok[k] = True
    return due, last, ok


def datetimes(instants: np.ndarray) -> list[dt.datetime]:
    """Instants (µs since the epoch) of plain rows as Asia/Shanghai datetimes (UTC+8 throughout since 1992)."""
    local = (
        (np.asarray(instants, np.int64) + 8 * 3_600_000_000).astype("datetime64[us]").astype(object).tolist()
    )
    return [moment.replace(tzinfo=SHANGHAI) for moment in local]
