"""Rule files as typed data (pydantic). Independent of how rules are executed: the batch evaluator and
the live monitor both read these objects. The JSON Schema for editors is generated from here, so each
field's Chinese title and description is what an officer's editor shows as a tooltip.

One module per job: `field_types` (periods, event types and dates as officers write them), `common` (what
every kind has: source, effective dates, severity, test cases, counting conventions), `deadline` (deadline
and min_span), `periodic` (count, due_by, task_list), `required_fields`, `sequence` (order, recurrence),
`ratio`, and `rule_file` (the union of kinds the loader validates, and the files around it). Callers
import from `engine.model.rules`, which names them all.
"""

from .common import Counting, Effective, Rule, Source, TestCase
from .deadline import DeadlineRule, Extend, Pause, ReadingOption, SpanRule
from .field_types import Day, EventType, PeriodText, Strict
from .periodic import CountRule, DueByRule, DueDate, Task, TaskListRule
from .ratio import Figures, RatioRule, percent_text
from .required_fields import FieldsRule, Link
from .rule_file import KIND_ZH, AnyRule, RuleFile, TestFile
from .sequence import OrderRule, RecurrenceRule

__all__ = [
    "KIND_ZH",
    "AnyRule",
    "CountRule",
    "Counting",
    "Day",
    "DeadlineRule",
    "DueByRule",
    "DueDate",
    "Effective",
    "EventType",
    "Extend",
    "FieldsRule",
    "Figures",
    "Link",
    "OrderRule",
    "Pause",
    "PeriodText",
    "RatioRule",
    "ReadingOption",
    "RecurrenceRule",
    "Rule",
    "RuleFile",
    "Source",
    "SpanRule",
    "Strict",
    "Task",
    "TaskListRule",
    "TestCase",
    "TestFile",
    "percent_text",
]
