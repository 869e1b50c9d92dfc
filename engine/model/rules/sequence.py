"""The kinds about what must come first and keep coming: `order` (先审查、后公开) and `recurrence` (while a
state is open, an event at least every N, each gap judged as a deadline).
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from ...calendar import Period
from .common import Counting, Rule
from .field_types import EventType, PeriodText


class OrderRule(Rule):
    """先后顺序：同一主体的 `then` 事件之前须已有 `first` 事件（先审查、后公开）。

    `applies_to` and `effective` select the `then` events (the ones judged); the `first` event only needs the
    same subject."""

    kind: Literal["order"] = Field(title="规则种类", description="order 先后顺序")
    first: EventType = Field(title="在先事件", description="应先发生的事件，如 document.reviewed（保密审查）")
    then: EventType = Field(
        title="在后事件", description="须以在先事件为前提的事件，如 document.published（公开发布）"
    )

    @model_validator(mode="after")
    def _two_types(self) -> OrderRule:
        if self.first == self.then:
            raise ValueError(
                f"first 与 then 是同一事件类型 {self.first}，应写两个不同的事件 "
                "('first' and 'then' must differ)"
            )
        return self

    def event_types(self) -> set[str]:
        return {self.first, self.then}


class RecurrenceRule(Rule):
    """持续发生：状态开启期间（`open` 至 `close`，或施行期间内每个机关），每隔不超过 `every` 须有一次 `event`。

    Each interval is a deadline counted from the opening or from the previous event, with the rule's counting
    conventions (民法典第二百零一至二百零三条 unless `counting` says otherwise)."""

    kind: Literal["recurrence"] = Field(title="规则种类", description="recurrence 持续发生（最长间隔）")
    open: EventType | None = Field(
        default=None,
        title="开启事件",
        description="状态开始的事件，如 incident.occurred"
        "（突发事件发生）；不写表示施行期间内对每个机关都开启 / opens the state per "
        "subject; without it, the state is open for every body over the effective dates",
    )
    close: EventType | None = Field(
        default=None,
        title="结束事件",
        description="状态结束的事件，如 incident.closed / closes the state (only with open)",
    )
    event: EventType = Field(
        title="重复事件", description="应反复发生的事件，如 info.released（发布权威信息）"
    )
    every: PeriodText = Field(
        title="最长间隔", description="两次之间（及开启至第一次）不超过，如 1d、24h、7d、1m"
    )
    counting: Counting = Field(default_factory=Counting, title="计算方法")

    @model_validator(mode="after")
    def _shape(self) -> RecurrenceRule:
        if self.close and not self.open:
            raise ValueError("写了 close（结束事件）就要写 open（开启事件） ('close' needs 'open')")
        if self.event in (self.open, self.close):
            raise ValueError(
                f"重复事件 {self.event} 不能同时是开启或结束事件 ('event' must differ from open/close)"
            )
        if self.open is None and self.effective.from_ is None:
            raise ValueError(
                "不写 open 时要写 effective.from：从哪一天起每个机关都要持续发生 "
                "(without 'open', give effective.from)"
            )
        return self

    @cached_property
    def period(self) -> Period:
        return Period.parse(self.every)

    def event_types(self) -> set[str]:
        return {t for t in (self.open, self.close, self.event) if t}
