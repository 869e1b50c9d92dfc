"""The audit database's side of the event store: reading the stored history as a frame or as events,
writing one event at a time, and the transaction that makes an ingest's files visible.

A mixin of AuditStore (engine/state/store.py), which owns the connection; the file layout is in
eventstore.py, the ingest itself in ingest.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..columnar.frame import Frame, FrameReader
from ..errors import ShixianError
from ..model.events import Event
from . import eventstore
from .ingest import pause_before_commit


@dataclass
class DaskInputs:
    partitions: int
    inputs: object  # engine.scale.StoredInputs


class StoredEvents:
    db: object
    path: Path
    event_dir: Path
    schema_version: int
    read_next_seq: int = 0  # the order of ingestion's next place, as the last read of the store saw it

    # -- reading ---------------------------------------------------------------------------------------
    def event_frame(self, ruleset, files: Iterable[Path] = ()) -> Frame:
        """The stored history, then the files, as one frame (engine/columnar): stored events first in the
        order they were ingested, so a repeated id keeps its stored version, as today."""
        from ..columnar.screen import attributes_read

        reader = FrameReader(ruleset.event_types, attributes_read(ruleset))
        self.add_stored(reader)
        return reader.read(files).frame()

    def add_stored(self, reader: FrameReader, parts: list[int] | None = None) -> None:
        """Hand the stored events (of some partitions, or all) to a FrameReader, from one snapshot."""
        self.db.execute("BEGIN")
        try:
            listed = eventstore.listed_files(self.db, self.event_dir, parts)
            for _, kind, path in listed:
                eventstore.add_file(reader, kind, path)
            if parts is None:
                eventstore.add_table_events(reader, self.db, f"{self.path}:events")
            next_seq = int(eventstore.meta(self.db, "next_seq") or 0)
        finally:
            self.db.execute("COMMIT")
        reader.seq = max(reader.seq, next_seq)
        self.read_next_seq = next_seq

    def add_stored_subset(
        self, reader: FrameReader, subjects: set[str], types: set[str], since: int, before: int | None = None
    ) -> int:
        """For an incremental run (engine/state/incremental.py), from one snapshot: every event ingested at
        or after place `since` (their subjects join `subjects`), then the stored events of those subjects and
        of `types`, each row with its place in its file (line) and in the order of ingestion as a full read
        gives it; `before`: only the events ingested before that place. Returns the rows stored."""
        self.db.execute("BEGIN")
        try:
            files = self.db.execute(
                "SELECT f.kind, f.path, i.next_seq > ? FROM event_files f JOIN ingests i ON i.id = f.ingest "
                "ORDER BY f.id",
                (since,),
            ).fetchall()
            for kind, path, new in files:
                if new or kind == "records":  # a file of JSON records is read whole (it names no column)
                    subjects.update(eventstore.file_subjects(kind, self.event_dir / path))
            subjects.update(row[0] for row in self.db.execute("SELECT DISTINCT subject FROM events"))
            wanted_subjects = pa.array(sorted(subjects), pa.string())
            wanted_types = pa.array(sorted(types), pa.string())
            for kind, path, new in files:
                only = None if new else (wanted_subjects, wanted_types)
                eventstore.add_file(reader, kind, self.event_dir / path, only, before)
            eventstore.add_table_events(reader, self.db, f"{self.path}:events", before)
            next_seq = int(eventstore.meta(self.db, "next_seq") or 0)
            total = self.db.execute("SELECT coalesce(sum(rows), 0) FROM event_files").fetchone()[0]
            total += self.db.execute("SELECT count(*) FROM events").fetchone()[0]
        finally:
            self.db.execute("COMMIT")
        reader.seq = max(reader.seq, next_seq)
        self.read_next_seq = next_seq
        return total

    def subjects_since(self, since: int) -> set[str]:
        """Subjects of the events ingested at or after place `since` (and of the events table)."""
        out = {row[0] for row in self.db.execute("SELECT DISTINCT subject FROM events")}
        for kind, path in self.db.execute(
            "SELECT f.kind, f.path FROM event_files f JOIN ingests i ON i.id = f.ingest WHERE i.next_seq > ?",
            (since,),
        ).fetchall():
            out.update(eventstore.file_subjects(kind, self.event_dir / path))
        return out

    def dask_inputs(self) -> DaskInputs:
        """What a partitioned run (engine/scale.py) needs of the store, from one snapshot: the files of each
        partition (absolute paths: on a cluster, the database's directory must be on shared storage), the
        events of the table as rows to split, and where the files given start in the read order."""
        from ..scale import StoredInputs

        self.db.execute("BEGIN")
        try:
            parts = int(eventstore.meta(self.db, "partitions"))
            files: dict[int, list[list[str]]] = {}
            count = 0
            for part, kind, path, rows in self.db.execute(
                "SELECT part, kind, path, rows FROM event_files ORDER BY id"
            ):
                files.setdefault(part, []).append([kind, str((self.event_dir / path).resolve())])
                count += rows
            rows = []
            for rowid, body, data, seq, source in self.db.execute(
                "SELECT rowid, body, data, seq, source FROM events"
            ):
                file, line = eventstore.table_origin(f"{self.path}:events", rowid, source)
                rows.append((body, f"{file}:{line}", seq if seq is not None else rowid - (1 << 40), data))
            next_seq = int(eventstore.meta(self.db, "next_seq") or 0)
        finally:
            self.db.execute("COMMIT")
        return DaskInputs(parts, StoredInputs(files, next_seq, rows, count))

    def events(self, vocabulary: dict[str, str] | None, skip=None) -> list[Event]:
        """Every stored event, in the order of ingestion (the live monitor's replay, the workbench). One that
        no longer reads (a type gone from the vocabulary, a time stored by an older version that no longer
        passes) is an error naming it, or, with `skip`, handed to it and left out."""
        reader = FrameReader(vocabulary, set())
        self.add_stored(reader)
        frame = reader.frame()
        for reject in frame.log.rejects:  # say so, do not drop silently
            error = ShixianError(f"{reject.file}:{reject.line}: stored event: {reject.reason}")
            if skip is None:
                raise error
            skip(error)
        return frame.events(np.argsort(frame.seq, kind="stable"), vocabulary)

    def has_events(self) -> bool:
        """Whether `shixian ingest` (or the monitor, or the workbench) stored any event here."""
        return (
            self.db.execute("SELECT 1 FROM event_files LIMIT 1").fetchone() is not None
            or self.db.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None
        )

    def events_digest(self) -> str:
        """Changes whenever stored events change (part of a run's inputs: the same night twice)."""
        files = self.db.execute(
            "SELECT count(*), coalesce(max(id), 0), coalesce(sum(rows), 0) FROM event_files"
        ).fetchone()
        table = self.db.execute("SELECT count(*), coalesce(max(rowid), 0) FROM events").fetchone()
        if files[0] == 0:
            return f"{table[0]}:{table[1]}"
        return f"{files[2] + table[0]}:{files[1]}:{table[1]}"

    def stored_events(self, wanted: dict[str, int], vocabulary) -> dict[str, Event]:
        """The stored event of each id, given the file that holds it (0: the events table)."""
        out: dict[str, Event] = {}
        by_file: dict[int, set[str]] = {}
        for eid, fid in wanted.items():
            by_file.setdefault(fid, set()).add(eid)
        for fid, ids in by_file.items():
            reader = FrameReader(vocabulary, set())
            if fid == eventstore.TABLE_EVENTS:
                for eid in ids:
                    for rowid, data, source in self.db.execute(
                        "SELECT rowid, data, source FROM events WHERE id = ?", (eid,)
                    ):
                        file, line = eventstore.table_origin(f"{self.path}:events", rowid, source)
                        reader.add_rows(file, [(line, data, json.loads(data))])
            else:
                kind, path = self.db.execute(
                    "SELECT kind, path FROM event_files WHERE id = ?", (fid,)
                ).fetchone()
                eventstore.add_file(reader, kind, self.event_dir / path)
            frame = reader.frame()
            units = np.arange(len(frame))
            for eid, event in zip(frame.values("id", units), frame.events(units, vocabulary)):
                if eid in ids:
                    out[eid] = event
        return out

    # -- writing ----------------------------------------------------------------------------------------
    @contextmanager
    def writing_files(self) -> Iterator[None]:
        """The one transaction of an ingest or a migration, under the store's file lock: files written
        inside become visible at COMMIT; a failure or a kill leaves the database as it was."""
        with eventstore.store_lock(self.event_dir):
            if self.schema_version < eventstore.SCHEMA_VERSION and not self._migrating:
                raise ShixianError(
                    f"{self.path}: 事件仍存于旧版数据库表中，请先运行 shixian store migrate --db "
                    f"{self.path} (events are in the version-1 table: migrate first)"
                )
            eventstore.remove_orphans(self.db, self.event_dir)
            self.db.execute("PRAGMA cache_size = -262144")  # the id index: 256 MB of pages while writing
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
                eventstore.sync_dir(self.event_dir)
                pause_before_commit()
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    _migrating = False

    def ingest(self, events: Iterable[Event], source: str) -> tuple[int, int, list[tuple[Event, str]]]:
        """Store events one at a time in the events table, in one transaction: (added, identical duplicates,
        conflicts). For the live monitor and the workbench; files go through `shixian ingest`."""
        added = same = 0
        conflicts: list[tuple[Event, str]] = []
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for event in events:
                first = self._stored(event.id, source)
                if first is None:
                    self.insert_event(event, event.origin or source)
                    added += 1
                elif first[0].to_json() == event.to_json():
                    same += 1
                else:
                    conflicts.append(
                        (event, f"duplicate id '{event.id}' with different content (stored from {first[1]})")
                    )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return added, same, conflicts

    def _stored(self, event_id: str, source: str) -> tuple[Event, str] | None:
        row = self.db.execute("SELECT file FROM event_ids WHERE id = ?", (event_id,)).fetchone()
        if row is None:  # a version-1 table is not indexed: look there too
            row = self.db.execute("SELECT 0 FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            return None
        event = self.stored_events({event_id: row[0]}, None)[event_id]
        origin = self.db.execute("SELECT source FROM events WHERE id = ?", (event_id,)).fetchone()
        return event, origin[0] if origin else event.origin

    def insert_event(self, event: Event, source: str) -> bool:
        """One event into the events table and the id index (inside the caller's transaction)."""
        data = json.dumps(event.to_json(), ensure_ascii=False, sort_keys=True)
        seq = int(eventstore.meta(self.db, "next_seq") or 0)
        added = self.db.execute(
            "INSERT OR IGNORE INTO events (id, type, subject, time, body, data, source, "
            "ingested_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.id,
                event.type,
                event.subject,
                event.time.isoformat(),
                event.body,
                data,
                source,
                _now(),
                seq,
            ),
        ).rowcount
        if added:
            self.db.execute("INSERT OR IGNORE INTO event_ids VALUES (?, 0)", (event.id,))
            self.db.execute("UPDATE meta SET value = ? WHERE key = 'next_seq'", (str(seq + 1),))
        return bool(added)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
