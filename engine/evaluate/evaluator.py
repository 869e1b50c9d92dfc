"""One pass over time-sorted events, dispatched by type to one evaluator per rule.

Memory: per-subject state lives only while a clock is open (deadline, span rules) plus per-body
counters (count, yearly rules) and link targets; events themselves are not retained here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from ..calendar import Period, WorkCalendar
from ..errors import ShixianError
from ..model.events import Event
from ..model.findings import Finding
from ..model.rules import CountRule, DeadlineRule, DueByRule, FieldsRule, SpanRule, TaskListRule
from ..ruleset.loader import RuleSet
from .context import QUIET, Context
from .deadline import DeadlineEvaluator
from .fields import FieldsEvaluator
from .periodic import CountEvaluator, DueByEvaluator
from .span import SpanEvaluator
from .tasks import TaskListEvaluator

EVALUATORS = {DeadlineRule: DeadlineEvaluator, SpanRule: SpanEvaluator, CountRule: CountEvaluator,
              DueByRule: DueByEvaluator, TaskListRule: TaskListEvaluator, FieldsRule: FieldsEvaluator}


@dataclass
class AuditResult:
    findings: list[Finding]
    as_of: dt.datetime
    events_evaluated: int
    events_after_as_of: int
    outcomes: list[Finding] = field(default_factory=list)  # including on-time and pending, for explain
    task_board: list[dict] = field(default_factory=list)  # every task of every task list, with its status


def evaluate(ruleset: RuleSet, events: Iterable[Event], calendar: WorkCalendar, as_of: dt.datetime,
             warn_within: Period = Period(2, "wd"), keep_outcomes: bool = False,
             explain_all: bool | None = None, presorted: bool = False) -> AuditResult:
    """Evaluate every rule over `events` as of `as_of`. Events after as_of are not seen.

    keep_outcomes also returns the quiet outcomes (on time, pending); explain_all (default: the same)
    writes the counting steps for those too, which only `explain` needs.
    """
    ctx = Context(calendar, as_of, warn_within, keep_quiet=keep_outcomes,
                  explain_quiet=keep_outcomes if explain_all is None else explain_all)
    evaluators = {id(r): EVALUATORS[type(r.rule)](r, ctx) for r in ruleset.rules}
    by_type = {t: [evaluators[id(r)] for r in rules] for t, rules in ruleset.by_type.items()}
    observers = [e for e in evaluators.values() if hasattr(e, "observe")]
    ordered = _in_time_order(events) if presorted else sorted(events, key=lambda e: e.time)
    seen = later = 0
    active = ctx.active_years
    for event in ordered:
        if event.time > as_of:
            later += 1
            continue
        seen += 1
        years = active.get(event.body)
        if years is None:
            years = active[event.body] = set()
        years.add(event.time.year)
        for observer in observers:
            observer.observe(event)
        for evaluator in by_type.get(event.type, ()):
            evaluator.feed(event)
    for evaluator in evaluators.values():
        evaluator.finish()
    findings = sorted((f for f in ctx.outcomes if f.status not in QUIET), key=Finding.sort_key)
    return AuditResult(findings, as_of, seen, later, ctx.outcomes if keep_outcomes else [], ctx.task_board)


def _in_time_order(events: Iterable[Event]) -> Iterator[Event]:
    """Pass events through as they come (a stream), refusing one that goes back in time."""
    last = None
    for event in events:
        if last is not None and event.time < last.time:
            raise ShixianError(f"{event.origin}: event {event.id} at {event.time.isoformat()} comes before "
                               f"{last.origin} ({last.time.isoformat()}); the log is not in time order "
                               f"(audit without --sorted, or sort it first)")
        last = event
        yield event
