"""The columnar audit: read into columns, screen (settling and judging what it can in columns), and feed
the rest to the row-by-row evaluators.

Same inputs, same AuditResult as `engine.evaluate.evaluate` over `read_events` (differential tests in
tests/test_columnar.py); it is faster because most events are settled in columns (see screen.py).
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from ..calendar import Period, WorkCalendar
from ..evaluate import AuditResult
from ..evaluate.evaluator import Evaluation
from ..gcpause import gc_paused
from ..ruleset.loader import RuleSet
from .frame import EPOCH, Frame, read_frame
from .screen import View, active_years, attributes_read, screen
from .verdicts import write_findings

BATCH = 1 << 16


def read(ruleset: RuleSet, paths) -> Frame:
    return read_frame(paths, ruleset.event_types, attributes_read(ruleset))


def evaluate_frame(ruleset: RuleSet, frame: Frame, calendar: WorkCalendar, as_of: dt.datetime,
                   warn_within: Period = Period(2, "wd")) -> AuditResult:
    with gc_paused():  # builds many findings and few reference cycles (engine/gcpause.py)
        return _evaluate(ruleset, frame, calendar, as_of, warn_within)


def _evaluate(ruleset: RuleSet, frame: Frame, calendar: WorkCalendar, as_of: dt.datetime,
              warn_within: Period) -> AuditResult:
    as_of_us = (as_of - EPOCH) // dt.timedelta(microseconds=1)
    within = np.flatnonzero(frame.instant <= as_of_us)
    order = within[np.lexsort((frame.seq[within], frame.instant[within]))]
    view = View(frame, order, sorted(ruleset.event_types))
    run = Evaluation(ruleset, calendar, as_of, warn_within)
    run.ctx.active_years.update(active_years(view))
    routes = screen(ruleset, view, run.ctx)
    # one column per call an event may need: observers first, then feeds, in rule order (as Evaluation.feed)
    calls, masks = [], []
    for evaluator, (_feed, observe, _) in zip(run.evaluators, routes):
        if observe is not None:
            calls.append(evaluator.observe)
            masks.append(observe)
    for evaluator, (feed, _, _) in zip(run.evaluators, routes):
        calls.append(evaluator.feed)
        masks.append(feed)
    if masks:
        matrix = np.stack(masks, axis=1)
        units = np.flatnonzero(matrix.any(axis=1))
        packed = np.packbits(matrix[units], axis=1)
        patterns, which = np.unique(packed, axis=0, return_inverse=True)
        plans = [[calls[j] for j in np.flatnonzero(np.unpackbits(p)[:len(calls)])] for p in patterns]
        which = which.reshape(-1)
        for start in range(0, len(units), BATCH):
            part = units[start:start + BATCH]
            events = frame.events(order[part], ruleset.event_types)
            for event, plan in zip(events, which[start:start + BATCH].tolist()):
                for call in plans[plan]:
                    call(event)
    for loaded, (_, _, verdicts) in zip(ruleset.rules, routes):
        if verdicts is not None:
            write_findings(run.ctx, loaded, view, verdicts)
    return run.finish(len(order), len(frame) - len(order))

