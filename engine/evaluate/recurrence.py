"""Recurrence rules: while a state is open, an event at least every N (滨海新区司法局2017年实施方案第12项
“根据工作进展情况，持续发布权威信息”; 临沂市司法局2021年第13项“定期汇总司法行政业务数据并更新至统计数据栏目”).

Each interval is an obligation of its own: a deadline counted from the opening (or, without an opening
event, from 00:00 of the first day the rule applies to the body) or from the previous event, with the rule's
counting conventions, so that a gap is judged by the same calendar and the same verdicts as any deadline:
the next event after the deadline is `late` (its message shows the gap), none by as-of is `overdue` or
`due_soon`; a state that closes (the closing event, or the end of the rule's effective dates) after an
interval ran out without the event is `gap_exceeded`. The state and its obligations end with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..calendar import SHANGHAI, Deadline
from ..calendar.period import UNITS, counted_in
from ..errors import CalendarCoverageError
from ..model.events import Event
from ..model.rules import RecurrenceRule
from ..ruleset.loader import LoadedRule
from .context import Context, local_date, ref, when
from .periodic import BodyTracker, end_of_day
from .verdict import at_least_one, overdue


@dataclass
class State:
    """An open state: what opened it, and the anchor the current interval counts from."""

    subject: str
    body: str
    department: str
    since: dt.datetime  # the anchor's instant
    anchor: Event | None  # the opening or previous event; None for a state opened by the rule's dates
    anchor_text: str  # the anchor as messages name it


class RecurrenceEvaluator:
    def __init__(self, loaded: LoadedRule, ctx: Context):
        self.loaded, self.ctx = loaded, ctx
        self.rule: RecurrenceRule = loaded.rule
        self.states: dict[str, State] = {}
        if self.rule.open is None:  # one state per body, over the effective dates
            self.bodies = BodyTracker(loaded)
            self.observe = self.bodies.observe
            self.closing = end_of_day(self.rule.effective.to) if self.rule.effective.to else None
            self.ended: set[str] = set()  # bodies whose state the end of the effective dates closed
        labels = ctx.event_types
        self.event_zh = labels.get(self.rule.event, self.rule.event)

    # -- feeding ----------------------------------------------------------------------------------------

    def feed(self, event: Event) -> None:
        rule = self.rule
        if rule.open is None:
            if event.type != rule.event or not self.loaded.matches(event):
                return
            state = self._body_state(event.body)
            if state is None or event.time < state.since:
                return
            if self.closing is not None and event.time >= self.closing:
                self._end(event.body)
            else:
                self._step(state, event)
            return
        state = self.states.get(event.subject)
        if event.type == rule.open:
            if (
                state is None
                and self.loaded.matches(event)
                and rule.effective.contains(local_date(event.time))
            ):
                self.states[event.subject] = State(
                    event.subject,
                    event.body,
                    event.department,
                    event.time,
                    event,
                    f"{when(event)} {self.ctx.event_types.get(event.type, event.type)}",
                )
        elif state is None:
            return
        elif event.type == rule.event:
            self._step(state, event)
        elif event.type == rule.close:
            self._close(
                state, event.time, f"{when(event)} {self.ctx.event_types.get(event.type, event.type)}"
            )
            del self.states[event.subject]

    def _body_state(self, body: str) -> State | None:
        """The body's state, opened at 00:00 of the later of the rule's first day and the body's first day in
        the log (a log that starts later says nothing before), once the rule applies to the body."""
        state = self.states.get(body)
        if state is None and body not in self.ended:
            first = self.bodies.first_seen.get(body)
            rule = self.rule
            if first is None or (rule.effective.to and first > rule.effective.to):
                return None
            day = max(first, rule.effective.from_)
            since = dt.datetime.combine(day, dt.time(0), SHANGHAI)
            state = self.states[body] = State(body, body, "", since, None, f"{day} 起")
        return state

    # -- judging ----------------------------------------------------------------------------------------

    def _deadline(self, state: State, calendar=None) -> Deadline:
        rule = self.rule
        found = (calendar or self.ctx.calendar).deadline(
            state.since, rule.period, rule.counting.conventions(), explain=False
        )
        words = found.explainer
        note = f"最长间隔 {rule.period.chinese}，自{state.anchor_text}起算"
        found.explainer = lambda: [note] + (words() if words else [])
        return found

    def _what(self, state: State, gap: str = "") -> str:
        return f"{state.subject}：{state.anchor_text}之后的下一次{self.event_zh}{gap}"

    def _where(self, state: State, **extra) -> dict:
        where = dict(
            subject=state.subject, body=state.body, department=state.department, trigger=ref(state.anchor)
        )
        if state.anchor is None:
            where["period"] = local_date(state.since).isoformat()
        return {**where, **extra}

    def _step(self, state: State, event: Event) -> None:
        """The next event: judged against the interval's deadline; it anchors the next interval."""
        ctx, unit = self.ctx, counted_in(self.rule.period.unit)
        try:
            found = self._deadline(state)
            gap = f"（间隔{ctx.calendar.units_between(state.since, event.time, unit)}{UNITS[unit]}）"
        except CalendarCoverageError as exc:
            ctx.judge_beyond(
                self.loaded,
                exc,
                lambda cal, s=state: self._deadline(s, cal),
                event,
                what=self._what(state),
                **self._where(state),
            )
        else:
            ctx.judge_done(self.loaded, found, event, what=self._what(state, gap), **self._where(state))
        state.since, state.anchor = event.time, event
        state.anchor_text = f"{when(event)} {self.event_zh}"
        if event.department:
            state.department = event.department

    def _end(self, body: str) -> None:
        """The rule's effective dates are over: the body's state closes at 24:00 of their last day."""
        state = self.states.pop(body, None)
        self.ended.add(body)
        if state is not None:
            self._close(
                state, self.closing, f"{self.rule.effective.to} 24:00（施行期间届满）", self.rule.effective.to
            )

    def _close(self, state: State, at: dt.datetime, closed_text: str, last: dt.date | None = None) -> None:
        """The state ends at `at`: an interval that ran out before it did, without the event, is a gap exceeded
        (counted to the day of `at`, or to `last` when the state ends at 24:00 of that day)."""
        ctx, unit = self.ctx, counted_in(self.rule.period.unit)
        try:
            found = self._deadline(state)
        except CalendarCoverageError as exc:
            ctx.undetermined(
                self.loaded,
                exc,
                message=f"{self._what(state)}：至{closed_text}结束前是否超出最长间隔",
                **self._where(state),
            )
            return
        if not overdue(at, found.due):
            return
        to = at if last is None or unit == "h" else last
        by = at_least_one(ctx.calendar.units_range(found.last_day or found.due, to, unit)[0])
        gap = ctx.calendar.units_between(state.since, to, unit)
        ctx.finding(
            self.loaded,
            "gap_exceeded",
            message=f"{self.rule.title}：{self._what(state)}应于{found.due_text}"
            f"前发生，至{closed_text}仍未发生（已间隔{gap}{UNITS[unit]}，超出{by}{UNITS[unit]}）",
            deadline=found.due,
            deadline_text=found.due_text,
            overdue_by=f"{by}{unit}",
            explanation=found.explain() + [f"{closed_text}，状态结束，其间未再发生{self.event_zh}"],
            **self._where(state),
        )

    def finish(self) -> None:
        ctx = self.ctx
        if self.rule.open is None:
            for body in sorted(self.bodies.first_seen):
                if (
                    self._body_state(body) is not None
                    and self.closing is not None
                    and self.closing <= ctx.as_of
                ):
                    self._end(body)
        for key in sorted(self.states):
            state = self.states[key]
            try:
                found = self._deadline(state)
            except CalendarCoverageError as exc:
                ctx.judge_beyond(
                    self.loaded,
                    exc,
                    lambda cal, s=state: self._deadline(s, cal),
                    None,
                    what=self._what(state),
                    **self._where(state),
                )
                continue
            ctx.judge_open(self.loaded, found, what=self._what(state), **self._where(state))
        self.states.clear()
