"""Clock controls, written once: a trigger and the events that touched its clock in -> the clock in effect.

条例 (2019) 第三十条 (补正: the period runs afresh from the supplement's receipt), 第三十二条/第三十三条 (the time a
consultation needs is not counted; a third party has 15 working days), 第三十三条 (one extension of at most 20
working days, approved and told to the applicant within the period). A pure function of the rule, the trigger
and its controls in time order, so the row-by-row evaluator, the columnar screen and the live monitor judge one
clock alike:

- restart: the period counts afresh from the restart and earlier pauses no longer count (a restart also ends
  the pause it resumes);
- pause ... resume: not counted; a pause that begins when the period has run out (its due instant included)
  does not pause; a pause with a `max` (third party: 15wd from the consultation's day) ends by itself at
  24:00 of the cap's last day when nothing resumed it before; a pause still open is open until `until`;
  pauses of different kinds may be open at once (a third party and another organ consulted together), each
  ended by its own resume, and the time they overlap is not counted twice: 第三十三条 excludes the time the
  consultations need, so the union of the pauses is what is not counted;
- extension: adds its `days` (a whole number, else the rule's maximum), at most the maximum, at most `times`;
  one approved when the period has run out, or told to the applicant (`extend.notified`, where the log has
  it) only then, does not count and is kept as a late extension (a finding of its own).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np

from ..calendar import SHANGHAI, Deadline, Period, WorkCalendar
from ..calendar.workcal import minute_text
from ..errors import CalendarCoverageError
from ..model.rules import DeadlineRule, Pause


class Mark(NamedTuple):
    """What the clock needs of an event: when, what, which, and the days an extension asks for."""

    time: dt.datetime
    type: str
    id: str
    days: Any = None  # the `days` attribute; None when absent


class LateExtension(NamedTuple):
    """An extension that came when the period had run out: approved (`step` 批准) or told to the applicant
    (告知申请人) too late. `mark` is the event that came late, `extension` the approval it concerns."""

    mark: Mark
    extension: Mark
    step: str
    due: dt.datetime
    due_text: str


class OpenPause(NamedTuple):
    """A pause still open: the control that opened it, the instant it ends by itself (its `max`; None:
    only its resume ends it) and the event type that resumes it."""

    mark: Mark
    cap: dt.datetime | None
    resume: str


@dataclass
class Clock:
    """The clock in effect after some controls: where the period runs from and what is not counted."""

    start: dt.datetime
    pauses: list = field(default_factory=list)  # (from, to, why) of the pauses ended; they may overlap
    open: list[OpenPause] = field(default_factory=list)  # the pauses still open, in the order they began
    extensions: list = field(default_factory=list)  # (mark, amount)
    unnotified: Mark | None = None  # the extension granted last, not yet told to the applicant
    late_extensions: list[LateExtension] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # restarts and refused controls, first in the explanation

    @property
    def pause_cap(self) -> dt.datetime | None:
        """The instant by which every open pause has ended by itself (the last of their caps); None when
        one of them has no cap (it lasts until resumed) or nothing is paused."""
        caps = [p.cap for p in self.open]
        return None if not caps or None in caps else max(caps)


def _fmt(moment: dt.datetime) -> str:
    return minute_text(moment.astimezone(SHANGHAI))


def why(mark: Mark) -> str:
    return f"{mark.type} {mark.id}"


def run_clock(rule: DeadlineRule, calendar: WorkCalendar, trigger: dt.datetime, controls) -> Clock:
    """Walk the controls (Marks after the trigger, in time order; other types are ignored) over the clock."""
    clock = Clock(trigger)
    pauses = {p.on: p for p in rule.pause}
    resume = {p.resume for p in rule.pause}
    for mark in controls:
        expire_pause(clock, mark.time)
        kind = mark.type
        if kind == rule.restart:  # before pause/resume: a restart also ends the pause it resumes
            clock.notes.append(f"{_fmt(mark.time)} {kind}（{mark.id}）：期限自此重新计算")
            clock.start, clock.pauses, clock.open = mark.time, [], []
        elif kind in pauses and all(p.mark.type != kind for p in clock.open):
            if _ran_out(rule, calendar, clock, mark.time):  # a period that has run out cannot be paused
                clock.notes.append(f"{_fmt(mark.time)} {kind}（{mark.id}）不予暂停：期限已届满")
            else:
                pause = pauses[kind]
                clock.open.append(OpenPause(mark, _cap(calendar, pause, mark.time), pause.resume))
        elif kind in resume:  # ends the open pauses it resumes (none: nothing to do)
            end_pause(clock, mark.time, resumed_by=kind)
        elif rule.extend and kind == rule.extend.on:
            _extend(rule, calendar, clock, mark)
        elif rule.extend and kind == rule.extend.notified and clock.unnotified is not None:
            _notified(rule, calendar, clock, mark)
    return clock


def _cap(calendar: WorkCalendar, pause: Pause, moment: dt.datetime) -> dt.datetime | None:
    """The last instant a pause with a `max` may last: 24:00 of the cap's last day, counted from the day the
    pause began (start day not counted, 民法典第二百零一条); None without a `max` or outside the calendar."""
    if pause.max is None:
        return None
    try:
        found = calendar.deadline(moment, Period.parse(pause.max), explain=False)
    except CalendarCoverageError:
        return None  # cannot tell: the pause lasts until it is resumed, as without a cap
    return found.due if found.last_day is None else dt.datetime.combine(found.last_day, dt.time.max, SHANGHAI)


def end_pause(
    clock: Clock, until: dt.datetime, still_open: bool = False, resumed_by: str | None = None
) -> None:
    """End the open pauses (those `resumed_by` resumes, or all) at `until`, each at its cap when that comes
    first (then the clock resumed by itself, and the explanation says so)."""
    _end(clock, [p for p in clock.open if resumed_by is None or p.resume == resumed_by], until, still_open)


def expire_pause(clock: Clock, moment: dt.datetime) -> None:
    """The pauses still open past their cap at `moment` have ended by themselves at their caps."""
    _end(clock, [p for p in clock.open if p.cap is not None and moment > p.cap], moment)


def _end(clock: Clock, ending: list[OpenPause], until: dt.datetime, still_open: bool = False) -> None:
    clock.open = [p for p in clock.open if p not in ending]
    for mark, cap, _ in ending:
        if cap is not None and until > cap:
            clock.notes.append(
                f"{mark.type}（{mark.id}）不计入的时间至多到 {cap.date()} 24:00，届满仍未恢复，"
                "自动恢复计时（第三十二条、第三十三条）"
            )
            clock.pauses.append((mark.time, cap, why(mark) + "，期满自动恢复"))
        else:
            clock.pauses.append((mark.time, until, why(mark) + ("，尚未恢复" if still_open else "")))


def union(pauses) -> list:
    """The time the pauses take, each instant once: (from, to, why) overlapping in time merged into one that
    names them all. 第三十三条 excludes the time the consultations need; two consultations open at once do
    not make that time count twice."""
    merged: list = []
    for begin, end, reason in sorted(pauses, key=lambda p: (p[0], p[1])):
        if merged and begin < merged[-1][1]:
            first, last, reasons = merged[-1]
            merged[-1] = (first, max(last, end), f"{reasons}；{reason}")
        else:
            merged.append((begin, end, reason))
    return merged


def _ran_out(rule: DeadlineRule, calendar: WorkCalendar, clock: Clock, moment: dt.datetime) -> bool:
    """Whether the deadline had passed at `moment` (the instant of the deadline included; a pause still
    open counts until `moment`)."""
    try:
        return moment >= deadline(rule, calendar, clock, until=moment).due
    except CalendarCoverageError:
        return False  # cannot tell: accept the control as asked; the deadline is reported undetermined later


def _late(
    rule: DeadlineRule, calendar: WorkCalendar, clock: Clock, mark: Mark, extension: Mark, step: str
) -> None:
    found = deadline(rule, calendar, clock, until=mark.time)
    clock.notes.append(
        f"{_fmt(mark.time)} 延期（{extension.id}）不予计入：{step}时期限（{found.due_text}）已届满"
        "（第三十三条：延期应在答复期限内经批准并告知申请人）"
    )
    clock.late_extensions.append(LateExtension(mark, extension, step, found.due, found.due_text))


def _extend(rule: DeadlineRule, calendar: WorkCalendar, clock: Clock, mark: Mark) -> None:
    if _ran_out(rule, calendar, clock, mark.time):
        _late(rule, calendar, clock, mark, mark, "批准")
        return
    limit = Period.parse(rule.extend.max)
    if len(clock.extensions) >= rule.extend.times:
        clock.notes.append(f"{_fmt(mark.time)} 延期（{mark.id}）不予计入：最多延长{rule.extend.times}次")
        return
    asked = asked_days(mark.days, limit.amount)
    amount = min(asked, limit.amount)
    if asked > limit.amount:
        clock.notes.append(
            f"{_fmt(mark.time)} 延期（{mark.id}）申请延长{asked}，超过上限{limit.chinese}，按上限计"
        )
    clock.extensions.append((mark, amount))
    clock.unnotified = mark


def _notified(rule: DeadlineRule, calendar: WorkCalendar, clock: Clock, mark: Mark) -> None:
    """The applicant told of the extension granted last: in time when the period without it had not run
    out; otherwise that extension is withdrawn and kept as late."""
    extension, clock.unnotified = clock.unnotified, None
    without = replace(
        clock,
        extensions=[e for e in clock.extensions if e[0] is not extension],
        notes=[],
        pauses=list(clock.pauses),
        open=list(clock.open),
        late_extensions=[],
    )
    if _ran_out(rule, calendar, without, mark.time):
        clock.extensions = without.extensions
        _late(rule, calendar, clock, mark, extension, "告知申请人")


def asked_days(days, limit: int) -> int:
    """The days an extension asks for: its `days` as a whole number; absent or not a number, the maximum."""
    try:
        return limit if days is None else int(days)
    except (TypeError, ValueError):
        return limit


def deadline(
    rule: DeadlineRule, calendar: WorkCalendar, clock: Clock, until: dt.datetime | None = None
) -> Deadline:
    """The deadline of a clock (a pause still open counts until `until` when given, at most to its cap; a
    capped pause still open and no `until`: to its cap, the latest it can end); raises CalendarCoverageError
    when the calendar lacks a year it needs."""
    if clock.open and (until is not None or clock.pause_cap is not None):
        clock = replace(clock, pauses=list(clock.pauses), notes=list(clock.notes), open=list(clock.open))
        end_pause(clock, until if until is not None else clock.pause_cap, still_open=True)
    extension = sum(amount for _, amount in clock.extensions)
    note = "（" + "；".join(f"{m.id}" for m, _ in clock.extensions) + "）" if clock.extensions else ""
    found = calendar.deadline(
        clock.start,
        rule.period,
        rule.counting.conventions(),
        pauses=union(clock.pauses),
        extension=extension,
        extension_note=note,
        explain=False,
    )
    if clock.notes:  # restarts and refused controls come first in the explanation
        words, notes = found.explainer, list(clock.notes)
        found.explainer = lambda: notes + words()
    return found


RESTART, PAUSE, RESUME, EXTEND = 1, 2, 4, 8  # what an event type can do to a rule's clock (several at once)
DECLINE = 16  # a control the array form leaves to run_clock: a capped pause, an extension's notice
KINDS = 16  # the array form tells apart a rule's first 16 pause kinds: bit RESUMES+j resumes pause j, OPENS+j
RESUMES, OPENS = 5, 21  # opens it (the highest bits: `>> OPENS` is the opening alone); beyond 16: DECLINE


def control_kinds(rule: DeadlineRule, types: list[str]) -> list[int]:
    """For each event type, the flags of what it can do to the rule's clock (0: nothing), and which of the
    rule's pauses it opens and resumes (so the array form can tell one pause kind from another)."""
    pause_on, resume = {p.on: j for j, p in enumerate(rule.pause)}, {p.resume for p in rule.pause}
    declined = {p.on for j, p in enumerate(rule.pause) if p.max or j >= KINDS}
    declined |= {rule.extend.notified} if rule.extend else set()
    resumes = {t: 0 for t in resume}
    for j, p in enumerate(rule.pause[:KINDS]):
        resumes[p.resume] |= 1 << RESUMES + j
    return [
        (RESTART if t == rule.restart else 0)
        | (PAUSE | 1 << OPENS + pause_on[t] % KINDS if t in pause_on else 0)
        | (RESUME | resumes[t] if t in resume else 0)
        | (EXTEND if rule.extend and t == rule.extend.on else 0)
        | (DECLINE if t in declined else 0)
        for t in types
    ]


