"""The kinds judged per calendar period or against dates fixed in advance: `count` (at least N per year,
quarter, month or week), `due_by` (每年X月X日前) and `task_list` (a work plan's items, each by its date).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .common import Rule
from .field_types import Day, EventType, Strict


class Task(Strict):
    """工作要点中的一项任务及其完成时限。One item of a work plan with its completion date, as data."""

    id: str = Field(title="任务编号")
    item: str = Field(title="条目号", description="原文条目号，如 (十三)、23 / item number as written")
    title: str = Field(title="任务")
    lead: list[str] = Field(default_factory=list, title="牵头部门")
    responsible: list[str] = Field(default_factory=list, title="责任部门")
    phrase: str | None = Field(
        default=None, title="时限原文", description="如 3月中旬 / the phrase as written"
    )
    due: Day | None = Field(
        default=None,
        title="完成日期",
        description="时限原文读作的日期；按期、定期不写 / the date the phrase reads as; none for 按期/定期",
    )
    line: int | None = Field(
        default=None, title="原文行号", description="line of the plan's text it was read from"
    )
    source: str | None = Field(default=None, title="原文", description="the item's words as written")


class CountRule(Rule):
    """次数：每个机关每个周期至少发生 N 次（每年至少4次在线访谈）。"""

    kind: Literal["count"] = Field(title="规则种类", description="count 次数")
    event: EventType = Field(title="计数事件")
    at_least: int = Field(ge=1, title="至少次数")
    per: Literal["year", "quarter", "month", "week"] = Field(
        default="year",
        title="周期",
        description="year 每年、quarter 每季度、month 每月、week 每周（周一至周日）",
    )

    def event_types(self) -> set[str]:
        return {self.event}


class DueDate(Strict):
    month: int = Field(ge=1, le=12, title="月")
    day: int = Field(ge=1, le=31, title="日")
    years_after: int = Field(
        default=1,
        ge=0,
        le=10,
        title="相隔年数",
        description="0 当年；1 次年（年度报告） / 0: the same year; 1: the next year",
    )

    @model_validator(mode="after")
    def _every_year(self) -> DueDate:
        """A due day every year has: 2月30日 never comes and 2月29日 only in leap years, so such a rule would
        silently judge nothing (or only every fourth year)."""
        if self.day > (28 if self.month == 2 else 30 if self.month in (4, 6, 9, 11) else 31):
            raise ValueError(
                f"{self.month}月{self.day}日不是每年都有的日期，规则将无从判定；请写每年都有的日期，"
                f"如 {self.month}月{28 if self.month == 2 else 30}日 (not a day every year has)"
            )
        return self


class DueByRule(Rule):
    """每年固定日期前：Y 年度的事项在该日期前完成（每年1月31日前公布上一年度报告）。"""

    kind: Literal["due_by"] = Field(title="规则种类", description="due_by 每年固定日期前")
    event: EventType = Field(title="完成事件")
    period_field: str = Field(
        default="year",
        title="年度字段",
        description="事件中写明所属年度的属性 / attribute of the event naming the year it is for",
    )
    due: DueDate = Field(title="截止日")
    roll: bool = Field(
        default=False,
        title="末日顺延",
        description="“X月X日前”含当日、不顺延，除非写 true / no roll unless set",
    )

    def event_types(self) -> set[str]:
        return {self.event}


class TaskListRule(Rule):
    """任务清单：工作要点的每项任务在其时限前完成（task.completed，主体为任务编号）。"""

    kind: Literal["task_list"] = Field(title="规则种类", description="task_list 任务清单")
    event: EventType = Field(default="task.completed", title="完成事件")
    tasks: list[Task] = Field(title="任务")
    body: str = Field(title="机关", description="工作要点所属机关 / the body whose plan this is")

    def event_types(self) -> set[str]:
        return {self.event}
