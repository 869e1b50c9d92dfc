"""Deadline rules: a trigger starts a clock per subject; a fulfilling event must follow in time.

What the clock controls (pause/resume, restart, extension) do is written once in clock.py; this module keeps,
per open clock, its trigger and the events that may control it, and judges each clock when it closes or at
as-of. State is kept only while a clock is open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import CalendarCoverageError
from ..model.events import Event
from ..model.rules import DeadlineRule
from ..ruleset.loader import LoadedRule
from .clock import Clock, Mark, deadline, end_pause, expire_pause, run_clock, why
from .context import Context, fmt, local_date, ref


def what_text(subject: str, start_text: str, trigger_type: str) -> str:
    """What an obligation is about, as its findings name it: the subject and the event that started it."""
    return f"{subject}（{start_text} {trigger_type}）"


@dataclass
class Open:
    """An open obligation: its trigger and the events since that may control its clock, in time order."""

    trigger: Event
    controls: list[Mark] = field(default_factory=list)


def mark(event: Event) -> Mark:
    return Mark(event.time, event.type, event.id, event.attrs.get("days"))


class DeadlineEvaluator:
    def __init__(self, loaded: LoadedRule, ctx: Context):
        self.loaded, self.ctx = loaded, ctx
        self.rule: DeadlineRule = loaded.rule
        self.clocks: dict[str, Open] = {}
        self.early: dict[
            str, Event
        ] = {}  # fulfilled before any trigger (e.g. 解读 published with the document)

    def key(self, event: Event) -> str:
        if event.type in self.rule.fulfils and self.rule.fulfil_link:
            return str(event.attrs.get(self.rule.fulfil_link) or event.subject)
        return event.subject

    def feed(self, event: Event) -> None:
        rule, key = self.rule, self.key(event)
        obligation = self.clocks.get(key)
        if event.type in rule.triggers and obligation is None:
            if self.loaded.matches(event) and rule.effective.contains(local_date(event.time)):
                early = self.early.pop(
                    key, None
                )  # fulfilled with the trigger itself (解读 with its document) ...
                if early is not None and event.type == rule.trigger:
                    self._close(Open(event), early)
                else:  # ... never a change (also_triggers) by what came before it
                    self.clocks[key] = Open(event)
            return
        if obligation is None:
            if event.type in rule.fulfils and event.type not in rule.triggers:
                self.early.setdefault(key, event)
            return
        if event.type in rule.fulfils:
            self._close(self.clocks.pop(key), event)
        else:
            obligation.controls.append(mark(event))

    def clock(self, obligation: Open) -> Clock:
        """The clock in effect now (clock.py)."""
        return run_clock(self.rule, self.ctx.calendar, obligation.trigger.time, obligation.controls)

    def _where(self, obligation: Open) -> dict:
        t = obligation.trigger
        return dict(subject=t.subject, body=t.body, department=t.department)

    def _close(self, obligation: Open, done: Event) -> None:
        where = self._where(obligation)
        clock = self.clock(obligation)
        end_pause(clock, done.time)  # the fulfilment ends the pause (or its cap did)
        self._late_extensions(obligation, clock)
        try:
            found = deadline(self.rule, self.ctx.calendar, clock)
        except CalendarCoverageError as exc:  # judged where every possible schedule of that year agrees
            self.ctx.judge_beyond(
                self.loaded,
                exc,
                lambda cal: deadline(self.rule, cal, clock),
                done,
                what=lambda: self._what(obligation),
                trigger=ref(obligation.trigger),
                **where,
            )
            return
        self.ctx.judge_done(
            self.loaded,
            found,
            done,
            what=lambda: self._what(obligation),
            trigger=ref(obligation.trigger),
            **where,
        )

    def _late_extensions(self, obligation: Open, clock: Clock) -> None:
        """Each extension approved, or told to the applicant, when the period had run out (第三十三条): a
        finding of its own; the deadline stays where it was."""
        for late in clock.late_extensions:
            extension = late.extension
            told = "" if late.mark is extension else f"，于{fmt(late.mark.time)}才告知申请人"
            self.ctx.finding(
                self.loaded,
                "late_extension",
                message=f"{self.rule.title}：{self._what(obligation)}的延期（{extension.id}）于{fmt(extension.time)}"
                f"批准{told}，此时期限（{late.due_text}）已届满，延期不予计入",
                trigger=ref(obligation.trigger),
                deadline=late.due,
                deadline_text=late.due_text,
                explanation=[
                    f"{fmt(late.mark.time)} {late.mark.type}（{late.mark.id}）：{late.step}时期限"
                    f"（{late.due_text}）已届满，延期不予计入（第三十三条：需要延长答复期限的，应当经"
                    "政府信息公开工作机构负责人同意并告知申请人）"
                ],
                **self._where(obligation),
            )

    def _what(self, obligation: Open) -> str:
        t = obligation.trigger
        return what_text(t.subject, fmt(t.time), t.type)

    def finish(self) -> None:
        """As of the audit moment: every clock still open is pending, due soon, overdue or paused."""
        if self.ctx.open_subjects is not None:
            self.ctx.open_subjects.update(o.trigger.subject for o in self.clocks.values())
        for obligation in self.clocks.values():
            where = self._where(obligation)
            if self.rule.optional:
                continue
            clock = self.clock(obligation)
            expire_pause(clock, self.ctx.as_of)  # a capped pause past its cap has resumed by itself
            self._late_extensions(obligation, clock)
            if clock.open:  # each pause still open, with the day its cap ends it (第三十二条)
                said = "；".join(
                    why(p.mark) + (f"，至多到 {p.cap.date()} 24:00，届时自动恢复计时" if p.cap else "")
                    for p in clock.open
                )
                self.ctx.finding(
                    self.loaded,
                    "paused",
                    message=f"计时暂停中：{said}",
                    trigger=ref(obligation.trigger),
                    **where,
                )
                continue
            try:
                found = deadline(self.rule, self.ctx.calendar, clock)
            except CalendarCoverageError as exc:
                self.ctx.judge_beyond(
                    self.loaded,
                    exc,
                    lambda cal, c=clock: deadline(self.rule, cal, c),
                    None,
                    what=lambda o=obligation: self._what(o),
                    trigger=ref(obligation.trigger),
                    **where,
                )
                continue
            self.ctx.judge_open(
                self.loaded,
                found,
                what=lambda o=obligation: self._what(o),
                trigger=ref(obligation.trigger),
                **where,
            )
        self.clocks.clear()
