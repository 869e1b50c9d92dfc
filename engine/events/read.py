"""Event logs: JSON Lines, CSV (UTF-8, BOM or not) and Parquet, from several files, in any order.

A malformed line (bad JSON, missing field, bad time, unknown type) is kept as a Reject with its file
and line number; the run goes on. A duplicate id with identical content is ignored; with different
content the later line is rejected and reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..calendar import SHANGHAI
from ..errors import InputError, ShixianError
from ..model.events import Event
from ..timeparse import OfficerDateError, RefusedInstant, parse_instant, read_typed_date
from .csvlog import csv_records
from .jsonl import BadRecord, file_lines, parse_json
from .parquet import clean_record, open_parquet, parquet_records

__all__ = ["BadRecord", "clean_record", "open_parquet", "parse_json"]  # re-exported for the columnar readers

REQUIRED = ("id", "type", "subject", "time", "body")


@dataclass
class Reject:
    file: str
    line: int
    reason: str
    raw: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "reason": self.reason, "raw": self.raw}


@dataclass
class EventLog:
    events: list[Event] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    lines: int = 0  # records read, including rejected and duplicate ones
    duplicates: int = 0  # identical repeats, ignored


def event_from_record(record: Any, origin: str, vocabulary: dict[str, str] | None) -> Event:
    """Validate one record (a dict from JSON or CSV) into an Event, or raise BadRecord saying why."""
    if not isinstance(record, dict):
        raise BadRecord(f"expected a JSON object, got {type(record).__name__}")
    missing = [k for k in REQUIRED if record.get(k) in (None, "")]
    if missing:
        raise BadRecord(f"missing field{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    for key in REQUIRED:
        if not isinstance(record[key], (str, int)) or isinstance(record[key], bool):
            raise BadRecord(f"field '{key}' must be text")
    event_type = str(record["type"])
    if vocabulary is not None and event_type not in vocabulary:
        event_type = _labels(vocabulary).get(event_type.strip(), event_type)  # 收到政府信息公开申请 -> its id
        if event_type not in vocabulary:
            from ..suggest import did_you_mean

            hint = did_you_mean(event_type, list(vocabulary) + list(vocabulary.values()), n=1)
            raise BadRecord(f"unknown event type '{event_type}'" + (f": {hint[1:]}" if hint else ""))
    tz = SHANGHAI
    if record.get("tz"):
        try:
            tz = ZoneInfo(str(record["tz"]))
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
            raise BadRecord(f"unknown time zone '{str(record['tz'])[:60]}'") from None
    try:
        instant, date_only = parse_instant(str(record["time"]), tz)
    except RefusedInstant as exc:
        raise BadRecord(f"bad time: {exc}") from None
    except InputError:
        instant, date_only = _typed_time(record["time"], tz)
    attrs = {
        k: v
        for k, v in record.items()
        if k not in REQUIRED and k not in ("department", "tz", "attrs") and v not in (None, "")
    }
    if isinstance(record.get("attrs"), dict):
        attrs.update(record["attrs"])
    return Event(
        str(record["id"]),
        event_type,
        str(record["subject"]),
        instant,
        str(record["body"]),
        str(record.get("department") or ""),
        attrs,
        date_only,
        origin,
    )


_LABELS: dict[int, tuple[dict, dict]] = {}


def _labels(vocabulary: dict[str, str]) -> dict[str, str]:
    """Chinese label -> event type id, built once per vocabulary."""
    cached = _LABELS.get(id(vocabulary))
    if cached is None or cached[0] is not vocabulary:
        cached = _LABELS[id(vocabulary)] = (
            vocabulary,
            {label: type_id for type_id, label in vocabulary.items()},
        )
    return cached[1]


def _typed_time(value, tz):
    """A time as a person types it (2024/9/27 16:00, 2024年9月27日): the one reader of typed dates
    (timeparse.read_typed_date), in the event's zone. Numbers are not taken for Excel serials here."""
    text = str(value).strip()
    why = "expected ISO 8601, e.g. 2024-09-27T15:00"
    if text and not text.replace(".", "").isdigit():
        try:
            read = read_typed_date(text)
        except OfficerDateError as exc:
            why += f"; {exc}"
        else:
            if read is not None:
                return read[0].replace(tzinfo=tz), read[1]
    raise BadRecord(f"bad time {value!r}: {why}")


