"""Event logs in CSV, record by record, so that one bad line never costs the lines after it.

The text is UTF-8 (BOM or not) when the whole file decodes so, else GB18030 (Excel on Chinese Windows
saves GBK); a file that is neither is read line by line in the encoding most of its lines decode in, and
each line that does not is rejected with its number. Records are parsed with the csv module one at a time
from physical lines (a line feed ends one; a lone CR stays inside it, as in JSON Lines): a quoted field may
span lines, but a quote left open (which would swallow the rest of the file into one field) rejects only
the line it opened on and reading resumes on the next line. A record over several lines counts as a quote
left open when strict parsing fails on it, when it has not the header's number of cells, or when a line
inside it is a whole row by itself. A field over the csv module's limit (131,072 characters) rejects its
line. A record is numbered by the line it starts on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .jsonl import BadRecord, shown

ENCODINGS = ("utf-8", "gb18030")


def physical_lines(data: bytes) -> tuple[list[str | BadRecord], list[bytes], str]:
    """(text of each line with its ending, or a BadRecord; the raw bytes of each line; the encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    raw = [line + b"\n" for line in data.split(b"\n")]  # a line feed ends a line (a lone CR is in one)
    raw[-1] = raw[-1][:-1]
    if not raw[-1]:
        raw.pop()
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [line.decode(encoding) for line in raw], raw, encoding
    decoded = {enc: [_decode(line, enc) for line in raw] for enc in ENCODINGS}
    encoding = max(ENCODINGS, key=lambda enc: sum(not isinstance(t, BadRecord) for t in decoded[enc]))
    return decoded[encoding], raw, encoding


def _decode(line: bytes, encoding: str) -> str | BadRecord:
    try:
        return line.decode(encoding)
    except UnicodeDecodeError as exc:
        return BadRecord(
            f"该行不是 {encoding.upper()} 文本（第 {exc.start + 1} 字节：{exc.reason}），其余各行按 "
            f"{encoding.upper()} 读取 (line is not {encoding})"
        )


class _Lines:
    """The physical lines fed to a csv reader one at a time, remembering how far it has read."""

    def __init__(self, lines: list, start: int):
        self.lines, self.next = lines, start

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.next >= len(self.lines) or isinstance(self.lines[self.next], BadRecord):
            raise StopIteration  # a line that did not decode ends this reader; it is rejected on its own
        self.next += 1
        return self.lines[self.next - 1]


def csv_rows(
    lines: list, raw: list[bytes], width: list[int]
) -> Iterator[tuple[int, str, list[str] | BadRecord]]:
    """(line number, raw text, cells or BadRecord) for each record of the lines, in order. `width` holds the
    header's number of columns once known: a record over several lines with another number of cells is a
    quote opened by mistake too."""
    at = 0
    while at < len(lines):
        if isinstance(lines[at], BadRecord):
            yield at + 1, shown(raw[at]).rstrip("\r\n"), lines[at]
            at += 1
            continue
        feed = _Lines(lines, at)
        reader = csv.reader(feed)
        while True:
            start = feed.next
            try:
                cells = next(reader)
            except StopIteration:
                at = feed.next
                break
            except csv.Error as exc:  # e.g. a field over the limit: this line only, then go on after it
                yield start + 1, _text(lines, start, start + 1), BadRecord(f"CSV 格式错误：{exc} (bad CSV)")
                at = start + 1
                break
            if feed.next - start > 1 and (
                len(cells) != (width[0] if width else len(cells))
                or _left_open(lines, start, feed.next)
                or _swallowed(lines, start, feed.next, width)
            ):
                yield (
                    start + 1,
                    _text(lines, start, start + 1),
                    BadRecord(
                        "引号未闭合：该行的引号一直延续到后面各行，只拒绝该行，后面各行照常读取 (unterminated quote)"
                    ),
                )
                at = start + 1
                break
            yield start + 1, _text(lines, start, feed.next), cells


def _left_open(lines: list, start: int, stop: int) -> bool:
    """A record over several lines whose quote never closes (strict parsing fails on it)."""
    try:
        list(csv.reader(lines[start:stop], strict=True))
    except csv.Error:
        return True
    return False


def _swallowed(lines: list, start: int, stop: int, width: list[int]) -> bool:
    """A record over several lines with a whole row inside it (a line of the header's width with no quote
    of its own): a stray quote that closed on a later line, not a field with a line break."""
    if not width:
        return False
    for line in lines[start + 1 : stop]:
        if '"' not in line:
            cells = next(csv.reader([line]), [])
            if len(cells) == width[0]:
                return True
    return False


def _text(lines: list, start: int, stop: int) -> str:
    return "".join(lines[start:stop]).rstrip("\r\n")


def csv_records(path: Path) -> Iterator[tuple[int, str, Any]]:
    """(line number, raw text, record dict or BadRecord) for each non-blank record of a CSV event log."""
    lines, raw, _ = physical_lines(Path(path).read_bytes())
    header, width = None, []
    for number, text, cells in csv_rows(lines, raw, width):
        if isinstance(cells, BadRecord):
            yield number, text, cells
            continue
        if header is None:
            if cells:
                header = [h.strip() for h in cells]
                width.append(len(header))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield number, text, BadRecord(f"expected {len(header)} columns, got {len(cells)}")
            continue
        yield number, text, dict(zip(header, cells))
