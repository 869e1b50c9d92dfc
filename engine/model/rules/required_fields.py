"""The `required_fields` kind: what an event must carry (attributes) or point to (a linked subject's event),
e.g. 政策解读须关联政策文件.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .common import Rule
from .field_types import EventType, Strict


class Link(Strict):
    field: str = Field(
        title="关联字段", description="指向关联主体的属性 / attribute naming the linked subject"
    )
    to: EventType = Field(
        title="关联事件", description="关联主体应有此类事件 / the linked subject's event type"
    )


class FieldsRule(Rule):
    """要素齐全：事件须带有这些属性，和/或关联到另一主体的事件（解读须关联政策文件）。"""

    kind: Literal["required_fields"] = Field(title="规则种类", description="required_fields 要素齐全")
    event: EventType = Field(title="事件")
    fields: list[str] = Field(
        default_factory=list, title="必备属性", description="如 [文号, 成文日期, 发布日期]"
    )
    link: Link | None = Field(default=None, title="关联")

    @model_validator(mode="after")
    def _something_required(self) -> FieldsRule:
        if not self.fields and not self.link:
            raise ValueError(
                "要写 fields（必备属性）或 link（关联），或两者都写 (give 'fields', 'link' or both)"
            )
        return self

    def event_types(self) -> set[str]:
        return {self.event} | ({self.link.to} if self.link else set())
