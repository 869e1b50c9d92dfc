"""Clock controls, written once: a trigger and the events that touched its clock in -> the clock in effect.

条例 (2019) 第三十条 (补正: the period runs afresh from the supplement's receipt), 第三十三条 (third-party time not
counted; one extension of at most 20 working days). A pure function of the rule, the trigger and its controls
in time order, so the row-by-row evaluator, the columnar screen and the live monitor judge one clock alike:

- restart: the period counts afresh from the restart and earlier pauses no longer count (a restart also ends
  the pause it resumes);
- pause ... resume: not counted; a pause that begins when the period has run out (its due instant included)
  does not pause; a pause still open is open until `until` (the fulfilment or as-of);
- extension: adds its `days` (a whole number, else the rule's maximum), at most the maximum, at most `times`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ..calendar import SHANGHAI, Deadline, Period, WorkCalendar
from ..calendar.workcal import minute_text
from ..errors import CalendarCoverageError
from ..model.rules import DeadlineRule


class Mark(NamedTuple):
    """What the clock needs of an event: when, what, which, and the days an extension asks for."""

    time: dt.datetime
    type: str
    id: str
    days: Any = None  # the `days` attribute; None when absent


@dataclass
class Clock:
    """The clock in effect after some controls: where the period runs from and what is not counted."""

    start: dt.datetime
    pauses: list = field(default_factory=list)  # (from, to, why)
    paused_by: Mark | None = None
    extensions: list = field(default_factory=list)  # (mark, amount)
    notes: list[str] = field(default_factory=list)  # restarts and refused controls, first in the explanation


def _fmt(moment: dt.datetime) -> str:
    return minute_text(moment.astimezone(SHANGHAI))


def why(mark: Mark) -> str:
    return f"{mark.type} {mark.id}"


def run_clock(rule: DeadlineRule, calendar: WorkCalendar, trigger: dt.datetime, controls) -> Clock:
    """Walk the controls (Marks after the trigger, in time order; other types are ignored) over the clock."""
    clock = Clock(trigger)
    pause_on = {p.on for p in rule.pause}
    resume = {p.resume for p in rule.pause}
    for mark in controls:
        kind = mark.type
        if kind == rule.restart:  # before pause/resume: a restart also ends the pause it resumes
            clock.notes.append(f"{_fmt(mark.time)} {kind}（{mark.id}）：期限自此重新计算")
            clock.start, clock.pauses, clock.paused_by = mark.time, [], None
        elif kind in pause_on and clock.paused_by is None:
            if _ran_out(rule, calendar, clock, mark.time):  # a period that has run out cannot be paused
                clock.notes.append(f"{_fmt(mark.time)} {kind}（{mark.id}）不予暂停：期限已届满")
            else:
                clock.paused_by = mark
        elif kind in resume and clock.paused_by is not None:
            clock.pauses.append((clock.paused_by.time, mark.time, why(clock.paused_by)))
            clock.paused_by = None
        elif rule.extend and kind == rule.extend.on:
            _extend(rule, clock, mark)
    return clock


def _ran_out(rule: DeadlineRule, calendar: WorkCalendar, clock: Clock, moment: dt.datetime) -> bool:
    """Whether the deadline had passed at `moment` (the instant of the deadline included)."""
    try:
        return moment >= deadline(rule, calendar, clock).due
    except CalendarCoverageError:
        return False  # cannot tell: pause as asked; the deadline is reported undetermined later


def _extend(rule: DeadlineRule, clock: Clock, mark: Mark) -> None:
    limit = Period.parse(rule.extend.max)
    if len(clock.extensions) >= rule.extend.times:
        clock.notes.append(f"{_fmt(mark.time)} 延期（{mark.id}）不予计入：最多延长{rule.extend.times}次")
        return
    asked = asked_days(mark.days, limit.amount)
    amount = min(asked, limit.amount)
    if asked > limit.amount:
        clock.notes.append(f"{_fmt(mark.time)} 延期（{mark.id}）申请延长{asked}，超过上限{limit.chinese}，按上限计")
    clock.extensions.append((mark, amount))


def asked_days(days, limit: int) -> int:
    """The days an extension asks for: its `days` as a whole number; absent or not a number, the maximum."""
    try:
        return limit if days is None else int(days)
    except (TypeError, ValueError):
        return limit


def deadline(rule: DeadlineRule, calendar: WorkCalendar, clock: Clock, until: dt.datetime | None = None) -> Deadline:
    """The deadline of a clock (a pause still open counts until `until`, when given); raises
    CalendarCoverageError when the calendar lacks a year it needs."""
    pauses = list(clock.pauses)
    if clock.paused_by is not None and until is not None:
        pauses.append((clock.paused_by.time, until, why(clock.paused_by) + "，尚未恢复"))
    extension = sum(amount for _, amount in clock.extensions)
    note = "（" + "；".join(f"{m.id}" for m, _ in clock.extensions) + "）" if clock.extensions else ""
    found = calendar.deadline(clock.start, rule.period, rule.counting.conventions(), pauses=pauses,
                              extension=extension, extension_note=note, explain=False)
    if clock.notes:  # restarts and refused controls come first in the explanation
        words, notes = found.explainer, list(clock.notes)
        found.explainer = lambda: notes + words()
    return found



RESTART, PAUSE, RESUME, EXTEND = 1, 2, 4, 8  # what an event type can do to a rule's clock (several at once)


def control_kinds(rule: DeadlineRule, types: list[str]) -> list[int]:
    """For each event type, the flags of what it can do to the rule's clock (0: nothing)."""
    pause_on, resume = {p.on for p in rule.pause}, {p.resume for p in rule.pause}
    return [(RESTART if t == rule.restart else 0) | (PAUSE if t in pause_on else 0)
            | (RESUME if t in resume else 0) | (EXTEND if rule.extend and t == rule.extend.on else 0) for t in types]


