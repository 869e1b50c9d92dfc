"""The `ratio` kind: a share per body, counted from events or taken from reported figures, at least a
threshold (80%的审批服务事项“网上办”); and how officers write a share.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, model_validator

from .common import Rule
from .field_types import PERCENT_PATTERN, Day, EventType, Strict


def percent_text(share: Fraction) -> str:
    """A share as officers write it: 80%, 66.7% (one decimal, rounded, when not whole)."""
    pct = share * 100
    return f"{pct.numerator}%" if pct.denominator == 1 else f"{float(pct):.1f}%"


class Figures(Strict):
    """报送的数字：事件属性中的分子和分母，或直接的百分数。Which attributes of a report hold its figures."""

    numerator: str | None = Field(
        default=None, title="分子属性", description="如 网上办事项数 / numerator attribute"
    )
    denominator: str | None = Field(
        default=None, title="分母属性", description="如 审批服务事项数 / denominator attribute"
    )
    value: str | None = Field(
        default=None,
        title="百分数属性",
        description="如 权重：写 4、4% 或 4.5 都读作百分数 / attribute holding a percentage",
    )

    @model_validator(mode="after")
    def _one_way(self) -> Figures:
        pair = self.numerator is not None and self.denominator is not None
        if (self.value is not None) == pair or (not pair and (self.numerator or self.denominator)):
            raise ValueError(
                "figures 写 value（百分数），或同时写 numerator 和 denominator（分子、分母），二选一 "
                "(give 'value', or both 'numerator' and 'denominator')"
            )
        return self


class RatioRule(Rule):
    """比例：每个机关的比例不低于阈值（80%的审批服务事项“网上办”；政务公开工作分值权重不低于4%）。

    The share comes from counted subjects (`where`: those whose latest event matches, among all with an event)
    or from reported figures (`figures`); judged at 24:00 of `by`, or at the end of each period (`per`)."""

    kind: Literal["ratio"] = Field(title="规则种类", description="ratio 比例")
    event: EventType = Field(
        title="事件", description="计数的对象事件（如 service.listed 事项发布），或报送数字的事件"
    )
    where: dict[str, Any] | None = Field(
        default=None,
        title="计入分子的条件",
        description="按各对象最近一次事件的属性"
        "筛选，写法同 applies_to，如 {网上办: 是}；与 figures 二选一 "
        "/ which subjects count, by their latest event",
    )
    figures: Figures | None = Field(
        default=None, title="报送数字", description="与 where 二选一 / reported figures"
    )
    at_least: str = Field(
        pattern=PERCENT_PATTERN, title="不低于", description="百分数，如 80%、4% / the threshold"
    )
    per: Literal["year", "quarter", "month", "week"] = Field(
        default="year", title="周期", description="不写 by 时，每期期末判定 / judged per period"
    )
    by: Day | None = Field(
        default=None,
        title="判定日期",
        description="在这一日24时判定一次（如“6月底前”写 2018-06-30），"
        "统计自施行之日起的事件 / judged once, at 24:00 of this day",
    )

    @model_validator(mode="after")
    def _one_source(self) -> RatioRule:
        if (self.where is None) == (self.figures is None):
            raise ValueError(
                "where（按对象计数）与 figures（报送数字）要写且只写一个 (give 'where' or 'figures')"
            )
        if self.by is not None and not self.effective.contains(self.by):
            raise ValueError(f"判定日期 by（{self.by}）不在施行期间内 ('by' is outside the effective dates)")
        return self

    @cached_property
    def threshold(self) -> Fraction:
        return Fraction(self.at_least[:-1]) / 100

    def event_types(self) -> set[str]:
        return {self.event}
