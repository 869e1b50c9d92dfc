"""Rows of a ledger into event records: each row becomes its events, or one reject naming every cell it
could not read (sheet, row, column in A1 notation, header, why).

A row is all or nothing: a request whose 答复日期 cannot be read is not audited as unanswered. A blank row
(every mapped cell empty) is skipped; rows above the header row (a merged title) are not data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import ShixianError
from ..suggest import closest_few, did_you_mean
from ..timeparse import OfficerDateError
from .dates import iso, read_date
from .mapping import EventSpec, LedgerMapping, Value, header_key
from .sheets import Sheet, column_letter

HEADER_SCAN = 30  # rows searched for the header when the mapping does not say which


class RowError(ValueError):
    """A row that cannot become events; the message names the sheet, row and every bad cell."""


@dataclass
class Layout:
    """Where the mapped columns are: the header row (1-based) and each header's column index."""

    header_row: int
    index: dict[str, int]
    headers: dict[str, str] = field(default_factory=dict)  # header key -> the text as written


def find_layout(sheet: Sheet, mapping: LedgerMapping) -> Layout:
    """The header row and the columns of every mapped header, or a ShixianError naming what is missing."""
    wanted = [header_key(c) for c in mapping.columns()]
    candidates = [mapping.header_row - 1] if mapping.header_row else range(min(HEADER_SCAN, len(sheet.rows)))
    best, best_hits = None, -1
    for r in candidates:
        if r >= len(sheet.rows):
            break
        keys = [header_key(c) for c in sheet.rows[r]]
        hits = sum(k in keys for k in wanted)
        if hits == len(wanted):
            index = {}
            for j, k in enumerate(keys):
                index.setdefault(k, j)
            return Layout(r + 1, index, {k: str(c).strip() for k, c in zip(keys, sheet.rows[r])})
        if hits > best_hits:
            best, best_hits = r, hits
    where = f"{sheet.file}: {sheet.where}"
    if best is None or best_hits <= 0:
        raise ShixianError(
            f"{where} 找不到表头行（应含列：{'、'.join(mapping.columns())}）"
            f" (no header row with the mapped columns)"
        )
    keys = [header_key(c) for c in sheet.rows[best]]
    missing = [c for c in mapping.columns() if header_key(c) not in keys]
    present = [str(c).strip() for c in sheet.rows[best] if str(c).strip()]
    hints = "；".join(f"缺少列「{m}」{did_you_mean(m, present, 1, cutoff=0.5)}" for m in missing)
    raise ShixianError(f"{where} 第{best + 1}行的表头{hints} (missing columns)")


