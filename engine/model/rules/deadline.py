"""The kinds that measure the time between two events of one subject: `deadline` (a trigger starts a clock
that pause, restart and extension act on, and a fulfilment must come in time) and `min_span` (at least a
period between two events, 征求意见不少于30日).
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field

from ...calendar import Period
from .common import Counting, Rule
from .field_types import EventType, PeriodText, Strict


class Pause(Strict):
    """中止计时：`on` 时停止，`resume` 时恢复（如征求第三方意见，条例第三十三条）。The clock stops and runs again."""

    on: EventType = Field(title="停止计时的事件")
    resume: EventType = Field(title="恢复计时的事件")
    max: PeriodText | None = Field(
        default=None,
        title="最长不计入",
        description="不计入的时间至多多久，自停止之日"
        "起算，届满未恢复的自动恢复计时（第三方15个工作日：15wd）；不写表示直至恢复 "
        "/ the longest a pause counts, from its day; past it the clock runs again",
    )


class Extend(Strict):
    """延长：经批准的延期至多 `max`（事件可带 `days`），至多 `times` 次。An approved extension, capped."""

    on: EventType = Field(title="批准延期的事件")
    max: PeriodText = Field(title="最长延长", description="如 20wd / the cap")
    times: int = Field(
        default=1, ge=1, title="至多次数", description="至多延期几次 / at most this many times"
    )
    notified: EventType | None = Field(
        default=None,
        title="告知申请人的事件",
        description="日志有此事件时，延期还须"
        "在期限届满前告知申请人，否则不予计入 / where the log has it, the applicant "
        "must be told before the period ends too",
    )


class ReadingOption(Strict):
    """可选解读：规则默认照原文；包文件的 `choose` 选用此解读时，这里写的计时控制取代规则的。
    An alternative reading of a rule's clock, chosen by a pack's `choose`; the default follows the text."""

    title: str = Field(title="解读名称", description="如 补正后重新起算 / what the reading does")
    reading: str = Field(title="解读", description="依据和理由，选用后即为规则的解读 / its authority and why")
    pause: list[Pause] | None = Field(
        default=None, title="中止计时", description="取代规则的 pause / replaces pause"
    )
    restart: EventType | None = Field(
        default=None, title="重新起算", description="取代规则的 restart / replaces restart"
    )


class DeadlineRule(Rule):
    """期限：触发事件开始计时，履行事件应在期限内发生。The trigger starts a clock; the fulfilment must follow in time."""

    kind: Literal["deadline"] = Field(title="规则种类", description="deadline 期限")
    trigger: EventType = Field(
        title="触发事件", description="开始计时的事件，如 request.received（收到申请）"
    )
    also_triggers: list[EventType] = Field(
        default_factory=list,
        title="也开始计时的事件",
        description="如 "
        "document.changed（政府信息变更，第二十六条“形成或者变更”） "
        "/ other events that start the clock too",
    )
    fulfil: EventType = Field(
        title="履行事件", description="应在期限内发生的事件，如 request.replied（答复申请人）"
    )
    also_fulfils: list[EventType] = Field(
        default_factory=list,
        title="也算履行的事件",
        description="如 request.answered_on_spot（当场答复） / other events that fulfil it too",
    )
    within: PeriodText = Field(title="期限", description="如 20wd、7d、5h，或 20个工作日、7日、5小时")
    fulfil_link: str | None = Field(
        default=None,
        title="关联字段",
        description="履行事件中指向触发事件主体的属性"
        "（如解读的 policy）；默认同一主体 / attribute naming the trigger's subject",
    )
    pause: list[Pause] = Field(default_factory=list, title="中止计时")
    restart: EventType | None = Field(
        default=None,
        title="重新起算",
        description="期限重新起算的事件，如 supplement.received（收到补正） / event that restarts the period",
    )
    extend: Extend | None = Field(default=None, title="延长")
    optional: bool = Field(
        default=False,
        title="可不发生",
        description="只有逾期履行才是问题，不履行不算 / only a late fulfilment is a finding",
    )
    counting: Counting = Field(default_factory=Counting, title="计算方法")
    options: dict[str, ReadingOption] = Field(
        default_factory=dict,
        title="可选解读",
        description="名称 -> 解读；由包文件的 choose 选用 / named alternative readings",
    )

    @cached_property
    def period(self) -> Period:
        return Period.parse(self.within)

    @cached_property
    def triggers(self) -> frozenset[str]:
        return frozenset([self.trigger, *self.also_triggers])

    @cached_property
    def fulfils(self) -> frozenset[str]:
        return frozenset([self.fulfil, *self.also_fulfils])

    def with_option(self, name: str) -> DeadlineRule:
        """This rule read as its option `name` says: the option's clock controls and reading replace its own."""
        option = self.options[name]
        update = {k: getattr(option, k) for k in ("pause", "restart") if k in option.model_fields_set}
        return self.model_copy(update={**update, "reading": f"（选用解读：{option.title}）{option.reading}"})

    def event_types(self) -> set[str]:
        types = {self.trigger, self.fulfil, *self.also_triggers, *self.also_fulfils}
        types.update(t for p in self.pause for t in (p.on, p.resume))
        if self.restart:
            types.add(self.restart)
        if self.extend:
            types.add(self.extend.on)
            if self.extend.notified:
                types.add(self.extend.notified)
        return types


class SpanRule(Rule):
    """最短间隔：同一主体的两个事件至少相隔一段期间（征求意见不少于30日）。"""

    kind: Literal["min_span"] = Field(title="规则种类", description="min_span 最短间隔")
    start: EventType = Field(title="开始事件")
    end: EventType = Field(title="结束事件")
    at_least: PeriodText = Field(title="不少于", description="如 30d 或 30日")

    @cached_property
    def period(self) -> Period:
        return Period.parse(self.at_least)

    def event_types(self) -> set[str]:
        return {self.start, self.end}
