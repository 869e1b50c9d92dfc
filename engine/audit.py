"""The audit pipeline in one place: read events, evaluate, record, report (rules and calendar: engine.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .calendar import SHANGHAI, Period, WorkCalendar
from .calendar.horizon import coverage_notice
from .engine import Engine
from .evaluate import AuditResult
from .events import EventLog, write_rejects
from .pipeline import judge
from .pipeline import read as read_frame
from .progress import Progress
from .report import Report
from .state import AuditStore
from .state.incremental import FULL, StoreRun, judge_store


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Distributed:
    """How to run a partitioned audit on Dask (see engine/scale.py)."""

    rule_paths: list[Path] | None
    calendar: str
    calendar_dirs: list[Path] | None
    partitions: int = 32
    scheduler: str | None = None
    workers: int = 2
    shard_dir: Path | None = None


def run_audit(
    engine: Engine,
    event_files: list[Path],
    as_of: dt.datetime,
    warn_within: Period = Period(2, "wd"),
    rejects_path: Path | None = None,
    store: AuditStore | None = None,
    show_progress: bool | None = None,
    distributed: Distributed | None = None,
    full: bool = False,
) -> tuple[Report, EventLog]:
    """Read the files (and the event store) into one frame, judge it (engine/pipeline.py), record the run
    in the store if any, build the report. With `distributed`, the same pipeline runs on each Dask shard.

    full: judge the stored history in full even when the previous run allows an incremental one
    (engine/state/incremental.py).
    """
    if distributed is not None:
        return _run_distributed(engine, event_files, as_of, warn_within, rejects_path, store, distributed)
    progress = Progress("reading events", enabled=show_progress)
    progress.close()
    if store is not None:  # the stored history and the files, in full or incrementally (state/incremental.py)
        run = judge_store(engine, store, event_files, as_of, warn_within, full)
        return _finish(
            engine, run.frame.log, run.result, as_of, warn_within, rejects_path, event_files, store, run
        ), run.frame.log
    frame = read_frame(engine.ruleset, event_files)
    result = judge(engine.ruleset, engine.calendar, frame, as_of, warn_within)
    return _finish(engine, frame.log, result, as_of, warn_within, rejects_path, event_files, store), frame.log


def calendar_notices(calendar: WorkCalendar, as_of: dt.datetime) -> list[str]:
    """The end-of-calendar notice, judged on the later of today and the as-of day."""
    today = max(dt.datetime.now(SHANGHAI).date(), as_of.astimezone(SHANGHAI).date())
    notice = coverage_notice(calendar.last_year, today)
    return [notice] if notice else []


def _finish(
    engine: Engine,
    log: EventLog,
    result: AuditResult,
    as_of: dt.datetime,
    warn_within: Period,
    rejects_path: Path | None,
    event_files: list[Path],
    store: AuditStore | None,
    store_run: StoreRun | None = None,
) -> Report:
    """Keep the rejects, build the report, record the run."""
    rejects_file = None
    if log.rejects and rejects_path is not None:
        write_rejects(log.rejects, rejects_path)
        rejects_file = str(rejects_path)
    report = Report(
        findings=result.findings,
        as_of=as_of,
        rules_revision=engine.ruleset.revision,
        rule_count=len(engine.ruleset.rules),
        events_read=log.lines,
        events_evaluated=result.events_evaluated,
        events_rejected=len(log.rejects),
        duplicates=log.duplicates,
        rejects_file=rejects_file,
        calendar=engine.calendar.name,
        warn_within=str(warn_within),
        task_board=result.task_board,
        obligations=result.obligations,
        events_after_as_of=result.events_after_as_of,
        notices=calendar_notices(engine.calendar, as_of),
    )
    if store is not None:
        report.run_kind = store_run.kind if store_run else FULL
        report.run_note = store_run.why if store_run else ""
    _record(engine, report, event_files, store, log.rejects, store_run)
    return report


def _run_distributed(
    engine: Engine,
    event_files: list[Path],
    as_of: dt.datetime,
    warn_within: Period,
    rejects_path: Path | None,
    store: AuditStore | None,
    how: Distributed,
) -> tuple[Report, EventLog]:
    from .scale import run_partitioned

    stored = store.dask_inputs() if store is not None else None  # the store's partitions are the run's
    run = run_partitioned(
        event_files,
        how.rule_paths,
        how.calendar,
        how.calendar_dirs,
        as_of,
        warn_within,
        stored.partitions if stored else how.partitions,
        how.scheduler,
        how.workers,
        how.shard_dir,
        stored.inputs if stored else None,
    )
    log = EventLog(rejects=run.rejects, lines=run.read, duplicates=run.duplicates)
    result = AuditResult(
        run.findings,
        as_of,
        run.evaluated,
        run.after_as_of,
        task_board=run.task_board,
        obligations=run.obligations,
    )
    return _finish(engine, log, result, as_of, warn_within, rejects_path, event_files, store), log


def _record(
    engine: Engine,
    report: Report,
    event_files: list[Path],
    store: AuditStore | None,
    rejects: list = (),
    store_run: StoreRun | None = None,
) -> None:
    """Record the run and the finding lifecycle in the audit database, when there is one."""
    if store is not None:
        inputs = {str(p): file_digest(Path(p)) for p in event_files}
        inputs["event-store"] = store.events_digest()
        record = store.record_run(
            as_of=report.as_of,
            rules_revision=engine.ruleset.revision,
            calendar=engine.calendar.name,
            coverage=engine.coverage(),
            inputs=inputs,
            findings=report.findings,
            events_read=report.events_read,
            events_evaluated=report.events_evaluated,
            events_rejected=report.events_rejected,
            counts=report.counts(),
            rejects=rejects,
            obligations=report.obligations,
            kind=report.run_kind,
            judge_state=store_run.state if store_run else None,
        )
        report.run_id, report.repeated = record.run_id, record.repeated
        report.lifecycle, report.resolved, report.waivers = record.lifecycle, record.resolved, record.waivers
