"""JSON Lines as the contract reads it: one record per line, each line on its own, whatever its bytes.

A line ends at a line feed and nowhere else: a carriage return inside a line is JSON white space (and a
CRLF ending is a line feed after white space), so it neither splits a record nor shifts later line numbers.
Each line is decoded by itself: a line that is not UTF-8 is rejected with its number and the others are
read. Nesting deeper than MAX_DEPTH and numbers too long for Python's int are rejected before they can
exhaust the stack or raise. `pyarrow_runs` says which lines of a block pyarrow's JSON reader may see: its
C++ parser crashes the process on some input (a first line `null`, nesting thousands deep), so it only
ever gets lines that are one flat-enough object each, and the rest are read here, line by line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

MAX_DEPTH = 64  # events are flat (attrs one level down); nothing legitimate nests this deep
BLOCK_BYTES = 16 << 20
SHORT_RUN = 64  # fewer clean lines than this between odd ones are read line by line, not as a table
_OPEN = (ord("{"), ord("["))


class BadRecord(ValueError):
    """Why one line or record cannot be an event (kept as a reject with its file and line)."""


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether parsed JSON nests objects and arrays more than `limit` levels (a walk over the containers only,
    no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


DEEP = f"嵌套超过 {MAX_DEPTH} 层，不予读取 (JSON nested deeper than {MAX_DEPTH} levels)"


def parse_json(text: str) -> Any:
    """One JSON Lines record: the parsed value, or a BadRecord saying where or why it broke (never raises).

    Python's json parser refuses nesting past the recursion limit with RecursionError (it does not crash);
    below that, the parsed value is walked when its brackets could nest past MAX_DEPTH at all."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}" if exc.lineno > 1 else f"column {exc.colno}"
        return BadRecord(f"bad JSON: {exc.msg} at {where}")
    except RecursionError:
        return BadRecord(DEEP)
    except ValueError as exc:  # an integer of 4,301+ digits
        return BadRecord(f"无法读取的数值或结构 (unreadable JSON value: {str(exc)[:120]})")
    if text.count("{") + text.count("[") > MAX_DEPTH and too_deep(value):
        return BadRecord(DEEP)
    return value


def decode_document(data: bytes, name: str) -> str:
    """A whole UTF-8 document (a plan, a request body; a BOM dropped), or an InputError naming the line and
    byte where it stops being UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        from ..errors import InputError

        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name}:{line}: 不是 UTF-8 文本（第 {exc.start + 1} 字节：{exc.reason}），请另存为 UTF-8 "
            f"(not UTF-8 text)"
        ) from None


def decode_line(raw: bytes) -> str | BadRecord:
    """A line's text, or a BadRecord naming the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BadRecord(
            f"该行不是 UTF-8 文本（第 {exc.start + 1} 字节 {raw[exc.start : exc.start + 1]!r}：{exc.reason}）"
            f" (line is not UTF-8)"
        )


def shown(raw: bytes) -> str:
    """A line's bytes as text for a rejects file: undecodable bytes written as \\xNN, never dropped."""
    return raw.decode("utf-8", "backslashreplace").rstrip("\r")


def byte_lines(data: bytes, first: int) -> Iterator[tuple[int, str, Any]]:
    """(line number, raw text, record or BadRecord) for the non-blank lines of `data`, numbered from `first`."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, raw in enumerate(lines, start=first):
        if not raw.strip():
            continue
        text = decode_line(raw)
        if isinstance(text, BadRecord):
            yield number, shown(raw), text
        elif text.strip():  # blank as Python sees it (U+00A0 included), as the line counts have always been
            yield number, text.rstrip("\r"), parse_json(text)


def line_count(data: bytes) -> int:
    """Lines in a block: every line feed ends one, and a last line may lack it."""
    return data.count(b"\n") + (bool(data) and not data.endswith(b"\n"))


def blocks(path: Path, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """Whole lines of a file (or of its bytes [start, end), cut at line ends), about BLOCK_BYTES at a
    time (a UTF-8 byte order mark at the start of the file dropped)."""
    with open(path, "rb") as stream:
        stream.seek(start)
        carry, first, left = b"", start == 0, end - start if end is not None else None
        while True:
            data = stream.read(BLOCK_BYTES if left is None else min(BLOCK_BYTES, left))
            if left is not None:
                left -= len(data)
            if first and data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            first = False
            if not data:
                if carry:
                    yield carry
                return
            buf = carry + data
            cut = buf.rfind(b"\n") + 1
            if cut == 0:
                carry = buf
                continue
            yield buf[:cut]
            carry = buf[cut:]


def file_lines(path: Path) -> Iterator[tuple[int, str, Any]]:
    """Every non-blank line of a JSON Lines file, read a block at a time (memory does not grow with the file)."""
    number = 1
    for block in blocks(path):
        yield from byte_lines(block, number)
        number += line_count(block)


def raw_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text as a rejects file shows it) of every line, without parsing any."""
    number = 1
    for block in blocks(path):
        count = line_count(block)
        for k, raw in enumerate(block.split(b"\n")[:count]):
            yield number + k, shown(raw)
        number += count


def pyarrow_runs(block: bytes) -> Iterator[tuple[bool, int, int, int]]:
    """Cut a block into runs of whole lines: (pyarrow may read it, first line offset, byte start, byte end).

    A line pyarrow may see starts with `{`, ends with `}`, holds no carriage return and fewer than
    MAX_DEPTH opening brackets (so it cannot nest deeper). One vectorised pass over the bytes.
    """
    data = np.frombuffer(block, np.uint8)
    if not len(data):
        return
    feeds = np.flatnonzero(data == 10)
    ends = feeds if data[-1] == 10 else np.append(feeds, len(data))  # exclusive end of each line
    starts = np.concatenate(([0], ends[:-1] + 1))
    nonempty = ends > starts
    first_byte = np.zeros(len(starts), np.uint8)
    last_byte = np.zeros(len(starts), np.uint8)
    first_byte[nonempty] = data[starts[nonempty]]
    last_byte[nonempty] = data[ends[nonempty] - 1]
    safe = (first_byte == _OPEN[0]) & (last_byte == ord("}"))
    safe[np.searchsorted(starts, np.flatnonzero(data == 13), side="right") - 1] = False
    opens = np.flatnonzero((data == _OPEN[0]) | (data == _OPEN[1]))
    per_line = np.bincount(np.searchsorted(starts, opens, side="right") - 1, minlength=len(starts))
    safe &= per_line < MAX_DEPTH
    # runs of equal safety; a short clean run between odd lines is read line by line with them
    change = np.flatnonzero(np.diff(safe.astype(np.int8))) + 1
    bounds = np.concatenate(([0], change, [len(safe)])).tolist()
    runs = [[bool(safe[a]), a, b] for a, b in zip(bounds[:-1], bounds[1:])]
    for run in runs:
        if run[0] and run[2] - run[1] < SHORT_RUN and len(runs) > 1:
            run[0] = False
    merged: list[list] = []
    for run in runs:
        if merged and merged[-1][0] == run[0]:
            merged[-1][2] = run[2]
        else:
            merged.append(run)
    for ok, a, b in merged:  # a run's bytes end after its last line's feed
        yield ok, a, int(starts[a]), min(int(ends[b - 1]) + 1, len(data))
