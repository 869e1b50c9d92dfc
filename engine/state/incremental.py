"""The incremental audit from the event store: re-judge only the subjects whose findings can have changed.

How it decides (README "The incremental audit"). Rules fall in two groups:

- *per subject* (deadline rules whose fulfilment is not linked from another subject, spans, orders, field
  rules without a link): a subject's findings depend only on its own events, the as-of moment, the rules and
  the calendar. With the events unchanged, they change with time alone only while an obligation is open
  (pending, due soon, overdue, paused; an order rule's event still without its predecessor, whose finding
  names as-of): every such subject is recorded by the run that judged it (`Context.open_subjects`, filled
  where the row evaluators and the columnar screen leave one open);
- *the rest* (counts, yearly and due-by rules, task lists, recurrences, ratios, linked fields and
  deadlines): judged in full every run, from every stored event of the types they read.

A run re-judges the subjects that, after the previous run, had an open obligation, an event later than its
as-of, or an event another rule group must see first (below); plus every subject with an event ingested
since. It reads those subjects' events and every event of the full-run rules' types (Parquet row filters on
each store file), evaluates them as a full run would, keeps the per-subject findings of exactly those
subjects and every finding of the other rules, and takes the previous run's per-subject findings of all other
subjects unchanged. The first events of each body (per year, and per value of the fields the full-run rules
filter on) are read too, so that what those rules derive from "the body's first event" and "the years with
events" is what a full run sees: each run records those events' subjects ("witnesses").

A full run instead (and the state it records is rebuilt): when asked (`--full`), with no previous state,
when the rules' revision, the calendar's days, the warning period, the program's version or the database's
partitions changed, when as-of goes back, when the run also reads `--events` files, or on Dask.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..model.findings import Finding
from ..model.rules import DeadlineRule, FieldsRule, OrderRule, SpanRule
from ..ruleset.loader import LoadedRule, RuleSet
from ..tally import CLASSES, ObligationCounts, Tally

FULL, INCREMENTAL = "full", "incremental"
KIND_ZH = {FULL: "全量", INCREMENTAL: "增量"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS judge_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS judge_subjects (subject TEXT PRIMARY KEY) WITHOUT ROWID;
"""
# judge_state: of the latest run from the store alone: run, as_of, basis (what forces a full run), next_seq
# (the first place in the order of ingestion not yet seen). judge_subjects: the subjects the next run
# re-judges whatever arrives (open obligations, events after as-of, witnesses).


def per_subject(loaded: LoadedRule) -> bool:
    """Whether a rule's findings about a subject depend on that subject's events alone."""
    rule = loaded.rule
    if isinstance(rule, DeadlineRule):
        return not rule.fulfil_link
    if isinstance(rule, FieldsRule):
        return rule.link is None
    return isinstance(rule, (SpanRule, OrderRule))


@dataclass
class Split:
    """The rule set's two groups: rule ids judged per subject (every version of the id is), and the event
    types the rules judged in full read, and the fields those rules filter on."""

    subject_rules: set[str]
    full_types: set[str]
    filter_fields: list[str]

    @classmethod
    def of(cls, ruleset: RuleSet) -> Split:
        ids: dict[str, bool] = {}
        for loaded in ruleset.rules:
            ids[loaded.id] = ids.get(loaded.id, True) and per_subject(loaded)
        rest = [r for r in ruleset.rules if not ids[r.id]]
        types = {t for r in rest for t in r.rule.event_types()}
        fields = sorted({str(k) for r in rest for k in r.rule.applies_to} - {"body"})
        return cls({i for i, local in ids.items() if local}, types, fields)


def basis(ruleset: RuleSet, calendar, coverage: str, warn_within, partitions: int) -> str:
    """What the kept findings were judged under: any change forces a full run."""
    try:
        version = metadata.version("shixian")
    except metadata.PackageNotFoundError:
        version = "unknown"
    days = hashlib.sha256()
    days.update(calendar.name.encode())
    days.update(repr(sorted(calendar.data.coverage)).encode())
    days.update(repr(sorted(calendar.data.notes.items())).encode())
    text = json.dumps([ruleset.revision, days.hexdigest(), coverage, str(warn_within), partitions, version])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Plan:
    kind: str
    why: str  # why a full run (Chinese first), or what the incremental run re-judges
    basis: str
    split: Split
    subjects: set[str] = field(default_factory=set)  # incremental: the subjects re-judged
    since_seq: int = 0  # incremental: events at or after this place in the order of ingestion are new
    previous_run: int = 0
    previous_as_of: dt.datetime | None = None