def file_records(path: Path) -> Iterator[tuple[int, str, Any]]:
    """(line number, raw text, parsed record or a BadRecord) for each record of a file."""
    if path.suffix.lower() == ".parquet":
        yield from parquet_records(path)
        return
    from .. import ledger

    if ledger.is_ledger(path):  # a workbook or CSV ledger, read through its mapping (engine/ledger)
        yield from ledger.records(path)
    elif path.suffix.lower() == ".csv":  # Excel on Chinese Windows saves CSV in GBK: read it, do not crash
        yield from csv_records(path)
    else:
        yield from file_lines(path)


def _digest(event: Event) -> int:
    return hash(json.dumps(event.to_json(), sort_keys=True, ensure_ascii=False, default=str))


class Collector:
    """Gathers events into a log by id: an identical repeat is counted and ignored, a conflicting one is
    rejected with where the first came from. Shared by the file reader and the Dask shard workers."""

    def __init__(self, log: EventLog, keep: bool = True):
        self.log, self.keep = log, keep
        self.seen: dict[str, Event | tuple[int, str]] = {}

    def add(self, event: Event, file: str, line: int, raw) -> bool:
        """True when the event is new (and, if keeping, appended to the log)."""
        first = self.seen.get(event.id)
        if first is None:
            if self.keep:
                self.seen[event.id] = event
                self.log.events.append(event)
            else:
                self.seen[event.id] = (_digest(event), event.origin)
            return True
        same = first.to_json() == event.to_json() if isinstance(first, Event) else first[0] == _digest(event)
        if same:  # contents are compared only when ids collide
            self.log.duplicates += 1
        else:
            origin = first.origin if isinstance(first, Event) else first[1]
            self.reject(
                file, line, f"duplicate id '{event.id}' with different content (first at {origin})", raw
            )
        return False

    def reject(self, file: str, line: int, reason: str, raw) -> None:
        if not isinstance(raw, str):
            raw = json.dumps(raw, ensure_ascii=False, default=str)
        self.log.rejects.append(Reject(file, line, reason, raw))


def read_events(
    paths: Iterable[Path | str], vocabulary: dict[str, str] | None = None, progress=None
) -> EventLog:
    """Read every file into memory; `progress.advance()` is called per record when given."""
    log = EventLog()
    for _ in stream_events(paths, vocabulary, log, progress, keep=True):
        pass
    return log


def stream_events(
    paths: Iterable[Path | str],
    vocabulary: dict[str, str] | None,
    log: EventLog,
    progress=None,
    keep: bool = False,
) -> Iterator[Event]:
    """Yield valid events as they are read, counting lines, duplicates and rejects in `log`.

    With keep=False nothing but a digest per id is held, so memory does not grow with the log: an
    identical repeat is recognised by its digest, a conflicting one is rejected.
    """
    collect = Collector(log, keep)
    for path in map(Path, paths):
        if not path.is_file():
            raise ShixianError(f"{path}: no such event file")
        for number, raw, record in file_records(path):
            log.lines += 1
            if progress is not None:
                progress.advance()
            try:
                if isinstance(record, Exception):
                    raise record
                event = event_from_record(record, f"{path}:{number}", vocabulary)
            except BadRecord as exc:
                collect.reject(str(path), number, str(exc), raw if raw is not None else record)
                continue
            if collect.add(event, str(path), number, raw if raw is not None else record):
                yield event


def write_rejects(rejects: list[Reject], path: Path) -> None:
    """Keep every rejected line, with where it came from and why, as JSON Lines."""
    with open(path, "w", encoding="utf-8") as out:
        for reject in rejects:
            out.write(json.dumps(reject.to_json(), ensure_ascii=False) + "\n")
