"""A rule file as the loader validates it: the union of every kind (discriminated by `kind`, the union the
editors' JSON Schema is generated from), the kinds' Chinese names, and the `*.test.yaml` file.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .common import TestCase
from .deadline import DeadlineRule, SpanRule
from .field_types import Strict
from .periodic import CountRule, DueByRule, TaskListRule
from .ratio import RatioRule
from .required_fields import FieldsRule
from .sequence import OrderRule, RecurrenceRule

AnyRule = Annotated[
    DeadlineRule
    | SpanRule
    | CountRule
    | DueByRule
    | TaskListRule
    | FieldsRule
    | OrderRule
    | RecurrenceRule
    | RatioRule,
    Field(discriminator="kind"),
]
KIND_ZH = {
    "deadline": "期限",
    "min_span": "最短间隔",
    "count": "次数",
    "due_by": "每年固定日期前",
    "task_list": "任务清单",
    "required_fields": "要素齐全",
    "order": "先后顺序",
    "recurrence": "持续发生",
    "ratio": "比例",
}


class TestFile(Strict):
    """`*.test.yaml` 测试文件：用例针对同一路径下载入的全部规则运行。"""

    cases: list[TestCase] = Field(title="测试用例")


class RuleFile(Strict):
    """规则文件：一个来源文件的一组规则（规则包）。One YAML file: a pack of rules from one source document."""

    pack: str = Field(title="规则包名称", description="如 national-ogi-2019 / the pack's name")
    description: str | None = Field(default=None, title="说明")
    event_types: dict[str, str] = Field(
        default_factory=dict,
        title="新增事件类型",
        description="本包新增的事件类型及中文名，如 {report.filed: 报告报送} "
        "/ extra event types this pack uses",
    )
    choose: dict[str, str] = Field(
        default_factory=dict,
        title="选用解读",
        description="规则编号 -> 该规则 options "
        "中的解读名称，如 {ogi.request-reply: supplement-restart}；不写则照原文 "
        "/ rule id -> the name of one of its reading options",
    )
    bodies: dict[str, list[str]] = Field(
        default_factory=dict,
        title="下级机关",
        description="上级机关及其下级机关，"
        "如 {江苏省司法厅: [江苏省监狱管理局, 江苏省戒毒管理局]}；规则可写 applies_to: "
        "{body: {under: 江苏省司法厅}}，下级机关的结论在报告中汇总到上级 "
        "/ subordinate bodies of a parent, for rules and roll-up",
    )
    rules: list[AnyRule] = Field(title="规则")
