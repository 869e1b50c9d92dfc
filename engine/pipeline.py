"""The one pipeline every judgement goes through: events → frame → screen → per-kind evaluators → findings.

An audit of any size, a Dask shard, `check`, `explain`, a rule file's own tests and the workbench all call
`judge`, so a change to what the law means is made once and every path sees it. The steps:

- the events, read from files into columns (engine/columnar/frame.py) or given as objects (a plan, a rule
  test: engine/columnar/given.py), as one `Frame`;
- the screen (engine/columnar/screen.py) sets aside what provably ends quiet and judges simple deadlines in
  columns; when the quiet outcomes are wanted (`keep_outcomes`: explain, a plan's obligations, the
  workbench) it sets aside nothing that would have one, so for a few events given as objects (`FEW`: a
  plan's check) it is skipped and every event fed to every interested rule, the same result without the
  cost of a frame;
- each rule's evaluator (engine/evaluate/) is fed, in time order, only the events the screen kept for it;
- the findings: those the evaluators wrote, and those of the obligations judged in columns (verdicts.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .calendar import Period, WorkCalendar
from .columnar.frame import EPOCH, Frame, read_frame
from .columnar.given import events_frame
from .columnar.screen import attributes_read, screen
from .columnar.verdicts import write_findings
from .columnar.view import View, active_years
from .evaluate import AuditResult
from .evaluate.evaluator import Evaluation
from .gcpause import gc_paused
from .model.events import Event
from .ruleset.loader import RuleSet

BATCH = 1 << 16  # events built as objects at a time
# Up to this many events given as objects with every outcome kept (a plan's check, explain of a few events),
# the screen is skipped and every event fed to every interested rule: with the quiet outcomes kept the
# screen could set aside only events with no outcome at all, so the result is the same, and building a frame
# costs ~13 ms against ~0.4 ms for a whole check (bench/RESULTS.md, issue 15).
FEW = 64


def read(ruleset: RuleSet, paths) -> Frame:
    """Event files as one frame, with the attributes the screen reads as columns."""
    return read_frame(paths, ruleset.event_types, attributes_read(ruleset))


def judge(
    ruleset: RuleSet,
    calendar: WorkCalendar,
    source: Frame | Iterable[Event],
    as_of: dt.datetime,
    warn_within: Period = Period(2, "wd"),
    keep_outcomes: bool = False,
    explain_all: bool | None = None,
    subjects: Collection[str] | None = None,
    open_subjects: set[str] | None = None,
    judge_only: tuple[set[str], pa.Array] | None = None,
) -> AuditResult:
    """Judge every rule over the events (a Frame, or Events already built: each is judged, repeated ids
    too) as of `as_of`; events after it are counted, not seen.

    keep_outcomes also returns the quiet outcomes (on time, pending, met); explain_all (default: the same)
    writes the counting steps for those too, which only `explain` needs.

    subjects: judge only these subjects, over their whole history: the events of the bodies they appear in
    are judged (every rule is judged within one body, which the Dask split relies on too) and only the
    findings and outcomes about these subjects are returned; the counts are of the events judged.

    open_subjects: a set to fill with the subjects whose findings can change with time alone (Context).
    judge_only (rule ids, subjects): those rules are fed only those subjects' events (an incremental run
    keeps the rules' other findings from the previous run, engine/state/incremental.py).
    """
    if not isinstance(source, Frame):
        events = list(source)
        if keep_outcomes and len(events) <= FEW and subjects is None:
            return _each_event(ruleset, calendar, events, as_of, warn_within, explain_all)
        source = events_frame(ruleset, events)
    with gc_paused():  # builds many findings and few reference cycles (engine/gcpause.py)
        result = _judge(
            ruleset,
            calendar,
            source,
            as_of,
            warn_within,
            keep_outcomes,
            explain_all,
            subjects,
            open_subjects,
            judge_only,
        )
    if subjects is not None:
        wanted = set(subjects)
        result.findings = [f for f in result.findings if f.subject in wanted]
        result.outcomes = [o for o in result.outcomes if o.subject in wanted]
    return result


def _each_event(
    ruleset: RuleSet,
    calendar: WorkCalendar,
    events: list[Event],
    as_of: dt.datetime,
    warn_within: Period,
    explain_all: bool | None,
) -> AuditResult:
    run = Evaluation(ruleset, calendar, as_of, warn_within, True, explain_all)
    seen = 0
    for event in sorted(events, key=lambda e: e.time):
        if event.time <= as_of:
            seen += 1
            run.feed(event)
    return run.finish(seen, len(events) - seen)


def _judge(
    ruleset: RuleSet,
    calendar: WorkCalendar,
    frame: Frame,
    as_of: dt.datetime,
    warn_within: Period,
    keep_outcomes: bool,
    explain_all: bool | None,
    subjects: Collection[str] | None,
    open_subjects: set[str] | None = None,
    judge_only: tuple[set[str], pa.Array] | None = None,
) -> AuditResult:
    as_of_us = (as_of - EPOCH) // dt.timedelta(microseconds=1)
    seen = frame.instant <= as_of_us
    later = ~seen
    if subjects is not None:
        theirs = _of_their_bodies(frame, subjects)
        seen, later = seen & theirs, later & theirs
    within = np.flatnonzero(seen)
    order = within[np.lexsort((frame.seq[within], frame.instant[within]))]
    view = View(frame, order, sorted(ruleset.event_types))
    run = Evaluation(ruleset, calendar, as_of, warn_within, keep_outcomes, explain_all)
    run.ctx.open_subjects = open_subjects
    run.ctx.active_years.update(active_years(view))
    routes = screen(ruleset, view, run.ctx)
    if judge_only is not None:
        rule_ids, wanted_subjects = judge_only
        wanted = pc.is_in(view.take("subject", np.arange(view.n)), value_set=wanted_subjects)
        wanted = wanted.fill_null(False).to_numpy(zero_copy_only=False)
        routes = [
            (feed & wanted if loaded.id in rule_ids else feed, observe, verdicts)
            for loaded, (feed, observe, verdicts) in zip(ruleset.rules, routes)
        ]
    # one column per call an event may need: observers first, then feeds, in rule order
    calls, masks = [], []
    for evaluator, (_, observe, _) in zip(run.evaluators, routes):
        if observe is not None:
            calls.append(evaluator.observe)
            masks.append(observe)
    for evaluator, (feed, _, _) in zip(run.evaluators, routes):
        calls.append(evaluator.feed)
        masks.append(feed)
    if masks:
        _call_each(frame, view, ruleset, calls, np.stack(masks, axis=1))
    for loaded, (_, _, verdicts) in zip(ruleset.rules, routes):
        if verdicts is not None:
            write_findings(run.ctx, loaded, view, verdicts)
    return run.finish(len(order), int(np.count_nonzero(later)))


def _of_their_bodies(frame: Frame, subjects: Collection[str]) -> np.ndarray:
    """Rows of the bodies in which any of the subjects has an event."""
    mine = pc.is_in(frame.column("subject"), value_set=pa.array(list(subjects), pa.string()))
    bodies = pc.unique(frame.column("body").filter(mine))
    return pc.is_in(frame.column("body"), value_set=bodies).to_numpy(zero_copy_only=False)


def _call_each(frame: Frame, view: View, ruleset: RuleSet, calls: list, matrix: np.ndarray) -> None:
    """Each event any rule kept, built once and passed to the calls its row of `matrix` names, in time
    order. Events needing the same calls share one plan (few distinct patterns among many events)."""
    units = np.flatnonzero(matrix.any(axis=1))
    packed = np.packbits(matrix[units], axis=1)
    patterns, which = np.unique(packed, axis=0, return_inverse=True)
    plans = [[calls[j] for j in np.flatnonzero(np.unpackbits(p)[: len(calls)])] for p in patterns]
    which = which.reshape(-1)
    for start in range(0, len(units), BATCH):
        part = units[start : start + BATCH]
        events = frame.events(view.order[part], ruleset.event_types)
        for event, plan in zip(events, which[start : start + BATCH].tolist()):
            for call in plans[plan]:
                call(event)
