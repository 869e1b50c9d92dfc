"""Rule files as typed data (pydantic). Independent of how rules are executed: the batch evaluator
and the live monitor both read these objects. The JSON Schema for editors is generated from here."""
from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..calendar import Conventions, Period

PERIOD_PATTERN = r"^\d{1,5}(wd|d|h|m|y)$"
PeriodText = Annotated[str, Field(pattern=PERIOD_PATTERN, description="a whole number and a unit: d (days), "
                                  "wd (working days), h (hours), m (months), y (years), e.g. 7d, 3wd, 5h")]
EventType = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$",
                                 description="an event type from rules/event-types.yaml, e.g. document.published")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(Strict):
    """Where the obligation comes from, quoted so a reader can check it against the original."""

    document: str = Field(description="the document, e.g. 《中华人民共和国政府信息公开条例》（国务院令第711号）")
    article: str = Field(description="article or item, e.g. 第三十三条, 第（四）项, item 11")
    text: str = Field(description="the quoted words the rule implements")
    url: str | None = None


class Effective(Strict):
    """Dates between which the rule is in force (inclusive); the trigger's date decides."""

    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Effective:
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        return self

    def contains(self, day: dt.date) -> bool:
        return (self.from_ is None or day >= self.from_) and (self.to is None or day <= self.to)

    def overlaps(self, other: Effective) -> bool:
        lo = max(self.from_ or dt.date.min, other.from_ or dt.date.min)
        hi = min(self.to or dt.date.max, other.to or dt.date.max)
        return lo <= hi


