"""Deadline rules: a trigger starts a clock per subject; a fulfilling event must follow in time.

Clock controls: pause/resume (not counted), restart (period counted afresh from the restart event),
extend (adds up to `max`, at most `times` times). State is kept only while a clock is open.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..calendar import Period
from ..errors import CalendarCoverageError
from ..model.events import Event
from ..model.rules import DeadlineRule
from ..ruleset.loader import LoadedRule
from .context import Context, fmt, local_date, ref


def what_text(subject: str, start_text: str, trigger_type: str) -> str:
    """What an obligation is about, as its findings name it: the subject and the event that started it."""
    return f"{subject}（{start_text} {trigger_type}）"


@dataclass
class Clock:
    trigger: Event
    start: Event  # the trigger, or the latest restart
    pauses: list = field(default_factory=list)  # (from, to, why)
    paused_by: Event | None = None
    extensions: list = field(default_factory=list)  # (event, amount)
    notes: list[str] = field(default_factory=list)


class DeadlineEvaluator:
    def __init__(self, loaded: LoadedRule, ctx: Context):
        self.loaded, self.ctx = loaded, ctx
        self.rule: DeadlineRule = loaded.rule
        self.clocks: dict[str, Clock] = {}
        self.early: dict[str, Event] = {}  # fulfilled before any trigger (e.g. 解读 published with the document)
        self.period, self.conventions = self.rule.period, self.rule.counting.conventions()  # built once, used per clock
        self.pause_on = {p.on: p for p in self.rule.pause}
        self.pause_resume = {p.resume: p for p in self.rule.pause}

    def key(self, event: Event) -> str:
        if event.type == self.rule.fulfil and self.rule.fulfil_link:
            return str(event.attrs.get(self.rule.fulfil_link) or event.subject)
        return event.subject

    def feed(self, event: Event) -> None:
        rule, key = self.rule, self.key(event)
        clock = self.clocks.get(key)
        if event.type == rule.trigger and clock is None:
            if self.loaded.matches(event) and rule.effective.contains(local_date(event.time)):
                if key in self.early:
                    self._close(Clock(event, event), self.early.pop(key))
                else:
                    self.clocks[key] = Clock(event, event)
            return
        if clock is None:
            if event.type == rule.fulfil and event.type != rule.trigger:
                self.early.setdefault(key, event)
            return
        if event.type == rule.fulfil:
            if clock.paused_by is not None:
                clock.pauses.append((clock.paused_by.time, event.time, self._why(clock.paused_by)))
                clock.paused_by = None
            self._close(self.clocks.pop(key), event)
        elif event.type == rule.restart:  # before pause/resume: a restart also ends the pause it resumes
            clock.notes.append(f"{fmt(event.time)} {event.type}（{event.id}）：期限自此重新计算")
            clock.start, clock.pauses, clock.paused_by = event, [], None
        elif event.type in self.pause_on and clock.paused_by is None:
            if self._ran_out(clock, event):  # a period that has run out cannot be paused
                clock.notes.append(f"{fmt(event.time)} {event.type}（{event.id}）不予暂停：期限已届满")
            else:
                clock.paused_by = event
        elif event.type in self.pause_resume and clock.paused_by is not None:
            clock.pauses.append((clock.paused_by.time, event.time, self._why(clock.paused_by)))
            clock.paused_by = None
        elif rule.extend and event.type == rule.extend.on:
            self._extend(clock, event)

    def _ran_out(self, clock: Clock, event: Event) -> bool:
        """Whether the deadline had passed when `event` came (the instant of the deadline included)."""
        try:
            return event.time >= self._deadline(clock).due
        except CalendarCoverageError:
            return False  # cannot tell: pause as asked; the deadline is reported undetermined later

    def _why(self, event: Event) -> str:
        return f"{event.type} {event.id}"

    def _extend(self, clock: Clock, event: Event) -> None:
        limit = Period.parse(self.rule.extend.max)
        if len(clock.extensions) >= self.rule.extend.times:
            clock.notes.append(f"{fmt(event.time)} 延期（{event.id}）不予计入：最多延长{self.rule.extend.times}次")
            return
        asked = event.attrs.get("days", limit.amount)
        try:
            asked = int(asked)
        except (TypeError, ValueError):
            asked = limit.amount
        amount = min(asked, limit.amount)
        if asked > limit.amount:
            clock.notes.append(f"{fmt(event.time)} 延期（{event.id}）申请延长{asked}，超过上限{limit.chinese}，按上限计")
        clock.extensions.append((event, amount))

    def _deadline(self, clock: Clock, until=None, calendar=None):
        pauses = list(clock.pauses)
        if clock.paused_by is not None and until is not None:
            pauses.append((clock.paused_by.time, until, self._why(clock.paused_by) + "，尚未恢复"))
        extension = sum(amount for _, amount in clock.extensions)
        note = "（" + "；".join(f"{e.id}" for e, _ in clock.extensions) + "）" if clock.extensions else ""
        deadline = (calendar or self.ctx.calendar).deadline(clock.start.time, self.period, self.conventions,
                                              pauses=pauses, extension=extension, extension_note=note, explain=False)
        if clock.notes:  # restarts and refused extensions come first in the explanation
            words, notes = deadline.explainer, list(clock.notes)
            deadline.explainer = lambda: notes + words()
        return deadline

    def _where(self, clock: Clock) -> dict:
        t = clock.trigger
        return dict(subject=t.subject, body=t.body, department=t.department)

    def _close(self, clock: Clock, done: Event) -> None:
        where = self._where(clock)
        try:
            deadline = self._deadline(clock)
        except CalendarCoverageError as exc:
            self.ctx.judge_beyond(self.loaded, exc, lambda cal: self._deadline(clock, calendar=cal), done,
                                  what=lambda: self._what(clock), trigger=ref(clock.trigger), **where)
            return
        self.ctx.judge_done(self.loaded, deadline, done, what=lambda: self._what(clock), trigger=ref(clock.trigger),
                            **where)

    def _what(self, clock: Clock) -> str:
        return what_text(clock.trigger.subject, fmt(clock.trigger.time), clock.trigger.type)

    def finish(self) -> None:
        """As of the audit moment: every clock still open is pending, due soon, overdue or paused."""
        for clock in self.clocks.values():
            where = self._where(clock)
            if self.rule.optional:
                continue
            if clock.paused_by is not None:
                self.ctx.finding(self.loaded, "paused", message=f"计时暂停中：{self._why(clock.paused_by)}",
                                 trigger=ref(clock.trigger), **where)
                continue
            try:
                deadline = self._deadline(clock)
            except CalendarCoverageError as exc:
                self.ctx.judge_beyond(self.loaded, exc, lambda cal, c=clock: self._deadline(c, calendar=cal), None,
                                      what=lambda c=clock: self._what(c), trigger=ref(clock.trigger), **where)
                continue
            self.ctx.judge_open(self.loaded, deadline, what=lambda c=clock: self._what(c), trigger=ref(clock.trigger),
                                **where)
        self.clocks.clear()
