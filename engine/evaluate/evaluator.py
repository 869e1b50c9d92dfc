"""One evaluator per rule kind over a shared context: what each kind of rule means, event by event.

The pipeline (engine/pipeline.py) feeds each rule's evaluator, in time order, the events the screen kept
for it. Memory: per-subject state lives only while a clock is open (deadline, span rules) plus per-body
counters (count, yearly rules) and link targets; events themselves are not retained here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..calendar import Period, WorkCalendar
from ..model.events import Event
from ..model.findings import Finding
from ..model.rules import (
    CountRule,
    DeadlineRule,
    DueByRule,
    FieldsRule,
    OrderRule,
    RatioRule,
    RecurrenceRule,
    SpanRule,
    TaskListRule,
)
from ..ruleset.loader import RuleSet
from ..tally import ObligationCounts
from .context import QUIET, Context
from .deadline import DeadlineEvaluator
from .fields import FieldsEvaluator
from .order import OrderEvaluator
from .periodic import CountEvaluator, DueByEvaluator
from .ratio import RatioEvaluator
from .recurrence import RecurrenceEvaluator
from .span import SpanEvaluator
from .tasks import TaskListEvaluator

EVALUATORS = {
    DeadlineRule: DeadlineEvaluator,
    SpanRule: SpanEvaluator,
    CountRule: CountEvaluator,
    DueByRule: DueByEvaluator,
    TaskListRule: TaskListEvaluator,
    FieldsRule: FieldsEvaluator,
    OrderRule: OrderEvaluator,
    RecurrenceRule: RecurrenceEvaluator,
    RatioRule: RatioEvaluator,
}


@dataclass
class AuditResult:
    findings: list[Finding]
    as_of: dt.datetime
    events_evaluated: int
    events_after_as_of: int
    outcomes: list[Finding] = field(default_factory=list)  # including on-time and pending, for explain
    task_board: list[dict] = field(default_factory=list)  # every task of every task list, with its status
    obligations: ObligationCounts = field(default_factory=ObligationCounts)  # every obligation judged


class Evaluation:
    """One evaluator per rule over a shared context: fed events in time order, then finished.

    keep_outcomes also keeps the quiet outcomes (on time, pending, met); explain_all (default: the same)
    writes the counting steps for those too, which only `explain` needs.
    """

    def __init__(
        self,
        ruleset: RuleSet,
        calendar: WorkCalendar,
        as_of: dt.datetime,
        warn_within: Period,
        keep_outcomes: bool = False,
        explain_all: bool | None = None,
    ):
        self.as_of, self.keep_outcomes = as_of, keep_outcomes
        self.ctx = Context(
            calendar,
            as_of,
            warn_within,
            keep_quiet=keep_outcomes,
            explain_quiet=keep_outcomes if explain_all is None else explain_all,
            event_types=ruleset.event_types,
            parents=ruleset.parents,
        )
        self.evaluators = [EVALUATORS[type(r.rule)](r, self.ctx) for r in ruleset.rules]
        index = {id(r): i for i, r in enumerate(ruleset.rules)}
        self.by_type = {
            t: [self.evaluators[index[id(r)]] for r in rules] for t, rules in ruleset.by_type.items()
        }
        self.observers = [e for e in self.evaluators if hasattr(e, "observe")]

    def feed(self, event: Event) -> None:
        """Every interested rule sees the event (the event is at or before as-of)."""
        active = self.ctx.active_years
        years = active.get(event.body)
        if years is None:
            years = active[event.body] = set()
        years.add(event.time.year)
        for observer in self.observers:
            observer.observe(event)
        for evaluator in self.by_type.get(event.type, ()):
            evaluator.feed(event)

    def finish(self, seen: int, later: int) -> AuditResult:
        for evaluator in self.evaluators:
            evaluator.finish()
        ctx = self.ctx
        findings = sorted((f for f in ctx.outcomes if f.status not in QUIET), key=Finding.sort_key)
        return AuditResult(
            findings,
            self.as_of,
            seen,
            later,
            ctx.outcomes if self.keep_outcomes else [],
            ctx.task_board,
            ctx.obligations,
        )
