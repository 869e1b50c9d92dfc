"""Minimum-span rules: two events of one subject at least a period apart (征求意见不少于30日).

Reading (stated in docs/rules.md): satisfied when date(end) >= date(start) + N, the start day not
counted (民法典第二百零一条), without rolling: a span is a minimum, not a deadline.
"""

from __future__ import annotations

from ..calendar.period import UNITS
from ..errors import CalendarCoverageError
from ..model.events import Event
from ..model.rules import SpanRule
from ..ruleset.loader import LoadedRule
from .context import Context, local_date, ref


class SpanEvaluator:
    def __init__(self, loaded: LoadedRule, ctx: Context):
        self.loaded, self.ctx = loaded, ctx
        self.rule: SpanRule = loaded.rule
        self.open: dict[str, Event] = {}

    def feed(self, event: Event) -> None:
        rule = self.rule
        if event.type == rule.start:
            if self.loaded.matches(event) and rule.effective.contains(local_date(event.time)):
                self.open.setdefault(event.subject, event)
        elif event.type == rule.end and event.subject in self.open:
            self._judge(self.open.pop(event.subject), event)

    def _judge(self, start: Event, end: Event) -> None:
        cal, period = self.ctx.calendar, self.rule.period
        where = dict(
            subject=start.subject,
            body=start.body,
            department=start.department,
            trigger=ref(start),
            fulfilment=ref(end),
        )
        a, b = local_date(start.time), local_date(end.time)
        try:
            if period.unit == "wd":
                earliest = cal.add_working_days(a, period.amount)
            elif period.unit == "d":
                earliest = cal.add_days(a, period.amount, roll=False)
            else:
                earliest = cal.add_months(a, period.amount * (12 if period.unit == "y" else 1), roll=False)
            actual = cal.units_between(start.time, end.time, "wd" if period.unit == "wd" else "d")
        except CalendarCoverageError as exc:
            self.ctx.undetermined(self.loaded, exc, **where)
            return
        unit = UNITS["wd" if period.unit == "wd" else "d"]
        steps = [
            f"自 {a} 起（当日不计入），至少 {period.chinese}：结束不得早于 {earliest}",
            f"实际结束 {b}，共 {actual}{unit}",
        ]
        if b < earliest:
            self.ctx.finding(
                self.loaded,
                "short",
                message=f"{self.rule.title}：{start.subject} 自{a}至{b}仅{actual}{unit}，"
                f"不足{period.chinese}（最早应于{earliest}结束）",
                explanation=steps,
                **where,
            )
        else:
            self.ctx.finding(
                self.loaded, "met", message=f"{a} 至 {b}，{actual}{unit}", explanation=steps, **where
            )

    def finish(self) -> None:
        self.open.clear()
