"""Partitioned audits for large logs, on one machine's processes or on a Dask cluster.

Why by body: every rule is judged within one body (a subject's events all carry its body; counts,
yearly reports and task lists are per body), so evaluating each body's events apart gives exactly
the findings of one run over everything. The split (scale_split.py) streams the inputs once into shard
files (Arrow IPC for what pyarrow reads, raw text for the rest, each row with where it came from): Parquet
files (a few row groups each) and JSON Lines files from 4 MB (byte ranges cut at line ends) in tasks on the
workers, CSV and small files in the process that starts the audit. No process holds more than its
shards; each worker runs the columnar evaluator (engine/columnar) on its shards, largest first.

Limits (see README): a subject whose events name different bodies, or a link to a subject of another
body, is judged per body; an id repeated across bodies is not seen as a duplicate.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .calendar import Period
from .errors import ShixianError
from .events.read import Reject, parse_json
from .gcpause import gc_paused
from .scale_split import split, split_piece
from .scale_spool import Head, Run, SpooledFindings, spool
from .tally import ObligationCounts

_ENGINES: dict = {}  # per worker process: rules and calendar loaded once


@dataclass
class ShardResult:
    heads: list[list[str]] = field(default_factory=list)  # the findings themselves are in <shard>.findings
    runs: list = field(default_factory=list)  # where each body's findings are in that file (spool.Run)
    rejects: list[dict] = field(default_factory=list)
    evaluated: int = 0
    after_as_of: int = 0
    duplicates: int = 0
    task_board: list[dict] = field(default_factory=list)
    obligations: list[list] = field(default_factory=list)  # ObligationCounts.rows(): summed over shards


# glibc on local workers (see run_partitioned): arrays up to WORKER_MMAP_BYTES come from the heap, and up
# to WORKER_TRIM_BYTES of freed memory is kept for reuse
WORKER_MMAP_BYTES, WORKER_TRIM_BYTES = 32 << 20, 256 << 20


def _load_engine(rule_paths: list[str], calendar: str, calendar_dirs: list[str] | None):
    """Rules and calendar, loaded once per worker process."""
    from .engine import Engine

    key = (tuple(rule_paths), calendar, tuple(calendar_dirs or ()))
    if key not in _ENGINES:
        _ENGINES[key] = Engine.load(
            rule_paths or None, calendar, [Path(d) for d in calendar_dirs] if calendar_dirs else None
        )
    return _ENGINES[key]


def evaluate_shard(
    shard: str,
    rule_paths: list[str],
    calendar: str,
    calendar_dirs: list[str] | None,
    as_of: str,
    warn_within: str,
    stored: list[list[str]] = (),
) -> str:
    """Run in a worker: audit one shard through the one pipeline (engine/pipeline.py), return the result as
    JSON text (no pickled user data). `stored`: the event store's files of this partition, [kind, path] each, read
    from shared storage as the store's reader reads them (engine/state/eventstore.py)."""
    import glob

    from .columnar.frame import FrameReader
    from .columnar.screen import attributes_read
    from .pipeline import judge
    from .state.eventstore import add_file

    engine = _load_engine(rule_paths, calendar, calendar_dirs)
    reader = FrameReader(engine.ruleset.event_types, attributes_read(engine.ruleset))
    for kind, path in stored:
        add_file(reader, kind, Path(path))
    for part in sorted(glob.glob(glob.escape(shard) + "-*.arrow")):
        table = pa.ipc.open_file(pa.memory_map(part)).read_all()  # zero-copy; the map lives with the table
        source = (table.schema.metadata or {}).get(b"shixian_source", b"").decode("utf-8")
        lines = table.column("_line").to_numpy()
        seq = table.column("_seq").to_numpy()
        reader.add_table(
            table.drop_columns(["_line", "_seq"]).replace_schema_metadata(None), source, lines, seq
        )
    for part in sorted(glob.glob(glob.escape(shard) + "-*.txt")):
        with open(part, encoding="utf-8", newline="\n") as lines:
            for line in lines:
                origin, _, rest = line.rstrip("\n").partition("\t")
                seq, _, raw = rest.partition("\t")
                file, _, number = origin.rpartition(":")
                reader.add_rows(file, [(int(number), raw, parse_json(raw))], [int(seq)])
    frame = reader.frame()
    audit = judge(
        engine.ruleset, engine.calendar, frame, dt.datetime.fromisoformat(as_of), Period.parse(warn_within)
    )
    with gc_paused():
        heads, runs = spool(audit.findings, Path(shard + ".findings"))
    result = ShardResult(
        heads=heads,
        runs=runs,
        rejects=[r.to_json() for r in frame.log.rejects],
        evaluated=audit.events_evaluated,
        after_as_of=audit.events_after_as_of,
        duplicates=frame.log.duplicates,
        task_board=audit.task_board,
        obligations=audit.obligations.rows(),
    )
    return json.dumps(result.__dict__, ensure_ascii=False)


