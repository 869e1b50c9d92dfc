"""What every rule kind has: its quoted source, the dates it is in force, severity, scope, due-soon window and
test cases; and the counting conventions (民法典第二百零一至二百零三条) the kinds that count days share.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ...calendar import Conventions
from ..findings import SEVERITIES
from .field_types import Day, PeriodText, Strict, officer_instant, validation_error


class Source(Strict):
    """出处：原文照录，便于读者与原件核对。Where the obligation comes from, quoted."""

    document: str = Field(
        title="文件名称", description="如《中华人民共和国政府信息公开条例》（国务院令第711号） / the document"
    )
    article: str = Field(title="条款", description="条、款、项，如 第三十三条、第（四）项 / article or item")
    text: str = Field(
        title="原文", description="规则所依据的原文，照录 / the quoted words the rule implements"
    )
    url: str | None = Field(default=None, title="网址", description="原文网址（可选） / where to read it")


class Effective(Strict):
    """施行期间（含首尾两日），按触发事件的日期选用版本。Dates in force, inclusive; the trigger's date decides."""

    from_: Day | None = Field(
        default=None, alias="from", title="起始日期", description="如 2019-05-15 / from"
    )
    to: Day | None = Field(default=None, title="截止日期", description="如 2019-05-14；不写表示仍有效 / to")

    @model_validator(mode="after")
    def _ordered(self) -> Effective:
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError(
                f"截止日期 to（{self.to}）早于起始日期 from（{self.from_}） ('to' is before 'from')"
            )
        return self

    def contains(self, day: dt.date) -> bool:
        return (self.from_ is None or day >= self.from_) and (self.to is None or day <= self.to)

    def overlaps(self, other: Effective) -> bool:
        lo = max(self.from_ or dt.date.min, other.from_ or dt.date.min)
        hi = min(self.to or dt.date.max, other.to or dt.date.max)
        return lo <= hi


class Counting(Strict):
    """计算方法（默认依民法典第二百零一至二百零三条）。Calendar conventions for one rule."""

    roll: bool = Field(
        default=True,
        title="末日顺延",
        description="期间最后一日是休息日的，顺延至下一个工作日"
        "（民法典第二百零三条） / move a rest-day last day to the next working day",
    )
    start: Literal["strict", "next-working"] = Field(
        default="strict",
        title="起算",
        description="strict：开始的当日不计入；next-working：休息日收到的，"
        "从下一个工作日起算 / strict: the start day is not counted; next-working: a rest-day start counts "
        "from the next working day",
    )
    closing: dt.time | None = Field(
        default=None,
        title="截止时间",
        description='最后一日的截止时间，如 "17:30"；'
        "默认 24 时 / closing time of the last day instead of 24:00",
    )

    @field_validator("closing", mode="before")
    @classmethod
    def _closing_text(cls, value: Any) -> Any:
        if isinstance(
            value, str
        ):  # 17:30 unquoted stays text (engine/yamlsource.py reads no base-60 numbers)
            try:
                return dt.time.fromisoformat(value.strip().replace("：", ":"))
            except ValueError:
                raise validation_error(
                    "bad_time", f'截止时间 {value!r} 应写成 时:分，如 "17:30" (expected HH:MM)'
                ) from None
        return value

    def conventions(self) -> Conventions:
        return Conventions(roll=self.roll, start=self.start, closing=self.closing)


class TestCase(Strict):
    """测试用例：给定这些事件，截至这一时刻，应恰好得到这些结论。Given these events, expect exactly these findings."""

    name: str = Field(
        title="用例名称", description="写明所验证的情形和日期，如 国庆节前受理，第20个工作日答复，按期"
    )
    as_of: Annotated[dt.datetime | dt.date, BeforeValidator(officer_instant)] = Field(
        title="判定时刻", description="只写日期表示当日结束时 / a date alone means the end of that day"
    )
    defaults: dict[str, Any] = Field(
        default_factory=dict,
        title="事件默认字段",
        description="并入每个事件，如 {body: 示例市司法局} / merged into every event",
    )
    events: list[dict[str, Any]] = Field(
        title="事件", description="每个事件写 type、subject、time / the events"
    )
    expect: list[dict[str, Any]] = Field(
        default_factory=list,
        title="应得结论",
        description="按所写的键比对："
        "rule、subject、status、deadline、severity、period、overdue_by、body、"
        "department；[] 表示没有结论 / findings expected, matched on the keys given",
    )
    rules: list[str] | None = Field(
        default=None,
        title="只看这些规则",
        description="在 *.test.yaml 中：只比对这些规则编号的结论 / only these rules' findings",
    )


class Rule(Strict):
    id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        title="规则编号",
        description="稳定不变，只用字母、"
        "数字和 . _ -；同一义务的各版本共用编号，施行期间不重叠 / stable identifier; versions share it",
    )
    title: str = Field(
        title="标题", description="用业务人员的话写明义务，如 依申请公开应自收到申请之日起20个工作日内答复"
    )
    source: Source = Field(title="出处")
    severity: Literal[SEVERITIES] = Field(
        default="error",
        title="严重程度",
        description="error 法定义务；warning 本地目标；info 提示 "
        "/ error (statutory), warning (local target), info",
    )
    effective: Effective = Field(default_factory=Effective, title="施行期间")
    applies_to: dict[str, Any] = Field(
        default_factory=dict,
        title="适用范围",
        description="按触发事件的字段筛选："
        "值、值的列表，或 {not: ..}、{in: [..]}、{exists: true} "
        "/ structured match on event fields and attributes",
    )
    reading: str | None = Field(
        default=None, title="解读", description="对含义不明的原文如何理解 / how the rule reads it"
    )
    warn_within: PeriodText | None = Field(
        default=None,
        title="提前提示",
        description="到期前多久提示即将到期，如 2wd / due-soon window for this rule (default: --warn-within)",
    )
    tests: list[TestCase] = Field(default_factory=list, title="测试用例")

    def event_types(self) -> set[str]:
        raise NotImplementedError
