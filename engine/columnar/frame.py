"""Event logs as columns (pyarrow), so that most rows never become a Python object.

Files come in parts (parts.py); the rows plain.py vouches for stay columns. Every other row, every row
of a block pyarrow cannot read, and every row whose id repeats goes through `event_from_record` and the
`Collector` one by one (*odd*), so rejects, duplicates and events come out as reading the log line by line
into objects (`events.read_events`) makes them (tests/test_pipeline.py compares the two on random logs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import ledger
from ..calendar import SHANGHAI
from ..events import jsonl
from ..events.read import (
    REQUIRED,
    BadRecord,
    Collector,
    EventLog,
    Reject,
    clean_record,
    event_from_record,
)
from ..model.events import Event
from .parts import file_parts
from .plain import canonical, plain_rows, wall_seconds

_US, _DAY_US, _UTC8_S = 1_000_000, 86_400_000_000, 8 * 3600
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # instants are µs since this
ORDINAL_1970 = dt.date(1970, 1, 1).toordinal()  # days are counted from this
REF_SHIFT = 1 << 32  # a plain row is referred to as chunk * REF_SHIFT + row; an odd event as -1 - index


@dataclass
class Chunk:
    table: pa.Table
    file: str
    lines: np.ndarray  # line (or row) number of each table row
    seq: np.ndarray  # position of each row in read order over all files


@dataclass
class Frame:
    """The valid events of a log as columns in read order (`ref` says where each came from)."""

    chunks: list[Chunk]
    odd: list[Event]
    log: EventLog  # lines read, rejects and duplicates; its `events` list stays empty
    seq: np.ndarray
    ref: np.ndarray
    instant: np.ndarray  # µs since the epoch, UTC
    day: np.ndarray  # Asia/Shanghai date, days since 1970-01-01
    year: np.ndarray  # the year of the event's own time (as the evaluators read it)
    date_only: np.ndarray
    odd_mask: np.ndarray
    columns: dict[str, pa.Array] = field(default_factory=dict)  # core fields; attributes with null for absent

    def __len__(self) -> int:
        return len(self.seq)

    def column(self, name: str) -> pa.Array:
        found = self.columns.get(name)
        return found if found is not None else pa.nulls(len(self), pa.string())

    def events(self, units: np.ndarray, vocabulary: dict[str, str] | None) -> list[Event]:
        """Build the Event of each unit (by position), exactly as the row-by-row reader would."""
        out: list[Event | None] = [None] * len(units)
        for k, event in self._odd(units):
            out[k] = event
        for ks, chunk, rows in self._plain(units):
            table = chunk.table.take(pa.array(rows))
            for k, event in zip(ks, _plain_events(table, chunk.file, chunk.lines[rows])):
                out[k] = event
        return out

    def all_events(self, vocabulary: dict[str, str] | None) -> list[Event]:
        """Every event of the frame, in read order (explain, the workbench: a subject's timeline)."""
        return self.events(np.argsort(self.seq, kind="stable"), vocabulary)

    def values(self, name: str, units: np.ndarray) -> list[str]:
        """One text field (id, type, subject, body) of each unit, as its Event carries it, without building
        the Events."""
        out: list[str | None] = [None] * len(units)
        for k, event in self._odd(units):
            out[k] = getattr(event, name)
        for ks, chunk, rows in self._plain(units):
            for k, value in zip(ks, chunk.table.column(name).take(pa.array(rows)).to_pylist()):
                out[k] = value
        return out

    def _odd(self, units: np.ndarray) -> Iterator[tuple[int, Event]]:
        refs = self.ref[units]
        for k in np.flatnonzero(refs < 0).tolist():
            yield k, self.odd[-1 - int(refs[k])]

    def _plain(self, units: np.ndarray) -> Iterator[tuple[list[int], Chunk, np.ndarray]]:
        """The plain units by chunk: their positions in `units`, the chunk, their rows in it."""
        refs = self.ref[units]
        plain = np.flatnonzero(refs >= 0)
        chunk_of = refs[plain] // REF_SHIFT
        for c in np.unique(chunk_of).tolist():
            ks = plain[chunk_of == c]
            yield ks.tolist(), self.chunks[c], (refs[ks] % REF_SHIFT).astype(np.int64)


def _plain_events(table: pa.Table, file: str, lines: np.ndarray) -> list[Event]:
    """Events of plain rows straight from the columns: what `event_from_record` makes of such a row
    (a differential test holds the two together), without a dict per row."""
    names = table.column_names
    values = {name: table.column(name).to_pylist() for name in names}
    attr_names = [n for n in names if n not in REQUIRED and n not in ("department", "tz", "attrs")]
    departments = values.get("department") or [None] * table.num_rows
    times, out = values["time"], []
    for k, (eid, etype, subject, body, line) in enumerate(
        zip(values["id"], values["type"], values["subject"], values["body"], lines.tolist())
    ):
        text = times[k]
        instant = dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)
        attrs = {n: v for n in attr_names if (v := values[n][k]) is not None and v != ""}
        out.append(
            Event(
                eid,
                etype,
                subject,
                instant,
                body,
                departments[k] or "",
                attrs,
                len(text) == 10,
                f"{file}:{line}",
            )
        )
    return out