class Counting(Strict):
    """Calendar conventions for one rule (defaults: Civil Code arts. 201-203)."""

    roll: bool = Field(default=True, description="move a rest-day last day to the next working day (art. 203)")
    start: Literal["strict", "next-working"] = Field(
        default="strict", description="strict: the start day is not counted; next-working: a rest-day start "
                                      "counts from the next working day (deemed received then)")
    closing: dt.time | None = Field(default=None, description="closing time of the last day instead of 24:00")

    @field_validator("closing", mode="before")
    @classmethod
    def _closing_text(cls, value: Any) -> Any:
        if isinstance(value, int):  # YAML 1.1 reads 17:30 as a sexagesimal integer
            return dt.time(value // 60, value % 60)
        return value

    def conventions(self) -> Conventions:
        return Conventions(roll=self.roll, start=self.start, closing=self.closing)


class Pause(Strict):
    """The clock stops at `on` and runs again at `resume` (e.g. third-party consultation, art. 33)."""

    on: EventType
    resume: EventType


class Extend(Strict):
    """An approved extension adds up to `max` (the event may carry `days`), at most `times` times."""

    on: EventType
    max: PeriodText
    times: int = Field(default=1, ge=1)


class TestCase(Strict):
    """Given these events, as of this moment, expect exactly these findings of the rule (or file)."""

    name: str
    as_of: dt.datetime | dt.date = Field(description="a date alone means the end of that day")
    defaults: dict[str, Any] = Field(default_factory=dict, description="fields merged into every event, e.g. body")
    events: list[dict[str, Any]]
    expect: list[dict[str, Any]] = Field(default_factory=list, description="findings expected, each matched on "
                                         "the keys given: rule, subject, status, deadline, severity, period, overdue_by")
    rules: list[str] | None = Field(default=None, description="in a *.test.yaml file: only these rule ids' findings")


class Task(Strict):
    """One item of a work plan with its completion date, as data."""

    id: str
    item: str = Field(description="item number as written, e.g. (十三), 23")
    title: str
    lead: list[str] = Field(default_factory=list, description="牵头部门")
    responsible: list[str] = Field(default_factory=list, description="责任部门")
    phrase: str | None = Field(default=None, description="the completion phrase as written, e.g. 3月中旬")
    due: dt.date | None = Field(default=None, description="the date the phrase reads as; none for 按期/定期")
    line: int | None = Field(default=None, description="line of the plan's text it was read from")
    source: str | None = Field(default=None, description="the item's words as written")


class Rule(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", description="stable identifier; versions of one "
                    "obligation share it with non-overlapping effective dates")
    title: str = Field(description="Chinese title as a compliance officer would say it")
    source: Source
    severity: Literal["error", "warning", "info"] = "error"
    effective: Effective = Field(default_factory=Effective)
    applies_to: dict[str, Any] = Field(default_factory=dict, description="structured match on event fields and "
                                       "attributes: value, list of values, or {not: ..}, {in: [..]}, {exists: bool}")
    reading: str | None = Field(default=None, description="how the rule reads ambiguous text")
    warn_within: PeriodText | None = Field(default=None, description="due-soon window for this rule "
                                           "(default: the audit's --warn-within)")
    tests: list[TestCase] = Field(default_factory=list)

    def event_types(self) -> set[str]:
        raise NotImplementedError


class DeadlineRule(Rule):
    kind: Literal["deadline"]
    trigger: EventType
    fulfil: EventType
    within: PeriodText
    fulfil_link: str | None = Field(default=None, description="attribute of the fulfilling event that names the "
                                    "trigger's subject (default: the same subject)")
    pause: list[Pause] = Field(default_factory=list)
    restart: EventType | None = Field(default=None, description="event that restarts the period (e.g. 补正)")
    extend: Extend | None = None
    optional: bool = Field(default=False, description="only a late fulfilment is a finding; none at all is fine")
    counting: Counting = Field(default_factory=Counting)

    @cached_property
    def period(self) -> Period:
        return Period.parse(self.within)

    def event_types(self) -> set[str]:
        types = {self.trigger, self.fulfil}
        types.update(t for p in self.pause for t in (p.on, p.resume))
        if self.restart:
            types.add(self.restart)
        if self.extend:
            types.add(self.extend.on)
        return types


class SpanRule(Rule):
    kind: Literal["min_span"]
    start: EventType
    end: EventType
    at_least: PeriodText

    @cached_property
    def period(self) -> Period:
        return Period.parse(self.at_least)

    def event_types(self) -> set[str]:
        return {self.start, self.end}


class CountRule(Rule):
    kind: Literal["count"]
    event: EventType
    at_least: int = Field(ge=1)
    per: Literal["year", "quarter", "month"] = "year"

    def event_types(self) -> set[str]:
        return {self.event}


class DueDate(Strict):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    years_after: int = Field(default=1, ge=0, description="0: the same year; 1: the next year (annual report)")


class DueByRule(Rule):
    kind: Literal["due_by"]
    event: EventType
    period_field: str = Field(default="year", description="attribute of the event naming the year it is for")
    due: DueDate
    roll: bool = Field(default=False, description="'X月X日前' is on or before that date: no roll unless set")

    def event_types(self) -> set[str]:
        return {self.event}


class TaskListRule(Rule):
    kind: Literal["task_list"]
    event: EventType = "task.completed"
    tasks: list[Task]
    body: str = Field(description="the body whose plan this is (机关)")

    def event_types(self) -> set[str]:
        return {self.event}


class Link(Strict):
    field: str = Field(description="attribute naming the linked subject")
    to: EventType = Field(description="the linked subject must have an event of this type")


class FieldsRule(Rule):
    kind: Literal["required_fields"]
    event: EventType
    fields: list[str] = Field(default_factory=list)
    link: Link | None = None

    @model_validator(mode="after")
    def _something_required(self) -> FieldsRule:
        if not self.fields and not self.link:
            raise ValueError("give 'fields', 'link' or both")
        return self

    def event_types(self) -> set[str]:
        return {self.event} | ({self.link.to} if self.link else set())


AnyRule = Annotated[DeadlineRule | SpanRule | CountRule | DueByRule | TaskListRule | FieldsRule,
                    Field(discriminator="kind")]


class TestFile(Strict):
    """A `*.test.yaml` file: cases run against every rule loaded from the same paths."""

    cases: list[TestCase]


class RuleFile(Strict):
    """One YAML file: a pack of rules from one source document."""

    pack: str = Field(description="the pack's name, e.g. national-ogi")
    description: str | None = None
    event_types: dict[str, str] = Field(default_factory=dict, description="extra event types this pack uses, "
                                        "with their Chinese names")
    rules: list[AnyRule]