def clock_deadlines(
    rule: DeadlineRule,
    calendar: WorkCalendar,
    start_us,
    start_day,
    rows,
    kinds,
    instants,
    days,
    asked,
    end_us,
    end_day,
):
    """`run_clock` and `deadline` for many clocks at once (the columnar screen), in days, working days or
    hours: the same walk, one control rank at a time over all clocks, then each clock's deadline, a pause
    still open at the end counted to its fulfilment (`end_us`, `end_day`). A property test holds this form
    equal to `run_clock`, as the calendar's array form is held equal to its scalar one.

    Per clock: `start_us`, `start_day` (its trigger, µs and epoch days). Per control in time order within
    each clock: `rows` (its clock's index, sorted), `kinds` (`control_kinds` flags), `instants`, `days`,
    `asked` (an extension's days as `run_clock` reads them). Returns (due µs, last epoch day or -1, ok): ok
    is False where this form does not vouch (a year outside the calendar, months or years, a negative
    extension, a capped pause or an extension's notice, an extension approved while paused or too late);
    those clocks go through `run_clock`.
    """
    unit = rule.period.unit
    n = len(start_us)
    start_us, start_day = np.array(start_us, np.int64), np.array(start_day, np.int64)
    pause_units, pause_us, extension = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    paused = np.full(n, -1, np.int64)  # the control that opened a pause still open
    n_ext = np.zeros(n, np.int64)
    ok = np.full(n, unit in ("wd", "d", "h"))
    ok[np.asarray(rows)[(np.asarray(kinds) & DECLINE) > 0]] = False

    def due_of(c):
        return _due_many(
            rule, calendar, start_us[c], start_day[c], pause_units[c] + extension[c], pause_us[c]
        )

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
        # a pause of another kind while one is open: two pauses at once, counted as their union by run_clock
        still = paused[c] >= 0  # (after a restart: none)
        opened = np.where(still, kinds[paused[c]] >> OPENS, 0)  # the open pause's bit; 0 when none is open
        ok[c[((kind & PAUSE) > 0) & still & ((kind >> OPENS & opened) == 0)]] = False
        resume = ~pause & ((kind >> RESUMES & opened) > 0)  # the open pause's own resume
        if resume.any():
            cu = c[resume]
            add_pause(cu, paused[cu], instants[at[resume]], days[at[resume]])
            paused[cu] = -1
        if rule.extend:
            asks = ~restart & ~pause & ~resume & ((kind & EXTEND) > 0)
            if asks.any():  # while paused or once run out: run_clock's business (a late extension)
                ca = c[asks]
                due, _, good = due_of(ca)
                ok[ca[(paused[ca] >= 0) | ~good | (instants[at[asks]] >= due)]] = False
            grant = asks & (n_ext[c] < rule.extend.times)
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
    due, last, ok = (
        np.zeros(len(start_us), np.int64),
        np.full(len(start_us), -1, np.int64),
        np.zeros(len(start_us), bool),
    )
    for added in np.unique(amount_added).tolist():
        same = np.flatnonzero(amount_added == added)
        total = rule.period.amount + added
        if total < 0:
            continue
        due[same], last[same], ok[same] = calendar.due_array(
            start_us[same], start_day[same], Period(total, rule.period.unit), conventions
        )
    return due + pause_us, last, ok
