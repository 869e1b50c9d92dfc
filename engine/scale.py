"""Partitioned audits for large logs, on one machine's processes or on a Dask cluster.

Why by body: every rule is judged within one body (a subject's events all carry its body; counts,
yearly reports and task lists are per body), so evaluating each body's events apart gives exactly
the findings of one run over everything. The split streams the inputs once into shard files (the
raw record and where it came from), so no process holds more than its shards.

Limits (see README): a subject whose events name different bodies, or a link to a subject of another
body, is judged per body; an id repeated across bodies is not seen as a duplicate.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .calendar import Period
from .events.read import BadRecord, Collector, EventLog, Reject, _records, event_from_record
from .model.findings import Finding

_ENGINES: dict = {}  # per worker process: rules and calendar loaded once


@dataclass
class ShardResult:
    findings: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    evaluated: int = 0
    after_as_of: int = 0
    duplicates: int = 0
    task_board: list[dict] = field(default_factory=list)


_BODY = re.compile(r'"body"\s*:\s*"((?:[^"\\]|\\.)*)"')


def split(files: list[Path], parts: int, shard_dir: Path) -> tuple[list[Path], list[Reject], int]:
    """Stream every input record into one of `parts` shard files by its body. Returns the shard paths,
    the records rejected already here (wrong CSV columns, no body) and the number of records read.

    A JSON Lines record is passed on as its raw text (its body found without a full parse); the workers
    parse it, so a malformed line is reported by them with its file and line number.
    """
    shard_dir.mkdir(parents=True, exist_ok=True)
    paths = [shard_dir / f"shard-{i:04d}.txt" for i in range(parts)]
    outs = [open(p, "w", encoding="utf-8") for p in paths]
    rejects: list[Reject] = []
    read = 0

    def put(body: str, origin: str, raw: str) -> None:
        outs[zlib.crc32(body.encode("utf-8")) % parts].write(f"{origin}\t{raw}\n")

    try:
        for path in map(Path, files):
            if path.suffix.lower() not in (".csv", ".parquet"):
                with open(path, encoding="utf-8-sig") as lines:
                    for number, line in enumerate(lines, start=1):
                        line = line.rstrip("\n")
                        if not line.strip():
                            continue
                        read += 1
                        found = _BODY.search(line)
                        put(json.loads(f'"{found.group(1)}"') if found else "", f"{path}:{number}", line)
                continue
            for number, raw, record in _records(path):
                read += 1
                if isinstance(record, Exception):
                    rejects.append(Reject(str(path), number, str(record), raw))
                    continue
                put(str(record.get("body", "")), f"{path}:{number}", json.dumps(record, ensure_ascii=False, default=str))
    finally:
        for out in outs:
            out.close()
    return paths, rejects, read


def evaluate_shard(shard: str, rule_paths: list[str], calendar: str, calendar_dirs: list[str] | None,
                   as_of: str, warn_within: str) -> str:
    """Run in a worker: audit one shard, return the result as JSON text (no pickled user data)."""
    from .audit import Engine

    key = (tuple(rule_paths), calendar, tuple(calendar_dirs or ()))
    if key not in _ENGINES:
        _ENGINES[key] = Engine.load(rule_paths or None, calendar, [Path(d) for d in calendar_dirs] if calendar_dirs
                                    else None)
    engine = _ENGINES[key]
    result = ShardResult()
    log = EventLog()
    collect = Collector(log)
    with open(shard, encoding="utf-8") as lines:
        for line in lines:
            origin, _, raw = line.rstrip("\n").partition("\t")
            file, _, number = origin.rpartition(":")
            try:
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise BadRecord(f"bad JSON: {exc.msg} at column {exc.colno}") from None
                event = event_from_record(record, origin, engine.ruleset.event_types)
            except BadRecord as exc:
                collect.reject(file, int(number), str(exc), raw)
                continue
            collect.add(event, file, int(number), raw)
    events = log.events
    result.rejects = [r.to_json() for r in log.rejects]
    result.duplicates = log.duplicates
    audit = engine.evaluate(events, dt.datetime.fromisoformat(as_of), Period.parse(warn_within))
    result.findings = [f.to_json() for f in audit.findings]
    result.evaluated, result.after_as_of = audit.events_evaluated, audit.events_after_as_of
    result.task_board = audit.task_board
    return json.dumps(result.__dict__, ensure_ascii=False)


@dataclass
class PartitionedRun:
    findings: list[Finding]
    rejects: list[Reject]
    read: int
    evaluated: int
    after_as_of: int
    duplicates: int
    task_board: list[dict]
    partitions: int


def run_partitioned(files: list[Path], rule_paths: list[Path] | None, calendar: str, calendar_dirs: list[Path] | None,
                    as_of: dt.datetime, warn_within: Period, partitions: int, scheduler: str | None = None,
                    workers: int = 2, shard_dir: Path | None = None) -> PartitionedRun:
    """Split by body, evaluate the shards on Dask (a local cluster unless `scheduler` is given), merge.

    A shard that fails is retried twice by Dask; if it still fails the whole run fails with its name:
    nothing is dropped silently.
    """
    from dask.distributed import Client, LocalCluster

    temp = None
    if shard_dir is None:
        temp = tempfile.TemporaryDirectory(prefix="shixian-shards-")
        shard_dir = Path(temp.name)
    try:
        shards, rejects, read = split(files, partitions, shard_dir)
        args = ([str(p) for p in rule_paths or []], calendar, [str(d) for d in calendar_dirs or []],
                as_of.isoformat(), str(warn_within))
        cluster = None
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        try:
            futures = client.map(evaluate_shard, [str(s) for s in shards], *[[a] * len(shards) for a in args],
                                 retries=2, pure=False)
            outputs = [json.loads(text) for text in client.gather(futures)]
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    finally:
        if temp is not None:
            temp.cleanup()
    findings = sorted((Finding.from_json(f) for out in outputs for f in out["findings"]), key=Finding.sort_key)
    rejects += [Reject(**r) for out in outputs for r in out["rejects"]]
    rejects.sort(key=lambda r: (r.file, r.line))
    return PartitionedRun(findings, rejects, read, sum(o["evaluated"] for o in outputs),
                          sum(o["after_as_of"] for o in outputs), sum(o["duplicates"] for o in outputs),
                          [card for o in outputs for card in o["task_board"]], len(shards))
