"""Partitioned audits for large logs, on one machine's processes or on a Dask cluster.

Why by body: every rule is judged within one body (a subject's events all carry its body; counts,
yearly reports and task lists are per body), so evaluating each body's events apart gives exactly
the findings of one run over everything. The split streams the inputs once into shard files (Arrow IPC
for what pyarrow reads, raw text for the rest, each row with where it came from): JSON Lines and CSV in
the process that starts the audit, Parquet files in tasks on the workers, a few row groups each. No
process holds more than its shards; each worker runs the columnar evaluator (engine/columnar) on its shards,
largest first.

Limits (see README): a subject whose events name different bodies, or a link to a subject of another
body, is judged per body; an id repeated across bodies is not seen as a duplicate.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .calendar import Period
from .columnar.frame import file_parts, parquet_parts
from .errors import ShixianError
from .events.read import Reject, open_parquet, parse_json
from .report.spool import Head, SpooledFindings, spool_line

_ENGINES: dict = {}  # per worker process: rules and calendar loaded once


@dataclass
class ShardResult:
    heads: list[list[str]] = field(default_factory=list)  # the findings themselves are in <shard>.findings
    rejects: list[dict] = field(default_factory=list)
    evaluated: int = 0
    after_as_of: int = 0
    duplicates: int = 0
    task_board: list[dict] = field(default_factory=list)


_BODY = re.compile(r'"body"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _partition(body: str, parts: int) -> int:
    """A stable hash (the same in every process); crc32 spread similar names like 江苏省001司法局 unevenly."""
    return int.from_bytes(hashlib.blake2b(body.encode("utf-8"), digest_size=8).digest(), "big") % parts


class _Shards:
    """Per partition: Arrow IPC files (no encoding: fast to write and to map) of the rows pyarrow read (with
    `_line` and `_seq`: where each row was in the whole log) and a text file of rows to be read one by one
    (`file:line<TAB>seq<TAB>raw`). Several writers (the driver, split tasks) each name theirs by `tag`."""

    def __init__(self, shard_dir: Path, parts: int, tag: str = "d"):
        self.dir, self.parts, self.tag = shard_dir, parts, tag
        self.texts: dict[int, object] = {}
        self.writers: dict[int, tuple[object, pa.Schema]] = {}
        self.files = 0

    def table(self, table: pa.Table, source: str, lines: np.ndarray, seq: np.ndarray) -> None:
        bodies = table.column("body") if "body" in table.column_names else pa.nulls(table.num_rows, pa.string())
        if not pa.types.is_string(bodies.type):
            bodies = bodies.cast(pa.string())
        encoded = pc.fill_null(bodies, "").combine_chunks().dictionary_encode()
        which = np.array([_partition(b, self.parts) for b in encoded.dictionary.to_pylist()], dtype=np.int64)
        part_of_row = which[encoded.indices.to_numpy(zero_copy_only=False)] if len(which) else np.zeros(0, np.int64)
        full = table.append_column("_line", pa.array(lines, pa.int64())).append_column("_seq", pa.array(seq, pa.int64()))
        full = full.replace_schema_metadata({"shixian_source": source})
        for p in np.unique(part_of_row).tolist():
            piece = full.filter(pa.array(part_of_row == p))
            writer = self.writers.get(p)
            if writer is None or not writer[1].equals(piece.schema, check_metadata=True):
                if writer is not None:
                    writer[0].close()
                self.files += 1
                path = self.dir / f"shard-{p:04d}-{self.tag}{self.files:06d}.arrow"
                writer = self.writers[p] = (pa.ipc.new_file(str(path), piece.schema), piece.schema)
            writer[0].write_table(piece)

    def row(self, body: str, origin: str, seq: int, raw: str) -> None:
        p = _partition(body, self.parts)
        if p not in self.texts:
            self.texts[p] = open(self.dir / f"shard-{p:04d}-{self.tag}.txt", "w", encoding="utf-8", newline="\n")
        self.texts[p].write(f"{origin}\t{seq}\t{raw}\n")

    def close(self) -> None:
        for out in self.texts.values():
            out.close()
        for writer, _ in self.writers.values():
            writer.close()


@dataclass
class ParquetPiece:
    """Row groups of one Parquet file for a split task: where they start in the file and in the log."""

    path: str
    row_groups: list[int]
    first_row: int
    first_seq: int
    rows: int


def split(files: list[Path], parts: int, shard_dir: Path, pieces_per_parquet: int = 0
          ) -> tuple[list[str], list[Reject], int, list[ParquetPiece]]:
    """Stream every input record into one of `parts` shards by its body (pyarrow where it can read the
    rows, text otherwise). Returns the shard names, the records rejected already here (not JSON, wrong
    CSV columns), the number of records read, and, with `pieces_per_parquet`, the Parquet files cut into
    that many pieces of row groups, left for `split_parquet` tasks (their rows are counted in `read`)."""
    shard_dir.mkdir(parents=True, exist_ok=True)
    shards = _Shards(shard_dir, parts)
    rejects: list[Reject] = []
    pieces: list[ParquetPiece] = []
    read = 0
    try:
        for path in map(Path, files):
            if pieces_per_parquet and path.is_file() and path.suffix.lower() == ".parquet":
                metadata = open_parquet(path).metadata
                sizes = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
                for groups in np.array_split(np.arange(len(sizes)), min(pieces_per_parquet, len(sizes)) or 1):
                    if len(groups):
                        first = sum(sizes[:groups[0]])
                        pieces.append(ParquetPiece(str(path), groups.tolist(), first, read + first,
                                                   sum(sizes[g] for g in groups)))
                read += sum(sizes)
                continue
            for table, lines, rows in file_parts(path):
                if table is not None:
                    shards.table(table, str(path), lines, np.arange(read, read + table.num_rows))
                    read += table.num_rows
                    continue
                for number, raw, record in rows:
                    seq, read = read, read + 1
                    if isinstance(record, Exception):
                        rejects.append(Reject(str(path), number, str(record), raw))
                        continue
                    body = record.get("body", "") if isinstance(record, dict) else ""
                    text = raw if raw is not None and path.suffix.lower() != ".csv" else \
                        json.dumps(record, ensure_ascii=False, default=str)
                    shards.row(str(body if body is not None else ""), f"{path}:{number}", seq, text)
    finally:
        shards.close()
    return [str(shard_dir / f"shard-{i:04d}") for i in range(parts)], rejects, read, pieces


def split_parquet(piece: ParquetPiece, parts: int, shard_dir: str, tag: str) -> int:
    """Run in a worker: split some row groups of a Parquet file into the shards, as `split` would."""
    shards = _Shards(Path(shard_dir), parts, tag)
    count = 0
    try:
        for table, lines, _ in parquet_parts(Path(piece.path), piece.row_groups, piece.first_row):
            start = piece.first_seq + count
            shards.table(table, piece.path, lines, np.arange(start, start + table.num_rows))
            count += table.num_rows
    finally:
        shards.close()
    return count


def _load_engine(rule_paths: list[str], calendar: str, calendar_dirs: list[str] | None):
    """Rules and calendar, loaded once per worker process."""
    from .audit import Engine

    key = (tuple(rule_paths), calendar, tuple(calendar_dirs or ()))
    if key not in _ENGINES:
        _ENGINES[key] = Engine.load(rule_paths or None, calendar, [Path(d) for d in calendar_dirs] if calendar_dirs
                                    else None)
    return _ENGINES[key]


def evaluate_shard(shard: str, rule_paths: list[str], calendar: str, calendar_dirs: list[str] | None,
                   as_of: str, warn_within: str) -> str:
    """Run in a worker: audit one shard with the columnar evaluator, return the result as JSON text
    (no pickled user data)."""
    import glob

    from .columnar.frame import FrameReader
    from .columnar.run import evaluate_frame
    from .columnar.screen import attributes_read

    engine = _load_engine(rule_paths, calendar, calendar_dirs)
    reader = FrameReader(engine.ruleset.event_types, attributes_read(engine.ruleset))
    for part in sorted(glob.glob(glob.escape(shard) + "-*.arrow")):
        table = pa.ipc.open_file(pa.memory_map(part)).read_all()  # zero-copy; the map lives with the table
        source = (table.schema.metadata or {}).get(b"shixian_source", b"").decode("utf-8")
        lines = table.column("_line").to_numpy()
        seq = table.column("_seq").to_numpy()
        reader.add_table(table.drop_columns(["_line", "_seq"]).replace_schema_metadata(None), source, lines, seq)
    for part in sorted(glob.glob(glob.escape(shard) + "-*.txt")):
        with open(part, encoding="utf-8", newline="\n") as lines:
            for line in lines:
                origin, _, rest = line.rstrip("\n").partition("\t")
                seq, _, raw = rest.partition("\t")
                file, _, number = origin.rpartition(":")
                reader.add_rows(file, [(int(number), raw, parse_json(raw))], [int(seq)])
    frame = reader.frame()
    audit = evaluate_frame(engine.ruleset, frame, engine.calendar, dt.datetime.fromisoformat(as_of),
                           Period.parse(warn_within))
    heads = []
    with open(shard + ".findings", "wb") as spool:  # in report order, for the merge
        for finding in audit.findings:
            line, head = spool_line(finding)
            spool.write(line)
            heads.append(head)
    result = ShardResult(heads=heads,
                         rejects=[r.to_json() for r in frame.log.rejects], evaluated=audit.events_evaluated,
                         after_as_of=audit.events_after_as_of, duplicates=frame.log.duplicates,
                         task_board=audit.task_board)
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


def run_partitioned(files: list[Path], rule_paths: list[Path] | None, calendar: str, calendar_dirs: list[Path] | None,
                    as_of: dt.datetime, warn_within: Period, partitions: int, scheduler: str | None = None,
                    workers: int = 2, shard_dir: Path | None = None) -> PartitionedRun:
    """Split by body, evaluate the shards on Dask (a local cluster unless `scheduler` is given), merge.

    A shard that fails is retried twice by Dask; if it still fails the whole run fails with its name:
    nothing is dropped silently.
    """
    from dask.distributed import Client, LocalCluster

    temp = None
    if shard_dir is None:  # kept until the report is written: the findings are merged from it
        temp = tempfile.TemporaryDirectory(prefix="shixian-shards-")
        shard_dir = Path(temp.name)
    args = ([str(p) for p in rule_paths or []], calendar, [str(d) for d in calendar_dirs or []],
            as_of.isoformat(), str(warn_within))
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        warm = [client.submit(_load_engine, *args[:3], workers=[w], pure=False)  # load rules and calendar
                for w in client.scheduler_info()["workers"]]  # on every worker while the split runs
        shards, rejects, read, pieces = split(files, partitions, shard_dir, pieces_per_parquet=2 * len(warm))
        # Parquet files are split by the workers themselves, a few row groups each (shared storage on a cluster)
        split_tasks = [client.submit(split_parquet, piece, partitions, str(shard_dir), f"p{k}-", pure=False,
                                     retries=2) for k, piece in enumerate(pieces)]
        for piece, count in zip(pieces, client.gather(split_tasks)):
            if count != piece.rows:  # never expected: every row must reach a shard, or the run stops
                raise ShixianError(f"{piece.path}: row groups {piece.row_groups} gave {count} rows, not {piece.rows}")
        # largest first, so that no worker is left with a big shard at the end while the others idle
        biggest = sorted(shards, key=lambda s: -sum(p.stat().st_size for p in Path(s).parent.glob(Path(s).name + "*")))
        futures = client.map(evaluate_shard, biggest, *[[a] * len(shards) for a in args], retries=2, pure=False)
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
    findings = SpooledFindings([Path(s + ".findings") for s in shards], heads, keep_alive=temp)
    rejects += [Reject(**r) for out in outputs for r in out["rejects"]]
    rejects.sort(key=lambda r: (r.file, r.line))
    return PartitionedRun(findings, rejects, read, sum(o["evaluated"] for o in outputs),
                          sum(o["after_as_of"] for o in outputs), sum(o["duplicates"] for o in outputs),
                          [card for o in outputs for card in o["task_board"]], len(shards))