def clock_deadlines(rule: DeadlineRule, calendar: WorkCalendar, start_us, start_day, rows, kinds, instants, days,
                    asked, end_us, end_day):
    """`run_clock` and `deadline` for many clocks at once (the columnar screen), in days, working days or
    hours: the same walk, one control rank at a time over all clocks, then each clock's deadline, a pause
    still open at the end counted to its fulfilment (`end_us`, `end_day`). A property test holds this form
    equal to `run_clock`, as the calendar's array form is held equal to its scalar one.

    Per clock: `start_us`, `start_day` (its trigger, µs and epoch days). Per control in time order within
    each clock: `rows` (its clock's index, sorted), `kinds` (`control_kinds` flags), `instants`, `days`,
    `asked` (an extension's days as `run_clock` reads them). Returns (due µs, last epoch day or -1, ok): ok
    is False where this form does not vouch (a year outside the calendar, months or years, a negative
    extension); those clocks go through `run_clock`.
    """
    unit = rule.period.unit
    n = len(start_us)
    start_us, start_day = np.array(start_us, np.int64), np.array(start_day, np.int64)
    pause_units, pause_us, extension = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    paused = np.full(n, -1, np.int64)  # the control that opened a pause still open
    n_ext = np.zeros(n, np.int64)
    ok = np.full(n, unit in ("wd", "d", "h"))

    def due_of(c):
        return _due_many(rule, calendar, start_us[c], start_day[c], pause_units[c] + extension[c], pause_us[c])

    def add_pause(c, begin, end_instant, end_day_):
        if unit == "h":
            pause_us[c] += end_instant - instants[begin]
            return
        if unit == "wd":
            units, good = calendar.working_days_between_array(days[begin], end_day_)
            ok[c[~good]] = False
        else:
            units = end_day_ - days[begin]
        pause_units[c] += np.maximum(units, 0)

    rank = np.arange(len(rows)) - np.searchsorted(rows, rows) if len(rows) else np.zeros(0, np.int64)
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        at = np.flatnonzero(rank == k)
        c, kind = rows[at], kinds[at]
        restart = (kind & RESTART) > 0
        cr = c[restart]
        start_us[cr], start_day[cr] = instants[at[restart]], days[at[restart]]
        pause_units[cr], pause_us[cr], paused[cr] = 0, 0, -1  # a restart keeps extensions, not pauses
        pause = ~restart & ((kind & PAUSE) > 0) & (paused[c] < 0)
        if pause.any():
            cp = c[pause]
            due, _, good = due_of(cp)
            ran_out = good & (instants[at[pause]] >= due)  # outside the calendar: cannot tell, pause as asked
            paused[cp[~ran_out]] = at[pause][~ran_out]
        resume = ~restart & ~pause & ((kind & RESUME) > 0) & (paused[c] >= 0)
        if resume.any():
            cu = c[resume]
            add_pause(cu, paused[cu], instants[at[resume]], days[at[resume]])
            paused[cu] = -1
        if rule.extend:
            grant = ~restart & ~pause & ~resume & ((kind & EXTEND) > 0) & (n_ext[c] < rule.extend.times)
            cg = c[grant]
            amount = np.minimum(asked[at[grant]], Period.parse(rule.extend.max).amount)
            ok[cg[amount < 0]] = False
            extension[cg] += amount
            n_ext[cg] += 1
    still = np.flatnonzero(paused >= 0)  # the fulfilment ends a pause still open
    if len(still):
        add_pause(still, paused[still], np.asarray(end_us)[still], np.asarray(end_day)[still])
    due, last, good = due_of(np.arange(n))
    return due, last, ok & good


def _due_many(rule: DeadlineRule, calendar: WorkCalendar, start_us, start_day, amount_added, pause_us):
    """`WorkCalendar.due_array` of clocks whose periods differ by the units added (a few distinct totals)."""
    conventions = rule.counting.conventions()
    due, last, ok = np.zeros(len(start_us), np.int64), np.full(len(start_us), -1, np.int64), np.zeros(len(start_us), bool)
    for added in np.unique(amount_added).tolist():
        same = np.flatnonzero(amount_added == added)
        total = rule.period.amount + added
        if total < 0:
            continue
        due[same], last[same], ok[same] = calendar.due_array(start_us[same], start_day[same],
                                                             Period(total, rule.period.unit), conventions)
    return due + pause_us, last, ok
