"""The event store: Parquet files partitioned by body, beside the audit database, listed in it.

Why this layout (measured, README "The event store"): the audit reads Parquet into columns as fast as it
reads a Parquet log, Dask workers read a partition's files from shared storage, and a night's ingest only
appends a few small files. What stays transactional stays in SQLite: the manifest (`event_files`), the id
index (`event_ids`, for duplicates), the ingests and the schema version (`meta`).

A file is part of the store only once its manifest row is committed. Ingest writes and fsyncs its files
first, then inserts ids and manifest rows in one transaction; killed before COMMIT, its files are orphans
that no reader lists (the next ingest removes them, under the store's lock); killed after, all is there.
Single events written one at a time (`shixian watch`, a task marked done on the workbench) go to the
SQLite `events` table instead, also indexed in `event_ids` (file 0), and are read with the files.

Every stored event carries `_seq`, its place in the order of ingestion, so that events at the same moment
are evaluated in the order a run over the same files would read them.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import ShixianError

SCHEMA_VERSION = 2  # 1: events in the SQLite table only (before this store); 2: Parquet files and manifest
PARTITIONS = 16  # body partitions of a new store (kept in meta; the Dask backend evaluates one per task)
TABLE_EVENTS = 0  # event_ids.file of an event in the SQLite events table

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ingests (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,              -- UTC, ISO 8601
    sources TEXT NOT NULL,         -- JSON list of the files read
    added INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,    -- the places in the order of ingestion it took: [first_seq, next_seq)
    next_seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS event_files (
    id INTEGER PRIMARY KEY,
    ingest INTEGER NOT NULL,
    part INTEGER NOT NULL,         -- body partition (engine/columnar/partition.py)
    kind TEXT NOT NULL CHECK (kind IN ('table', 'records')),  -- columns as read, or one JSON record a row
    path TEXT NOT NULL UNIQUE,     -- relative to the store's directory
    rows INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS event_files_part ON event_files (part, id);
CREATE TABLE IF NOT EXISTS event_ids (
    id TEXT PRIMARY KEY,
    file INTEGER NOT NULL          -- event_files.id, or 0: the events table
) WITHOUT ROWID;
"""


def store_dir(db_path: Path) -> Path:
    """Where a database's event files live: beside it, named after it (audit.sqlite -> audit.sqlite.events)."""
    return db_path.with_name(db_path.name + ".events")


def prepare(db, db_path: Path) -> int:
    """Create the store's tables; record the schema version of a database that has none. Returns it.

    A database written before this store with events in its table stays at version 1 until
    `shixian store migrate`; it can be audited, not ingested into."""
    db.executescript(SCHEMA)
    have = {row[1] for row in db.execute("PRAGMA table_info(events)")}
    if "seq" not in have:
        db.execute("ALTER TABLE events ADD COLUMN seq INTEGER")
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is not None:
        return int(row[0])
    legacy = db.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None
    version = 1 if legacy else SCHEMA_VERSION
    db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(version),))
    db.execute("INSERT OR IGNORE INTO meta VALUES ('partitions', ?)", (str(PARTITIONS),))
    db.execute("INSERT OR IGNORE INTO meta VALUES ('next_seq', '0')")
    return version


def meta(db, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


@contextmanager
def store_lock(directory: Path) -> Iterator[None]:
    """One writer of files at a time (ingest, migrate); released by the kernel if the process dies."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_orphans(db, directory: Path) -> int:
    """Files of ingests killed before their commit (call under store_lock): nobody lists them."""
    listed = {row[0] for row in db.execute("SELECT path FROM event_files")}
    gone = 0
    for path in directory.glob("p*/*.parquet*"):
        if path.relative_to(directory).as_posix() not in listed:
            path.unlink()
            gone += 1
    return gone


def write_file(table: pa.Table, path: Path) -> None:
    """Write and fsync a Parquet file under its final name (unlisted until the manifest row commits)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    pq.write_table(
        table, partial, compression="snappy"
    )  # 2-3x faster to write than zstd here, twice the size
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, path)