def plan(store, ruleset: RuleSet, as_of: dt.datetime, run_basis: str, full: bool, files: bool) -> Plan:
    """Full or incremental, and for an incremental run the subjects it re-judges."""
    split = Split.of(ruleset)

    def full_run(why: str) -> Plan:
        return Plan(FULL, why, run_basis, split)

    if full:
        return full_run("按要求全量判定 (--full)")
    if files:
        return full_run("本次还读取 --events 文件 (event files given)")
    state = dict(store.db.execute("SELECT key, value FROM judge_state"))
    if not state:
        return full_run("没有上次运行的判定状态 (no previous state)")
    last = store.db.execute("SELECT max(id) FROM runs").fetchone()[0]
    if str(last) != state["run"]:
        return full_run("上次运行不是仅基于事件存储的运行 (the last run was not from the store alone)")
    if state["basis"] != run_basis:
        return full_run("规则、日历、预警期或程序版本已变化 (rules, calendar, warning or version changed)")
    if dt.datetime.fromisoformat(state["as_of"]) > as_of:
        return full_run("as-of 早于上次运行 (as-of goes back)")
    if store.obligations(int(state["run"])) is None:
        return full_run("上次运行没有记录义务计数 (the last run has no obligation counts)")
    since = int(state["next_seq"])
    subjects = {row[0] for row in store.db.execute("SELECT subject FROM judge_subjects")}
    subjects |= store.subjects_since(since)
    return Plan(
        INCREMENTAL,
        f"重新判定 {len(subjects)} 个对象 (re-judged {len(subjects)} subjects)",
        run_basis,
        split,
        subjects,
        since,
        int(state["run"]),
        dt.datetime.fromisoformat(state["as_of"]),
    )


def merge(plan: Plan, judged: list[Finding], previous: list[Finding]) -> list[Finding]:
    """This run's findings: the per-subject findings of the subjects re-judged and every finding of the rules
    judged in full, from this evaluation; the previous run's per-subject findings of every other subject."""
    local, subjects = plan.split.subject_rules, plan.subjects
    fresh = [f for f in judged if f.rule not in local or f.subject in subjects]
    kept = [f for f in previous if f.rule in local and f.subject not in subjects]
    return sorted(fresh + kept, key=Finding.sort_key)


def next_subjects(frame, as_of: dt.datetime, open_subjects: set[str], plan: Plan) -> set[str]:
    """The subjects the next run must re-judge whatever arrives: those with an obligation open now, with an
    event after as-of, and the witnesses (each body's first events, per year and per value of the fields the
    full-run rules filter on). In an incremental run, open subjects outside those re-judged are ignored: their
    per-subject findings are the previous run's, and were closed then."""
    from ..columnar.frame import EPOCH

    out = set(open_subjects if plan.kind == FULL else open_subjects & plan.subjects)
    if not len(frame):
        return out
    units = np.arange(len(frame))
    subjects = frame.column("subject")
    as_of_us = (as_of - EPOCH) // dt.timedelta(microseconds=1)
    later = np.flatnonzero(frame.instant > as_of_us)
    if len(later):
        out.update(_distinct(subjects, later))
    order = np.lexsort((frame.seq, frame.instant))  # evaluation order: time, then order of ingestion
    groups = [_codes(frame.column("body"))]
    for name in plan.split.filter_fields:
        groups.append(_codes(frame.column(name)))
    witnesses = [_first_of_groups([*groups], order)]
    witnesses.append(_first_of_groups([groups[0], frame.year.astype(np.int64)], order))
    for rows in witnesses:
        out.update(_distinct(subjects, units[rows]))
    return out


def _codes(column: pa.Array) -> np.ndarray:
    """A column's values as integer codes (null its own code)."""
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    encoded = column.dictionary_encode()
    return encoded.indices.fill_null(len(encoded.dictionary)).to_numpy(zero_copy_only=False).astype(np.int64)


def _first_of_groups(keys: list[np.ndarray], order: np.ndarray) -> np.ndarray:
    """The first row (in `order`) of each group of equal keys."""
    group = np.zeros(len(order), np.int64)
    for codes in keys:  # one dense code per distinct combination so far
        group = np.unique(group * (int(codes.max()) + 1) + codes, return_inverse=True)[1].reshape(-1)
    _, first = np.unique(group[order], return_index=True)
    return order[first]


def _distinct(column: pa.Array, rows: np.ndarray) -> list[str]:
    return pc.unique(column.take(pa.array(rows, pa.int64()))).drop_null().to_pylist()


