"""The columnar audit: read into columns, screen (settling and judging what it can in columns), and feed
the rest to the row-by-row evaluators.

Same inputs, same AuditResult as `engine.evaluate.evaluate` over `read_events` (differential tests in
tests/test_columnar.py); it is faster because most events are settled in columns (see screen.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..calendar import Period, WorkCalendar
from ..evaluate import AuditResult
from ..evaluate.evaluator import Evaluation
from ..gcpause import gc_paused
from ..model.events import CORE_FIELDS, Event
from ..ruleset.loader import RuleSet
from .frame import EPOCH, Frame, FrameReader, read_frame
from .screen import View, active_years, attributes_read, screen
from .verdicts import write_findings

BATCH = 1 << 16


def read(ruleset: RuleSet, paths) -> Frame:
    return read_frame(paths, ruleset.event_types, attributes_read(ruleset))


def events_frame(ruleset: RuleSet, events: list[Event]) -> Frame:
    """Events already built (a rule test, a request, a hand-written case) as a frame: those a log line could
    have given as a plain row go into columns (from the texts that line would have), the rest stay as they
    are, so the screen settles and judges them exactly as it does a log's."""
    plain, odd = [], []
    kinds: dict[str, set[type]] = {}
    for k, event in enumerate(events):
        record = _plain_record(event)
        if record is None:
            odd.append(k)
            continue
        plain.append((k, record))
        for name, value in record.items():
            kinds.setdefault(name, set()).add(type(value))
    mixed = {name for name, types in kinds.items() if len(types) > 1}  # one type per column: else row by row
    if mixed:
        odd += [k for k, record in plain if mixed.intersection(record)]
        plain = [(k, record) for k, record in plain if not mixed.intersection(record)]
    reader = FrameReader(None, attributes_read(ruleset))
    if plain:
        names = list(dict.fromkeys(name for _, record in plain for name in record))
        table = pa.table({name: [record.get(name) for _, record in plain] for name in names})
        rows = np.array([k for k, _ in plain], np.int64)
        reader.add_table(table, "events", rows + 1, rows)
    for k in sorted(odd):
        reader.odd.append((k, "events", k + 1, events[k].to_json(), events[k]))
        reader.log.lines += 1
    return reader.frame()


def _plain_record(event: Event) -> dict | None:
    """The record of a log line that reads back as `event` in columns (naive Shanghai time to the second,
    core texts, attributes of text or whole numbers), or None when there is none."""
    time = event.time
    if getattr(time.tzinfo, "key", None) != "Asia/Shanghai" or time.microsecond or time.year < 1992:
        return None
    if event.date_only and (time.hour, time.minute, time.second) != (0, 0, 0):
        return None
    core = (event.id, event.type, event.subject, event.body)
    if not all(isinstance(v, str) and v for v in core) or not isinstance(event.department, str):
        return None
    record = {
        "id": event.id,
        "type": event.type,
        "subject": event.subject,
        "time": time.date().isoformat() if event.date_only else f"{time:%Y-%m-%dT%H:%M:%S}",
        "body": event.body,
        "department": event.department,
    }
    for name, value in event.attrs.items():
        if (
            name in CORE_FIELDS
            or name in ("tz", "attrs")
            or value in (None, "")
            or isinstance(value, bool)
            or not isinstance(value, (str, int))
            or (isinstance(value, int) and not -(2**63) <= value < 2**63)
        ):
            return None
        record[name] = value
    return record


def evaluate_frame(
    ruleset: RuleSet,
    frame: Frame,
    calendar: WorkCalendar,
    as_of: dt.datetime,
    warn_within: Period = Period(2, "wd"),
    open_subjects: set[str] | None = None,
    judge_only: tuple[set[str], pa.Array] | None = None,
) -> AuditResult:
    """open_subjects: a set to fill with the subjects whose findings can change with time alone (Context).
    judge_only (rule ids, subjects): those rules are fed only those subjects' events (an incremental run
    keeps the rules' other findings from the previous run, engine/state/incremental.py)."""
    with gc_paused():  # builds many findings and few reference cycles (engine/gcpause.py)
        return _evaluate(ruleset, frame, calendar, as_of, warn_within, open_subjects, judge_only)


def _evaluate(
    ruleset: RuleSet,
    frame: Frame,
    calendar: WorkCalendar,
    as_of: dt.datetime,
    warn_within: Period,
    open_subjects: set[str] | None = None,
    judge_only: tuple[set[str], pa.Array] | None = None,
) -> AuditResult:
    as_of_us = (as_of - EPOCH) // dt.timedelta(microseconds=1)
    within = np.flatnonzero(frame.instant <= as_of_us)
    order = within[np.lexsort((frame.seq[within], frame.instant[within]))]
    view = View(frame, order, sorted(ruleset.event_types))
    run = Evaluation(ruleset, calendar, as_of, warn_within)
    run.ctx.open_subjects = open_subjects
    run.ctx.active_years.update(active_years(view))
    routes = screen(ruleset, view, run.ctx)
    if judge_only is not None:
        rule_ids, subjects = judge_only
        wanted = pc.is_in(view.take("subject", np.arange(view.n)), value_set=subjects)
        wanted = wanted.fill_null(False).to_numpy(zero_copy_only=False)
        routes = [
            (feed & wanted if loaded.id in rule_ids else feed, observe, verdicts)
            for loaded, (feed, observe, verdicts) in zip(ruleset.rules, routes)
        ]
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
        plans = [[calls[j] for j in np.flatnonzero(np.unpackbits(p)[: len(calls)])] for p in patterns]
        which = which.reshape(-1)
        for start in range(0, len(units), BATCH):
            part = units[start : start + BATCH]
            events = frame.events(order[part], ruleset.event_types)
            for event, plan in zip(events, which[start : start + BATCH].tolist()):
                for call in plans[plan]:
                    call(event)
    for loaded, (_, _, verdicts) in zip(ruleset.rules, routes):
        if verdicts is not None:
            write_findings(run.ctx, loaded, view, verdicts)
    return run.finish(len(order), len(frame) - len(order))
