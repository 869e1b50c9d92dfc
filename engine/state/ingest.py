"""`shixian ingest`: event files into the event store (engine/state/eventstore.py), in one transaction.

The files are read by the audit's own reader (engine/columnar/frame.py: the same checks, rejects and
repeats), a batch of about a million records at a time so that memory does not grow with a backfill. Each
batch's valid events are split by body partition and written as Parquet: rows pyarrow read as plain
columns stay columns (an audit reads them back in columns), the others are kept as one JSON record a row.
An id already stored is ignored when the event is the same, rejected when it differs, as today.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..columnar.frame import Frame, FrameReader, file_parts
from ..columnar.partition import row_partitions
from ..columnar.screen import attributes_read
from ..errors import ShixianError
from ..events.read import Reject
from . import eventstore

BATCH_ROWS = 1 << 20
PAUSE_ENV = "SHIXIAN_PAUSE_BEFORE_COMMIT"  # fault injection for the kill -9 tests: seconds, before COMMIT


@dataclass
class IngestResult:
    added: int = 0
    duplicates: int = 0  # identical repeats, in the input or of events already stored
    rejects: list[Reject] = field(default_factory=list)
    read: int = 0  # records read


def ingest_files(store, ruleset, paths: list[Path], batch_rows: int = BATCH_ROWS) -> IngestResult:
    """Read the files and append their events to the store: all of it visible at one COMMIT, or none."""
    for path in map(Path, paths):
        if not path.is_file():
            raise ShixianError(f"{path}: no such event file")
    with store.writing_files():
        return ingest_within(store, ruleset, paths, batch_rows)


def ingest_within(store, ruleset, paths: list[Path], batch_rows: int = BATCH_ROWS) -> IngestResult:
    """The ingest itself, inside the transaction `store.writing_files()` opened (ingest, migrate)."""
    writer = _Writer(store, ruleset, batch_rows)
    for path in map(Path, paths):
        for table, lines, rows in file_parts(path):
            if table is not None:
                writer.reader.add_table(table, str(path), lines)
            else:
                writer.reader.add_rows(str(path), rows)
            if writer.reader.log.lines >= batch_rows:
                writer.flush()
    writer.flush()
    writer.finish([str(p) for p in paths])
    return writer.result


class _Writer:
    """One ingest inside the store's transaction: batches of frames to files, ids and manifest rows."""

    def __init__(self, store, ruleset, batch_rows: int):
        self.store, self.db, self.dir = store, store.db, store.event_dir
        self.vocabulary, self.attributes = ruleset.event_types, attributes_read(ruleset)
        self.parts = int(eventstore.meta(self.db, "partitions"))
        self.first_seq = self.next_seq = int(eventstore.meta(self.db, "next_seq"))
        self.ingest_id = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM ingests").fetchone()[0]
        self.next_file = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM event_files").fetchone()[0]
        self.token = secrets.token_hex(4)
        self.result = IngestResult()
        self.reader = self._reader()

    def _reader(self) -> FrameReader:
        reader = FrameReader(self.vocabulary, self.attributes)
        reader.seq = self.next_seq
        return reader

    def flush(self) -> None:
        reader, self.reader = self.reader, None
        if reader.log.lines:
            frame = reader.frame()
            self.next_seq = reader.seq
            self.result.read += frame.log.lines
            self.result.duplicates += frame.log.duplicates
            self.result.rejects += frame.log.rejects
            if len(frame):
                self._store(frame)
        self.reader = self._reader()

    def finish(self, sources: list[str]) -> None:
        r = self.result
        self.db.execute(
            "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.ingest_id,
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                json.dumps(sources, ensure_ascii=False),
                r.added,
                r.duplicates,
                len(r.rejects),
                self.first_seq,
                self.next_seq,
            ),
        )
        self.db.execute("UPDATE meta SET value = ? WHERE key = 'next_seq'", (str(self.next_seq),))

    # -- one batch -------------------------------------------------------------------------------------
    def _store(self, frame: Frame) -> None:
        units = np.arange(len(frame))
        ids = frame.values("id", units)
        part = row_partitions(pa.table({"body": frame.column("body")}), self.parts)
        files = self._lay_out(frame, part)  # (file id, part, kind, table with _unit) per file to write
        file_of = np.zeros(len(units), np.int64)
        for fid, _, _, table in files:
            file_of[table.column("_unit").to_numpy()] = fid
        known = self._index(ids, file_of)
        if known:
            dropped = self._judge_repeats(frame, ids, known)
            files = [
                (fid, p, kind, table.filter(pa.array(~np.isin(table.column("_unit").to_numpy(), dropped))))
                for fid, p, kind, table in files
            ]
        for fid, p, kind, table in files:
            if not table.num_rows:
                continue
            relative = f"p{p:03d}/i{self.ingest_id:07d}-{self.token}-{fid:08d}.parquet"
            eventstore.write_file(table.drop_columns(["_unit"]), self.dir / relative)
            self.db.execute(
                "INSERT INTO event_files VALUES (?, ?, ?, ?, ?, ?)",
                (fid, self.ingest_id, p, kind, relative, table.num_rows),
            )
            self.result.added += table.num_rows

    def _lay_out(self, frame: Frame, part: np.ndarray) -> list[tuple[int, int, str, pa.Table]]:
        """The batch's events by partition: plain rows as the columns they were read in, odd events as
        their JSON records; each with `_seq` (order of ingestion) and `_unit` (place in the batch)."""
        pieces: dict[int, list[pa.Table]] = {}
        plain = np.flatnonzero(frame.ref >= 0)
        chunk_of = frame.ref[plain] // (1 << 32)
        for c in np.unique(chunk_of).tolist():
            units = plain[chunk_of == c]
            chunk = frame.chunks[c]
            table = chunk.table.take(pa.array(frame.ref[units] % (1 << 32)))
            table = table.select(sorted(table.column_names))
            table = table.append_column("_seq", pa.array(frame.seq[units], pa.int64()))
            table = table.append_column("_unit", pa.array(units, pa.int64()))
            for p in np.unique(part[units]).tolist():
                pieces.setdefault(p, []).append(table.filter(pa.array(part[units] == p)))
        out = []
        for p in sorted(pieces):
            for group in _concatenated(pieces[p]):
                out.append((self._file_id(), p, "table", group))
        odd = np.flatnonzero(frame.ref < 0)
        if len(odd):
            events = [frame.odd[-1 - int(r)] for r in frame.ref[odd]]
            records = pa.table(
                {
                    "body": [e.body for e in events],
                    "record": [json.dumps(e.to_json(), ensure_ascii=False) for e in events],
                    "_seq": pa.array(frame.seq[odd], pa.int64()),
                    "_unit": pa.array(odd, pa.int64()),
                }
            )
            for p in np.unique(part[odd]).tolist():
                out.append((self._file_id(), p, "records", records.filter(pa.array(part[odd] == p))))
        return out

    def _file_id(self) -> int:
        self.next_file += 1
        return self.next_file - 1

    def _index(self, ids: list[str], file_of: np.ndarray) -> dict[str, int]:
        """Add the batch's ids to the index; those already there: id -> the file that holds it."""
        column = pa.array(ids, pa.string())
        order = pc.sort_indices(column)  # a B-tree fills fastest in key order
        in_order = column.take(order).to_pylist()
        before = self.db.total_changes
        self.db.executemany(
            "INSERT OR IGNORE INTO event_ids VALUES (?, ?)",
            zip(in_order, file_of[order.to_numpy()].tolist()),
        )
        if self.db.total_changes - before == len(ids):
            return {}
        first_new = int(file_of.min()) if len(file_of) else self.next_file
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS batch_ids (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("DELETE FROM batch_ids")
        self.db.executemany("INSERT INTO batch_ids VALUES (?)", ((i,) for i in in_order))
        return dict(
            self.db.execute(
                "SELECT b.id, e.file FROM batch_ids b JOIN event_ids e ON e.id = b.id WHERE e.file < ?",
                (first_new,),
            )
        )

    def _judge_repeats(self, frame: Frame, ids: list[str], known: dict[str, int]) -> np.ndarray:
        """Events whose id was stored before: identical ones counted, different ones rejected. Returns
        their places in the batch (none of them is written again)."""
        units = np.array([k for k, i in enumerate(ids) if i in known], np.int64)
        stored = self.store.stored_events(known, self.vocabulary)
        for event in frame.events(units, self.vocabulary):
            first = stored[event.id]
            if first.to_json() == event.to_json():
                self.result.duplicates += 1
                continue
            file, _, line = event.origin.rpartition(":")
            self.result.rejects.append(
                Reject(
                    file,
                    int(line),
                    f"duplicate id '{event.id}' with different content (stored from {first.origin})",
                    json.dumps(event.to_json(), ensure_ascii=False),
                )
            )
        return units


def _concatenated(tables: list[pa.Table]) -> list[pa.Table]:
    """One table when the pieces' columns agree (a column all null takes the others' type), else one per
    schema: a column that is text in one file and numbers in another keeps each file's values as read."""
    try:
        return [pa.concat_tables(tables, promote_options="default")]
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        groups: dict[pa.Schema, list[pa.Table]] = {}
        for table in tables:
            groups.setdefault(next((s for s in groups if s.equals(table.schema)), table.schema), []).append(
                table
            )
        return [pa.concat_tables(group) for group in groups.values()]


def pause_before_commit() -> None:
    """The kill -9 tests' window inside a transaction of an ingest or a run (nothing else ever sets it)."""
    pause = float(os.environ.get(PAUSE_ENV) or 0)
    if pause:
        time.sleep(pause)
