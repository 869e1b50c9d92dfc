"""Office ledgers (台账) as event logs: an Excel workbook or CSV, read through a mapping file, becomes the
ordinary event records that the event readers validate, screen and evaluate like any JSON Lines log.

A ledger file is *attached* to its mapping before a run (`attach`); the event readers
(engine/events/read.py) then take its records from `records()` instead of parsing the file as JSON or
CSV. Each record keeps the ledger's row number as its line, and a row that cannot be read becomes one
reject naming the sheet, row and cells (A1), so rejects, duplicates and counts work as for any log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ShixianError
from .mapping import LedgerMapping, load_mapping, resolve, schema
from .rows import RowError, read_rows, unknown_bodies
from .sheets import EXCEL_SUFFIXES, read_sheet

__all__ = [
    "LedgerMapping",
    "load_mapping",
    "resolve",
    "schema",
    "attach",
    "detach",
    "is_ledger",
    "records",
    "notes",
    "choose",
    "EXCEL_SUFFIXES",
]


@dataclass
class Binding:
    mapping: LedgerMapping
    known_bodies: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)  # said once the file is read (e.g. a body's did-you-mean)
    encoding: str | None = None


_ATTACHED: dict[Path, Binding] = {}


def attach(paths, mapping: LedgerMapping, known_bodies: set[str] | None = None) -> None:
    """Read these files as ledgers through `mapping` from now on in this process."""
    for path in paths:
        _ATTACHED[Path(path).resolve()] = Binding(mapping, set(known_bodies or ()))


def choose(path: Path, mappings: list[LedgerMapping]) -> LedgerMapping:
    """The one mapping whose sheet and headers the file has (with one mapping given, that one)."""
    from .rows import find_layout

    if len(mappings) == 1:
        return mappings[0]
    fits, tried = [], []
    for mapping in mappings:
        try:
            find_layout(read_sheet(Path(path), mapping.sheet), mapping)
        except ShixianError as exc:
            tried.append(f"{mapping.ledger}: {exc}")
            continue
        fits.append(mapping)
    if len(fits) == 1:
        return fits[0]
    if not fits:
        raise ShixianError(
            f"{path}: 没有一个映射与该文件的工作表和表头相符 (no mapping fits): " + " | ".join(tried)
        )
    raise ShixianError(f"{path}: 多个映射都相符（{'、'.join(m.ledger for m in fits)}），请只给一个 --mapping")


def detach(paths) -> None:
    for path in paths:
        _ATTACHED.pop(Path(path).resolve(), None)


def binding(path: Path) -> Binding | None:
    return _ATTACHED.get(Path(path).resolve())


def is_ledger(path: Path) -> bool:
    """A file read through a mapping: one attached to a mapping, or any Excel workbook (which then needs one)."""
    return binding(path) is not None or Path(path).suffix.lower() in EXCEL_SUFFIXES


def notes(paths) -> list[str]:
    """What reading the attached files found worth saying that is not a reject (e.g. an unknown body)."""
    return [f"{p}: {n}" for p in paths if (b := binding(p)) for n in b.notes]


def parts(path: Path) -> Iterator[tuple[Any, Any, list | None]]:
    """The ledger as the columnar reader takes a file (engine/columnar/frame.file_parts): one pyarrow table of
    the records made (every value text, so the vectorised screen vouches for them as for a JSON Lines log;
    several rows of it share the line number of the ledger row that made them), then the rejected rows."""
    import numpy as np
    import pyarrow as pa

    made, lines, rejected = [], [], []
    for row, raw, record in records(path):
        if isinstance(record, Exception):
            rejected.append((row, raw, record))
        else:
            made.append(record)
            lines.append(row)
    if made:
        keys = dict.fromkeys(key for record in made for key in record)
        table = pa.table({key: pa.array([record.get(key) for record in made], pa.string()) for key in keys})
        yield table, np.array(lines, dtype=np.int64), None
    if rejected:
        yield None, None, rejected


def records(path: Path) -> Iterator[tuple[int, str | None, Any]]:
    """(row number, raw row or None, record or BadRecord) for each event of the ledger, as the event readers
    take them from any file: several records share the row number of the row that made them."""
    from ..events.read import BadRecord

    bound = binding(path)
    if bound is None:
        raise ShixianError(
            f"{path}: Excel工作簿需要映射文件才能读取：加上 --mapping 映射.yaml（自带的映射见 "
            f"ledgers/，如 --mapping ledgers/requests.yaml） (a workbook needs --mapping)"
        )
    sheet = read_sheet(Path(path), bound.mapping.sheet)
    bound.encoding = sheet.encoding
    bodies: dict[str, list[int]] = {}
    for row, raw, made in read_rows(sheet, bound.mapping):
        if isinstance(made, RowError):
            yield row, raw, BadRecord(str(made))
            continue
        for record in made:
            bodies.setdefault(record["body"], []).append(row)
            yield row, raw, record
    if bound.known_bodies:
        bound.notes = unknown_bodies({b: sorted(set(r)) for b, r in bodies.items()}, bound.known_bodies)
