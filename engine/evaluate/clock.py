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
    asked = limit.amount if mark.days is None else mark.days
    try:
        asked = int(asked)
    except (TypeError, ValueError):
        asked = limit.amount
    amount = min(asked, limit.amount)
    if asked > limit.amount:
        clock.notes.append(f"{_fmt(mark.time)} 延期（{mark.id}）申请延长{asked}，超过上限{limit.chinese}，按上限计")
    clock.extensions.append((mark, amount))


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
