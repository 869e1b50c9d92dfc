"""Required fields and links: an event of a type must carry given attributes and/or name a linked subject."""

from __future__ import annotations

from ..model.events import Event
from ..model.rules import FieldsRule
from ..ruleset.loader import LoadedRule
from .context import Context, local_date, ref


class FieldsEvaluator:
    def __init__(self, loaded: LoadedRule, ctx: Context):
        self.loaded, self.ctx = loaded, ctx
        self.rule: FieldsRule = loaded.rule
        self.targets: set[str] = set()  # subjects that have an event of the link's type
        self.pending_links: list[Event] = []

    def feed(self, event: Event) -> None:
        rule = self.rule
        if rule.link and event.type == rule.link.to:
            self.targets.add(event.subject)
        if (
            event.type != rule.event
            or not self.loaded.matches(event)
            or not rule.effective.contains(local_date(event.time))
        ):
            return
        where = dict(subject=event.subject, body=event.body, department=event.department, trigger=ref(event))
        missing = [f for f in rule.fields if event.attrs.get(f) in (None, "")]
        if missing:
            self.ctx.finding(
                self.loaded,
                "missing_fields",
                message=f"{rule.title}：{event.subject}（{event.id}）缺少" + "、".join(missing),
                explanation=[f"要求：{'、'.join(rule.fields)}", f"缺少：{'、'.join(missing)}"],
                **where,
            )
        if rule.link:
            self.pending_links.append(event)

    def finish(self) -> None:
        link = self.rule.link
        for event in self.pending_links:
            target = event.attrs.get(link.field)
            if target in (None, "") or str(target) not in self.targets:
                why = (
                    f"未填写 {link.field}"
                    if target in (None, "")
                    else f"{link.field}={target} 无对应的 {link.to} 事件"
                )
                self.ctx.finding(
                    self.loaded,
                    "unlinked",
                    subject=event.subject,
                    body=event.body,
                    department=event.department,
                    trigger=ref(event),
                    message=f"{self.rule.title}：{event.subject}（{event.id}）未关联：{why}",
                    explanation=[f"要求 {link.field} 指向已有 {link.to} 事件的对象", why],
                )
        self.pending_links.clear()
