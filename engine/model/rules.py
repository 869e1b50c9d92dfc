"""Rule files as typed data (pydantic). Independent of how rules are executed: the batch evaluator
and the live monitor both read these objects. The JSON Schema for editors is generated from here, so
each field's Chinese title and description is what an officer's editor shows as a tooltip.

Fields are strict (no `effective: {from: 0}` read as 1970-01-01, no `roll: 1` read as true). The only
readings applied are the officer forms with one meaning: `20日`/`3个工作日`/`5小时`/`1个月` periods
(engine.calendar.period) and `2025/1/1`/`2025年1月1日` dates (engine.timeparse).

Longer than our usual module on purpose: every rule kind is a class of the one discriminated union the
loader validates and the editors' JSON Schema is generated from; kept in one file, a kind's fields, titles
and checks are read where the union is.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..calendar import Conventions, Period
from ..calendar.period import normalise_period_text
from ..errors import InputError
from ..timeparse import parse_officer_date, parse_officer_instant

PERIOD_PATTERN = r"^\d{1,5}(wd|d|h|m|y)$"
EVENT_TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
PERCENT_PATTERN = r"^\d{1,3}(\.\d{1,4})?%$"


def _period_text(value: Any) -> Any:
    if isinstance(value, str):
        return normalise_period_text(value) or value
    return value


def _period_bounded(value: str) -> str:
    """A period within the calendar's limits (engine.calendar.period.LIMITS): `9000y` fails here, not in audits."""
    try:
        Period.parse(value)
    except InputError as exc:
        raise _custom("period_too_long", str(exc)) from None
    return value


def _custom(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message.replace("{", "{{").replace("}", "}}"))


def _day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_officer_date(value)
        except InputError as exc:
            raise _custom("bad_date", str(exc)) from None
    if isinstance(value, dt.datetime):
        raise _custom(
            "bad_date",
            f"这里只要日期，不要时间：{value.isoformat()}，应写成 {value.date().isoformat()} "
            "(a date without a time)",
        )
    return value


def _instant(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_officer_instant(value)[0]
        except InputError as exc:
            raise _custom("bad_date", str(exc)) from None
    return value


PeriodText = Annotated[
    str,
    BeforeValidator(_period_text),
    Field(
        pattern=PERIOD_PATTERN,
        title="期限 (period)",
        description="数字加单位：d 日、wd 工作日、h 小时、m 月、y 年，如 7d、3wd、5h；也可写 20日、3个工作日、5小时、1个月。"
        " / a whole number and a unit: d (days), wd (working days), h (hours), m (months), y (years)",
    ),
    AfterValidator(_period_bounded),
]
EventType = Annotated[
    str,
    Field(
        pattern=EVENT_TYPE_PATTERN,
        title="事件类型 (event type)",
        description="rules/event-types.yaml 中的事件类型，如 document.published（文件公开发布）"
        " / an event type from rules/event-types.yaml",
    ),
]
Day = Annotated[dt.date, BeforeValidator(_day)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


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
                raise _custom(
                    "bad_time", f'截止时间 {value!r} 应写成 时:分，如 "17:30" (expected HH:MM)'
                ) from None
        return value

    def conventions(self) -> Conventions:
        return Conventions(roll=self.roll, start=self.start, closing=self.closing)


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


class TestCase(Strict):
    """测试用例：给定这些事件，截至这一时刻，应恰好得到这些结论。Given these events, expect exactly these findings."""

    name: str = Field(
        title="用例名称", description="写明所验证的情形和日期，如 国庆节前受理，第20个工作日答复，按期"
    )
    as_of: Annotated[dt.datetime | dt.date, BeforeValidator(_instant)] = Field(
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
    severity: Literal["error", "warning", "info"] = Field(
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