@dataclass
class PartitionedRun:
    findings: SpooledFindings
    rejects: list[Reject]
    read: int
    evaluated: int
    after_as_of: int
    duplicates: int
    task_board: list[dict]
    partitions: int
    obligations: ObligationCounts


@dataclass
class StoredInputs:
    """The event store's part of a partitioned run (engine/state/stored_events.py: dask_inputs): its files by
    partition (the store's partitions are the run's), where the files given start in the read order, the
    events of the database's table, and how many events the files hold."""

    files: dict[int, list[list[str]]]
    next_seq: int
    rows: list[tuple[str, str, int, str]]
    count: int


def run_partitioned(
    files: list[Path],
    rule_paths: list[Path] | None,
    calendar: str,
    calendar_dirs: list[Path] | None,
    as_of: dt.datetime,
    warn_within: Period,
    partitions: int,
    scheduler: str | None = None,
    workers: int = 2,
    shard_dir: Path | None = None,
    stored: StoredInputs | None = None,
) -> PartitionedRun:
    """Split by body, evaluate the shards on Dask (a local cluster unless `scheduler` is given), merge.

    A shard that fails is retried twice by Dask; if it still fails the whole run fails with its name:
    nothing is dropped silently.
    """
    from dask.distributed import Client, LocalCluster

    temp = None
    if shard_dir is None:  # kept until the report is written: the findings are merged from it
        temp = tempfile.TemporaryDirectory(prefix="shixian-shards-")
        shard_dir = Path(temp.name)
    args = (
        [str(p) for p in rule_paths or []],
        calendar,
        [str(d) for d in calendar_dirs or []],
        as_of.isoformat(),
        str(warn_within),
    )
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        import dask

        # Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes glibc's mmap
        # threshold at 128 KB: every large temporary array of a shard is mapped, faulted in page by page and
        # unmapped again (20-30% of the workers' CPU time in the kernel). Arrays up to WORKER_MMAP_BYTES come
        # from the heap instead, and up to WORKER_TRIM_BYTES of freed memory is kept for the next ones.
        with dask.config.set(
            {
                "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": WORKER_TRIM_BYTES,
                "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": WORKER_MMAP_BYTES,
            }
        ):
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
        client = Client(cluster)
    try:
        warm = [
            client.submit(_load_engine, *args[:3], workers=[w], pure=False)  # load rules and calendar
            for w in client.scheduler_info()["workers"]
        ]  # on every worker while the split runs
        shards, rejects, read, pieces = split(
            files,
            partitions,
            shard_dir,
            2 * len(warm),
            stored.next_seq if stored else 0,
            stored.rows if stored else (),
        )
        read += stored.count if stored else 0
        in_store = [(stored.files.get(k, []) if stored else []) for k in range(partitions)]
        # Parquet and large JSON Lines files are split by the workers themselves, a piece each
        split_tasks = [
            client.submit(split_piece, piece, partitions, str(shard_dir), f"p{k}-", pure=False, retries=2)
            for k, piece in enumerate(pieces)
        ]
        for piece, text in zip(pieces, client.gather(split_tasks)):
            done = json.loads(text)
            if piece.rows is not None and done["count"] != piece.rows:  # every row must reach a shard
                raise ShixianError(
                    f"{piece.path}: row groups {piece.row_groups} gave {done['count']} rows, not {piece.rows}"
                )
            read += done["count"]
            rejects += [Reject(**r) for r in done["rejects"]]
        # largest first, so that no worker is left with a big shard at the end while the others idle
        size = {
            s: sum(p.stat().st_size for p in Path(s).parent.glob(Path(s).name + "*"))
            + 4 * sum(Path(path).stat().st_size for _, path in in_store[k])
            for k, s in enumerate(shards)
        }
        biggest = sorted(shards, key=lambda s: -size[s])
        futures = client.map(
            evaluate_shard,
            biggest,
            *[[a] * len(shards) for a in args],
            [in_store[shards.index(s)] for s in biggest],
            retries=2,
            pure=False,
        )
        by_shard = dict(zip(biggest, client.gather(futures)))
        del warm
        outputs = [json.loads(by_shard[s]) for s in shards]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    for shard in shards:  # the inputs are done with; the findings stay for the report
        for part in Path(shard).parent.glob(Path(shard).name + "*"):
            if part.suffix in (".arrow", ".txt"):
                part.unlink()
    heads = [Head(*h) for out in outputs for h in out["heads"]]
    findings = SpooledFindings(
        [Path(s + ".findings") for s in shards],
        heads,
        [[Run(*r) for r in out["runs"]] for out in outputs],
        keep_alive=temp,
    )
    rejects += [Reject(**r) for out in outputs for r in out["rejects"]]
    rejects.sort(key=lambda r: (r.file, r.line))
    return PartitionedRun(
        findings,
        rejects,
        read,
        sum(o["evaluated"] for o in outputs),
        sum(o["after_as_of"] for o in outputs),
        sum(o["duplicates"] for o in outputs),
        [card for o in outputs for card in o["task_board"]],
        len(shards),
        ObligationCounts.from_rows(row for o in outputs for row in o["obligations"]),
    )
