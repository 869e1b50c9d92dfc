"""The one typed model every part shares: rules (as loaded from YAML), events, findings."""

from .events import Event
from .findings import STATUSES, VIOLATIONS, Finding
from .rules import (
    AnyRule,
    CountRule,
    DeadlineRule,
    DueByRule,
    FieldsRule,
    OrderRule,
    RatioRule,
    RecurrenceRule,
    Rule,
    RuleFile,
    SpanRule,
    TaskListRule,
)

__all__ = [
    "AnyRule",
    "CountRule",
    "DeadlineRule",
    "DueByRule",
    "Event",
    "FieldsRule",
    "Finding",
    "OrderRule",
    "RatioRule",
    "RecurrenceRule",
    "Rule",
    "RuleFile",
    "STATUSES",
    "SpanRule",
    "TaskListRule",
    "VIOLATIONS",
]