def cell_text(value: Any) -> str:
    """A cell as the text an attribute carries: 12.0 -> '12', a date cell -> 2024-09-27."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return iso(value, value.time() == dt.time(0))
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class RowReader:
    """Turns data rows of one sheet into records, by the mapping and the layout."""

    def __init__(self, sheet: Sheet, mapping: LedgerMapping, layout: Layout):
        self.sheet, self.mapping, self.layout = sheet, mapping, layout
        self.at = {c: layout.index[header_key(c)] for c in mapping.columns()}  # mapped header -> column index
        self.at.update(
            {
                c: layout.index[header_key(c)]
                for c in mapping.optional_columns()
                if header_key(c) in layout.index
            }
        )
        self.mapped = sorted(set(self.at.values()))

    def ref(self, column: str, row: int) -> str:
        return f"{column_letter(self.at[column])}{row}"

    def cell(self, cells: list, column: str) -> Any:
        j = self.at.get(column)  # None: an optional column this ledger does not have
        value = cells[j] if j is not None and j < len(cells) else None
        return None if value == "" else value

    def raw(self, cells: list, row: int) -> str:
        """The row as the rejects file keeps it: where it is and its mapped cells by header."""
        texts = {
            self.sheet.rows[self.layout.header_row - 1][j]: cell_text(cells[j]) if j < len(cells) else ""
            for j in self.mapped
        }
        return json.dumps(
            {"sheet": self.sheet.name, "row": row, "cells": texts}, ensure_ascii=False, default=str
        )

    def blank(self, cells: list) -> bool:
        return all(cells[j] in ("", None) or cell_text(cells[j]) == "" for j in self.mapped if j < len(cells))

    def records(self, cells: list, row: int) -> list[dict]:
        """The event records of one data row; RowError naming every unreadable cell."""
        m, problems = self.mapping, []

        def value(source: Value | None, what: str, required: bool) -> str:
            if source is None:
                return ""
            if source.value is not None:
                return source.value
            text = cell_text(self.cell(cells, source.column))
            if required and not text:
                problems.append(f"{self.ref(source.column, row)}「{source.column}」为空（{what}必填）")
            return text

        subject = value(m.subject, "主体编号", True)
        body = value(m.body, "机关", True)
        department = value(m.department, "科室", False)
        row_id = value(m.id, "编号", True) if m.id else subject
        attrs = dict(m.constants)
        for attr in m.attributes:
            if attr.column not in self.at:  # an optional column this ledger does not have
                continue
            raw = self.cell(cells, attr.column)
            if attr.date:
                try:
                    read = read_date(raw)
                except OfficerDateError as exc:
                    problems.append(f"{self.ref(attr.column, row)}「{attr.column}」{exc}")
                    continue
                if read is not None:
                    attrs[attr.name or attr.column] = read[0].date().isoformat()
            elif cell_text(raw):
                attrs[attr.name or attr.column] = cell_text(raw)
        out = []
        for spec in m.events:
            if spec.column not in self.at:  # an optional event whose column this ledger does not have
                continue
            if spec.when is not None and not self._holds(spec, cells):
                continue
            if self.cell(cells, spec.column) is None:  # most date cells of a ledger are empty
                if spec.required:
                    problems.append(f"{self.ref(spec.column, row)}「{spec.column}」为空（该日期必填）")
                continue
            when = self._instant(spec, cells, row, problems)
            if when is None:
                continue
            out.append(self._record(spec, cells, when, row_id, subject, body, department, attrs))
        if problems:
            raise RowError(f"{self.sheet.where} 第{row}行: " + "；".join(problems))
        return out

    def _holds(self, spec: EventSpec, cells: list) -> bool:
        text = cell_text(self.cell(cells, spec.when.column))
        wanted = spec.when.equals
        if wanted is None:
            return text != ""
        return text in ([wanted] if isinstance(wanted, str) else wanted)

    def _instant(
        self, spec: EventSpec, cells: list, row: int, problems: list
    ) -> tuple[dt.datetime, bool] | None:
        try:
            read = read_date(self.cell(cells, spec.column))
        except OfficerDateError as exc:
            problems.append(f"{self.ref(spec.column, row)}「{spec.column}」{exc}")
            return None
        if read is None or spec.time_column is None:
            return read
        raw = self.cell(cells, spec.time_column)
        if raw is None:
            return read
        try:
            moment = _time_of_day(raw)
        except OfficerDateError as exc:
            problems.append(f"{self.ref(spec.time_column, row)}「{spec.time_column}」{exc}")
            return None
        return dt.datetime.combine(read[0].date(), moment), False

    def _record(
        self,
        spec: EventSpec,
        cells: list,
        when,
        row_id: str,
        subject: str,
        body: str,
        department: str,
        attrs: dict,
    ) -> dict:
        names = {"subject": subject}
        event_subject = (
            _PLACEHOLDER.sub(
                lambda m: (
                    names.get(m.group(1)) if m.group(1) in names else cell_text(self.cell(cells, m.group(1)))
                ),
                spec.subject,
            )
            if spec.subject
            else subject
        )
        carried = (
            attrs if spec.attributes is None else {k: v for k, v in attrs.items() if k in spec.attributes}
        )
        own = spec.department
        if own is not None:  # the event's own department column, the row's when that cell is empty
            department = (
                own.value if own.column is None else cell_text(self.cell(cells, own.column))
            ) or department
        record = {
            "id": f"{row_id}:{spec.type}" + (f":{event_subject}" if event_subject != subject else ""),
            "type": spec.type,
            "subject": event_subject,
            "time": iso(*when),
            "body": body,
            "department": department,
        }
        record.update(carried)
        if spec.link:
            record[spec.link] = subject
        return record


def _time_of_day(raw: Any) -> dt.time:
    if isinstance(raw, dt.time):
        return raw.replace(microsecond=0)
    if isinstance(raw, dt.datetime):
        return raw.time().replace(microsecond=0)
    if isinstance(raw, float) and 0 <= raw < 1:
        seconds = round(raw * 86400) % 86400
        return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    found = re.match(r"^(\d{1,2})[:：时点](\d{1,2})?分?$", cell_text(raw))
    if not found or int(found.group(1)) > 23 or int(found.group(2) or 0) > 59:
        raise OfficerDateError(f"无法识别的时间 '{cell_text(raw)}'，应写成 16:00 (unreadable time of day)")
    return dt.time(int(found.group(1)), int(found.group(2) or 0))


def read_rows(sheet: Sheet, mapping: LedgerMapping) -> Iterator[tuple[int, str, list[dict] | RowError]]:
    """(row number, raw row, its records or the RowError) for each non-blank data row of the sheet."""
    layout = find_layout(sheet, mapping)
    reader = RowReader(sheet, mapping, layout)
    for r in range(layout.header_row, len(sheet.rows)):
        if r + 1 in sheet.bad:  # a CSV row that could not even be split into cells
            yield r + 1, "", RowError(f"{sheet.where} 第{r + 1}行: {sheet.bad[r + 1]}")
            continue
        cells = sheet.rows[r]
        if reader.blank(cells):
            continue
        try:
            yield r + 1, None, reader.records(cells, r + 1)
        except RowError as exc:
            yield r + 1, reader.raw(cells, r + 1), exc


def unknown_bodies(bodies: dict[str, list[int]], known: set[str]) -> list[str]:
    """Notes for bodies the rules do not name but one they do is close to (a typo keeps local rules away)."""
    notes = []
    for body, rows in bodies.items():
        if body in known:
            continue
        near = closest_few(body, known)
        if near:
            where = f"第{rows[0]}行" + (f"等{len(rows)}行" if len(rows) > 1 else "")
            notes.append(
                f"机关「{body}」（{where}）不是规则中出现的机关，只有全国性规则会适用；是否指"
                + "".join(f"「{n}」" for n in near)
                + "？"
            )
    return notes
