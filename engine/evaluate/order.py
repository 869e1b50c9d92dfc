"""Order rules: for the same subject, an event of one type must come before an event of another
(上海市司法局2024年政务公开工作要点（十二）“先审查、后公开”: a publication needs a 保密审查 before it).

Reading (stated in docs/authoring.md): the `first` event counts as before the `then` event when it is at the
same instant or earlier; when either was logged by date alone and both fall on the same day, the log cannot
say which came first and the order is taken as kept. A `then` event with no `first` before it is one finding
(`out_of_order`), whether the `first` event came later (the finding says when) or not at all by as-of.
Each `then` event is judged (every publication of a document needs the review before it).
"""

from __future__ import annotations

from ..model.events import Event
from ..model.rules import OrderRule
from ..ruleset.loader import LoadedRule
from .context import Context, local_date, ref, when


def kept(first: Event, then: Event) -> bool:
    """Does `first` count as before `then`?"""
    if first.time <= then.time:
        return True
    return (first.date_only or then.date_only) and local_date(first.time) == local_date(then.time)


class OrderEvaluator:
    def __init__(self, loaded: LoadedRule, ctx: Context):
        self.loaded, self.ctx = loaded, ctx
        self.rule: OrderRule = loaded.rule
        self.prior: dict[str, Event] = {}  # subject -> its earliest `first` event
        self.waiting: dict[str, list[Event]] = {}  # subject -> `then` events with no `first` before them yet

    def feed(self, event: Event) -> None:
        rule = self.rule
        if event.type == rule.first:
            self.prior.setdefault(event.subject, event)
            for then in self.waiting.pop(event.subject, ()):
                self._judge(then, event)
        elif event.type == rule.then:
            if not self.loaded.matches(event) or not rule.effective.contains(local_date(event.time)):
                return
            first = self.prior.get(event.subject)
            if first is not None:
                self._judge(event, first)
            else:
                self.waiting.setdefault(event.subject, []).append(event)

    def _judge(self, then: Event, first: Event | None) -> None:
        rule, ctx = self.rule, self.ctx
        types = ctx.event_types
        first_zh, then_zh = types.get(rule.first, rule.first), types.get(rule.then, rule.then)
        where = dict(
            subject=then.subject,
            body=then.body,
            department=then.department,
            trigger=ref(then),
            fulfilment=ref(first),
        )
        steps = [
            f"要求：同一对象的“{then_zh}”（{rule.then}）之前应已有“{first_zh}”（{rule.first}）",
            f"{then_zh}：{then.id}，{when(then)}",
        ]
        if first is not None and kept(first, then):
            steps.append(f"{first_zh}：{first.id}，{when(first)}，在前")
            ctx.finding(
                self.loaded,
                "met",
                message=f"{first_zh}于{when(first)}，{then_zh}于{when(then)}",
                explanation=steps,
                **where,
            )
            return
        if first is None:
            steps.append(f"截至{ctx.as_of_text}没有{first_zh}")
            what = f"{when(then)} {then_zh}之前没有{first_zh}（截至{ctx.as_of_text}仍无）"
        else:
            steps.append(f"{first_zh}：{first.id}，{when(first)}，晚于{then_zh}")
            what = f"{first_zh}（{when(first)}）晚于{then_zh}（{when(then)}）"
        ctx.finding(
            self.loaded,
            "out_of_order",
            message=f"{rule.title}：{then.subject} {what}",
            explanation=steps,
            **where,
        )

    def finish(self) -> None:
        if self.ctx.open_subjects is not None:  # their findings name as-of: they change with time alone
            self.ctx.open_subjects.update(self.waiting)
        for events in self.waiting.values():
            for then in events:
                self._judge(then, None)
        self.waiting.clear()
        self.prior.clear()