class FrameReader:
    """Reads files into chunks (pyarrow) and odd events (row by row), then builds the Frame."""

    def __init__(self, vocabulary: dict[str, str] | None, attributes: set[str], collect_repeats: bool = True):
        """collect_repeats: a repeated id is one event (a log's reader); without it, each is judged (events
        given as objects, engine/columnar/given.py)."""
        self.vocabulary, self.collect_repeats = vocabulary, collect_repeats
        self.attributes = sorted(set(attributes) - {"type", "subject", "body", "department", "time"})
        self.log = EventLog()
        self.chunks: list[Chunk] = []
        self.plain: list[np.ndarray] = []
        self.odd: list[tuple[int, str, int, object, Event]] = []  # seq, file, line, raw, event
        self.seq = 0

    # -- reading -------------------------------------------------------------------------------
    def read(self, paths) -> FrameReader:
        for path in map(Path, paths):
            for table, lines, rows in file_parts(path):
                if table is not None:
                    self.add_table(table, str(path), lines)
                else:
                    self.add_rows(str(path), rows)
        return self

    def add_rows(self, path: str, records, seqs=None) -> None:
        """Row by row, as `stream_events` reads them: (line, raw text, record or BadRecord). `seqs`: the
        rows' places in the whole log's read order when this is a part of it (a shard)."""
        for k, (number, raw, record) in enumerate(records):
            self.log.lines += 1
            seq, self.seq = (self.seq if seqs is None else seqs[k]), self.seq + 1
            try:
                if isinstance(record, Exception):
                    raise record
                event = event_from_record(record, f"{path}:{number}", self.vocabulary)
            except BadRecord as exc:
                self.odd.append((seq, str(path), number, raw if raw is not None else record, exc))
                continue
            self.odd.append((seq, str(path), number, raw if raw is not None else record, event))

    def add_table(self, table: pa.Table, file: str, lines: np.ndarray, seq: np.ndarray | None = None) -> None:
        n = table.num_rows
        self.log.lines += n
        seq = np.arange(self.seq, self.seq + n) if seq is None else seq
        self.seq += n
        self.chunks.append(Chunk(table, file, lines, seq))
        self.plain.append(plain_rows(table, self.vocabulary, self.attributes))

    # -- building ------------------------------------------------------------------------------
    def frame(self) -> Frame:
        """Time the plain rows, read the others one by one, resolve repeated ids, lay out the columns."""
        self._events: list[tuple[int, Event]] = []  # (seq, event) of rows read one by one
        self._raws: dict[int, object] = {}  # seq -> raw text or record of those rows, for a reject
        self._as_written: set[tuple[str, int]] = (
            set()
        )  # JSON Lines rows read by pyarrow: rejects re-read the line
        self._rejects: list[tuple[int, Reject]] = []
        for seq, file, line, raw, item in self.odd:
            if isinstance(item, Exception):
                self._rejects.append((seq, _reject(file, line, str(item), raw)))
            else:
                self._events.append((seq, item))
                self._raws[seq] = raw
        self.odd = []
        parts = []  # per chunk: (chunk index, plain rows, their wall-clock seconds)
        for c, chunk in enumerate(self.chunks):
            rows = np.flatnonzero(self.plain[c])
            wall = (
                wall_seconds(_take(chunk.table.column("time"), rows)) if len(rows) else np.zeros(0, np.int64)
            )
            bad = wall == np.iinfo(np.int64).min  # a time that does not exist: let the row reader say why
            self.plain[c][rows[bad]] = False
            parts.append((c, rows[~bad], wall[~bad]))
            for seq, line, record, event in self._row_events(chunk, np.flatnonzero(~self.plain[c])):
                if isinstance(event, BadRecord):
                    self._rejects.append((seq, _reject(chunk.file, line, str(event), record)))
                else:
                    self._events.append((seq, event))
                    self._raws[seq] = record
        if self.collect_repeats:
            parts = self._resolve_repeats(parts)
        _restore_raw_lines([r for _, r in self._rejects if (r.file, r.line) in self._as_written])
        self.log.rejects = [r for _, r in sorted(self._rejects, key=lambda item: item[0])]
        return self._lay_out(parts, self._events)

    def _row_events(self, chunk: Chunk, rows: np.ndarray):
        """(seq, line, record, Event or BadRecord) for rows of a chunk, through `event_from_record`."""
        if not len(rows):
            return
        written = Path(chunk.file).suffix.lower() != ".parquet" and not ledger.is_ledger(Path(chunk.file))
        for row, record in zip(rows.tolist(), chunk.table.take(pa.array(rows)).to_pylist()):
            record, line = clean_record(record), int(chunk.lines[row])
            if written:
                self._as_written.add((chunk.file, line))
            try:
                event = event_from_record(record, f"{chunk.file}:{line}", self.vocabulary)
            except BadRecord as exc:
                event = exc
            yield int(chunk.seq[row]), line, record, event

    def _resolve_repeats(self, parts: list) -> list:
        """Every row whose id occurs more than once goes through the Collector in read order, as in the
        row reader: the first is kept, an identical repeat counted, a conflicting one rejected."""
        ids = [
            _take(self.chunks[c].table.column("id"), rows).combine_chunks()
            if len(rows)  # plain: text ids
            else pa.array([], pa.string())
            for c, rows, _ in parts
        ]
        ids.append(pa.array([e.id for _, e in self._events], pa.string()))
        codes = (
            pa.chunked_array(ids, pa.string())
            .combine_chunks()
            .dictionary_encode()
            .indices.to_numpy(zero_copy_only=False)
        )
        repeated = np.bincount(codes)[codes] > 1 if len(codes) else np.zeros(0, bool)
        if not repeated.any():
            return parts
        involved: list[tuple[int, Event, object]] = []
        start = 0
        for i, (c, rows, wall) in enumerate(parts):
            mask = repeated[start : start + len(rows)]
            start += len(rows)
            for seq, _, record, event in self._row_events(self.chunks[c], rows[mask]):
                involved.append((seq, event, record))  # plain rows: valid, so `event` is an Event
            parts[i] = (c, rows[~mask], wall[~mask])
        kept = []
        for (seq, event), again in zip(self._events, repeated[start:].tolist()):
            if again:
                involved.append((seq, event, self._raws[seq]))
            else:
                kept.append((seq, event))
        collected = EventLog()
        collect = Collector(collected)
        for seq, event, raw in sorted(involved, key=lambda item: item[0]):
            file, _, line = event.origin.rpartition(":")
            before = len(collected.rejects)
            if collect.add(event, file, int(line), raw):
                kept.append((seq, event))
            elif len(collected.rejects) > before:
                self._rejects.append((seq, collected.rejects[-1]))
        self.log.duplicates += collected.duplicates
        self._events = sorted(kept, key=lambda item: item[0])
        return parts

    def _lay_out(self, parts, odd_events: list[tuple[int, Event]]) -> Frame:
        seq, ref, wall = [], [], []
        columns: dict[str, list] = {
            k: [] for k in ("type", "subject", "body", "department", *self.attributes)
        }
        for c, rows, w in parts:
            chunk = self.chunks[c]
            seq.append(chunk.seq[rows])
            ref.append(c * REF_SHIFT + rows)
            wall.append(w)
            taken = _take(chunk.table, rows)
            for name in columns:
                columns[name].append(canonical(taken, name))
        # odd events: their values as the evaluators read them
        events = [e for _, e in odd_events]
        seq.append(np.array([s for s, _ in odd_events], dtype=np.int64))
        ref.append(-1 - np.arange(len(events), dtype=np.int64))
        odd_instant = np.array(
            [(e.time - EPOCH) // dt.timedelta(microseconds=1) for e in events], dtype=np.int64
        )
        odd_day = np.array(
            [e.time.astimezone(SHANGHAI).date().toordinal() - ORDINAL_1970 for e in events], dtype=np.int64
        )
        for name in columns:
            if name in ("type", "subject", "body", "department"):
                values = [getattr(e, name) for e in events]
            else:
                values = [None if (v := e.get(name)) in (None, "") else str(v) for e in events]
            columns[name].append(pa.array(values, pa.string()))
        plain_wall = np.concatenate(wall) if wall else np.zeros(0, np.int64)
        n_plain = len(plain_wall)
        instant = np.concatenate([(plain_wall - _UTC8_S) * _US, odd_instant])
        day = np.concatenate([plain_wall // 86400, odd_day])
        year = np.concatenate(
            [
                (plain_wall.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970),
                np.array([e.time.year for e in events], dtype=np.int64),
            ]
        )
        plain_date_only = (
            np.concatenate(
                [
                    (
                        pc.utf8_length(_take(self.chunks[c].table.column("time"), rows)).to_numpy(
                            zero_copy_only=False
                        )
                        == 10
                    )
                    if len(rows)
                    else np.zeros(0, bool)
                    for c, rows, _ in parts
                ]
            )
            if parts
            else np.zeros(0, bool)
        )
        date_only = np.concatenate(
            [plain_date_only.astype(bool), np.array([e.date_only for e in events], dtype=bool)]
        )
        odd_mask = np.concatenate([np.zeros(n_plain, bool), np.ones(len(events), bool)])
        return Frame(
            self.chunks,
            events,
            self.log,
            np.concatenate(seq),
            np.concatenate(ref),
            instant,
            day,
            year,
            date_only,
            odd_mask,
            {k: pa.chunked_array(v, pa.string()).combine_chunks() for k, v in columns.items()},
        )


def _take(data, rows: np.ndarray):
    """data.take(rows), without copying when rows are all of it in order (the usual case: every row plain)."""
    n = data.num_rows if isinstance(data, pa.Table) else len(data)
    if len(rows) == n and (n == 0 or (rows[0] == 0 and rows[-1] == n - 1)):  # rows are sorted and distinct
        return data
    return data.take(pa.array(rows, pa.int64()))


def _restore_raw_lines(rejects: list[Reject]) -> None:
    """Put back the line as written in rejects of rows that were read in columns (rare: a conflicting
    repeat of an id), as the row-by-row reader keeps it."""
    wanted: dict[str, dict[int, Reject]] = {}
    for reject in rejects:
        wanted.setdefault(reject.file, {})[reject.line] = reject
    for file, by_line in wanted.items():
        for number, raw in jsonl.raw_lines(Path(file)):
            if number in by_line:
                by_line[number].raw = raw


def _reject(file: str, line: int, reason: str, raw) -> Reject:
    import json

    return Reject(
        file, line, reason, raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
    )


def read_frame(paths, vocabulary: dict[str, str] | None, attributes: set[str]) -> Frame:
    return FrameReader(vocabulary, attributes).read(paths).frame()