def sync_dir(directory: Path) -> None:
    """Make the new names durable before the manifest that lists them commits."""
    for folder in [directory, *[p for p in directory.glob("p*") if p.is_dir()]]:
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def listed_files(db, directory: Path, parts: list[int] | None = None) -> list[tuple[int, str, Path]]:
    """(id, kind, absolute path) of the committed files, in the order they were ingested."""
    sql = "SELECT id, kind, path, part FROM event_files ORDER BY id"
    wanted = set(parts) if parts is not None else None
    return [
        (fid, kind, directory / path)
        for fid, kind, path, part in db.execute(sql)
        if wanted is None or part in wanted
    ]


def _read(path: Path, columns: list[str] | None = None) -> pa.Table:
    try:
        return pq.read_table(path, columns=columns)
    except (OSError, pa.ArrowInvalid) as exc:
        raise ShixianError(f"{path}: 事件存储文件无法读取 (event store file unreadable: {exc})") from None


def file_subjects(kind: str, path: Path) -> list[str]:
    """The distinct subjects of one store file."""
    if kind == "table":
        return pc.unique(_read(path, ["subject"]).column("subject")).drop_null().to_pylist()
    records = _read(path, ["record"]).column("record").to_pylist()
    return list({str(json.loads(text).get("subject")) for text in records})


def add_file(
    reader, kind: str, path: Path, only: tuple[pa.Array, pa.Array] | None = None, before: int | None = None
) -> None:
    """Hand one store file to a FrameReader (engine/columnar/frame.py), with each row's place in the order
    of ingestion: the same reader, the same checks, as an event log. `only` (subjects, types): of a file of
    columns, only the rows of those subjects or of those types, each keeping its row number; `before`: only
    the rows ingested before that place in the order of ingestion."""
    table = _read(path)
    seq = table.column("_seq").to_numpy()
    table = table.drop_columns(["_seq"])
    keep = np.ones(table.num_rows, bool)
    if only is not None and kind == "table":
        keep &= (
            pc.or_(
                pc.is_in(table.column("subject"), value_set=only[0]),
                pc.is_in(table.column("type"), value_set=only[1]),
            )
            .fill_null(False)
            .to_numpy(zero_copy_only=False)
        )
    if before is not None:
        keep &= seq < before
    lines = np.arange(1, table.num_rows + 1)
    if not keep.all():
        rows = np.flatnonzero(keep)
        table, seq, lines = table.take(pa.array(rows, pa.int64())), seq[rows], lines[rows]
    if kind == "table":
        reader.add_table(table, str(path), lines, seq)
    else:
        records = table.column("record").to_pylist()
        reader.add_rows(
            str(path), [(k, text, json.loads(text)) for k, text in zip(lines.tolist(), records)], seq
        )


def add_table_events(reader, db, label: str, before: int | None = None) -> None:
    """The events written one at a time into the SQLite table (those of a version-1 database, without a place
    in the order of ingestion, first, in the order they were stored), each named by where it came from;
    `before`: only those stored before that place in the order of ingestion."""
    rows = db.execute(
        "SELECT rowid, data, seq, source FROM events WHERE ? IS NULL OR seq IS NULL OR seq < ? "
        "ORDER BY seq IS NOT NULL, seq, rowid",
        (before, before),
    ).fetchall()
    for rowid, data, seq, source in rows:
        file, line = table_origin(label, rowid, source)
        reader.add_rows(
            file, [(line, data, json.loads(data))], [seq if seq is not None else rowid - (1 << 40)]
        )


def table_origin(label: str, rowid: int, source: str | None) -> tuple[str, int]:
    """Where a table event came from (file, line), as stored; else the table and its row."""
    file, _, line = (source or "").rpartition(":")
    return (file, int(line)) if file and line.isdigit() else (label, rowid)