@dataclass
class StoreRun:
    """An audit of the event store (and any files), judged in full or incrementally."""

    frame: object  # engine.columnar.frame.Frame: what was read
    result: object  # engine.evaluate.AuditResult: with the run's findings (merged when incremental)
    kind: str
    why: str
    state: tuple[dict[str, str], set[str]] | None  # for the next run (None: it will be full)


def judge_store(engine, store, files, as_of: dt.datetime, warn_within, full: bool = False) -> StoreRun:
    """Read and evaluate the stored history (and the files), incrementally when `plan` allows."""
    from ..columnar.frame import FrameReader
    from ..columnar.screen import attributes_read
    from ..pipeline import judge

    partitions = int(store.db.execute("SELECT value FROM meta WHERE key = 'partitions'").fetchone()[0])
    run_basis = basis(engine.ruleset, engine.calendar, engine.coverage(), warn_within, partitions)
    chosen = plan(store, engine.ruleset, as_of, run_basis, full, bool(files))
    reader = FrameReader(engine.ruleset.event_types, attributes_read(engine.ruleset))
    open_subjects: set[str] = set()
    if chosen.kind == INCREMENTAL:
        total = store.add_stored_subset(reader, chosen.subjects, chosen.split.full_types, chosen.since_seq)
        previous = store.previous_findings(chosen.previous_run, chosen.split.subject_rules, chosen.subjects)
        frame = reader.frame()
        if frame.log.rejects or frame.log.duplicates:  # never from a store written by ingest: be safe
            return judge_store(engine, store, files, as_of, warn_within, full=True)
        only = (chosen.split.subject_rules, pa.array(sorted(chosen.subjects), pa.string()))
        result = judge(
            engine.ruleset,
            engine.calendar,
            frame,
            as_of,
            warn_within,
            open_subjects=open_subjects,
            judge_only=only,
        )
        result.findings = merge(chosen, result.findings, previous)
        result.obligations = merged_counts(store, engine, chosen, result.obligations, as_of, warn_within)
        # counted as a full read counts them: every stored event is valid under these rules (it was read by
        # them before), and every event after as-of is among those read (its subject was recorded as having one)
        frame.log.lines = total
        result.events_evaluated = total - result.events_after_as_of
        chosen.why = f"重新判定 {len(chosen.subjects)} 个对象 (re-judged {len(chosen.subjects)} subjects)"
    else:
        store.add_stored(reader)
        frame = reader.read(files).frame()
        result = judge(
            engine.ruleset, engine.calendar, frame, as_of, warn_within, open_subjects=open_subjects
        )
    state = None
    if not files:
        values = {
            "as_of": as_of.isoformat(),
            "basis": run_basis,
            "next_seq": str(store.read_next_seq),
            "based_on": str(chosen.previous_run),
        }
        state = (values, next_subjects(frame, as_of, open_subjects, chosen))
    return StoreRun(frame, result, chosen.kind, chosen.why, state)


def merged_counts(
    store, engine, chosen: Plan, judged: ObligationCounts, as_of, warn_within
) -> ObligationCounts:
    """Every obligation a full run would count (engine/tally.py), without judging every subject: the previous
    run's counts of the per-subject rules, less what the re-judged subjects counted then (their events known
    then, judged as of then: the same judgement, replayed) plus what they count now (their events alone), plus
    the counts of the rules judged in full now."""
    from ..columnar.frame import FrameReader
    from ..columnar.screen import attributes_read
    from ..pipeline import judge

    local = chosen.split.subject_rules
    ruleset = engine.ruleset
    rules = RuleSet(
        [r for r in ruleset.rules if r.id in local],
        ruleset.event_types,
        ruleset.files,
        ruleset.revision,
        parents=ruleset.parents,
    )

    def counted(before: int | None, at: dt.datetime) -> ObligationCounts:
        reader = FrameReader(ruleset.event_types, attributes_read(ruleset))
        store.add_stored_subset(reader, set(chosen.subjects), set(), chosen.since_seq, before)
        frame = reader.frame()
        return judge(rules, engine.calendar, frame, at, warn_within).obligations

    out = ObligationCounts()
    for key, tally in store.obligations(chosen.previous_run).items():
        if key[2] in local:
            out.setdefault(key, Tally()).merge(tally)
    for key, tally in counted(chosen.since_seq, chosen.previous_as_of).items():
        less = out.setdefault(key, Tally())
        for kind in CLASSES:
            setattr(less, kind, getattr(less, kind) - getattr(tally, kind))
    out.merge(counted(None, as_of))
    for key, tally in judged.items():
        if key[2] not in local:
            out.setdefault(key, Tally()).merge(tally)
    return ObligationCounts(
        {key: out[key] for key in sorted(out) if any(getattr(out[key], kind) for kind in CLASSES)}
    )
