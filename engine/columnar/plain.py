"""Which rows of a table read by pyarrow are *plain*, and their times and texts as the screen reads them.

A row is plain when a vectorised check vouches for it exactly as `event_from_record` would: the core fields
are non-empty text, the type is known, the row names no time zone of its own and no nested `attrs`, the
attributes the screen reads are text or whole numbers, and its time is a naive ISO date or minute/second
time from 1992 on (Asia/Shanghai is UTC+8 throughout since then). Every other row is read one by one.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

TIME = r"^\d{4}-(0\d|1[0-2])-([0-2]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?)?$"


def plain_rows(table: pa.Table, vocabulary: dict[str, str] | None, attributes) -> np.ndarray:
    """Which rows of a table are plain (see the module's docstring)."""
    names = set(table.column_names)
    n = table.num_rows
    ok = np.ones(n, dtype=bool)

    def text(name):
        column = table.column(name)
        return column if pa.types.is_string(column.type) else None

    for key in ("id", "type", "subject", "time", "body"):
        column = text(key) if key in names else None
        if column is None:
            return np.zeros(n, dtype=bool)
        ok &= pc.fill_null(pc.not_equal(column, ""), False).to_numpy(zero_copy_only=False)
    if vocabulary is not None:
        ok &= pc.is_in(table.column("type"), value_set=pa.array(list(vocabulary))).to_numpy(
            zero_copy_only=False
        )
    for name in ("tz", "attrs", "department"):
        if name in names:
            column = table.column(name)
            if name == "department" and pa.types.is_string(column.type):
                continue
            given = pc.is_valid(column)
            if pa.types.is_string(column.type):
                given = pc.and_(given, pc.fill_null(pc.not_equal(column, ""), False))
            ok &= ~given.to_numpy(zero_copy_only=False)
    for name in attributes:  # attributes the screens read must be text or whole numbers
        if name in names and not (
            pa.types.is_string(table.column(name).type) or pa.types.is_integer(table.column(name).type)
        ):
            ok &= ~pc.is_valid(table.column(name)).to_numpy(zero_copy_only=False)
    ok &= pc.fill_null(pc.match_substring_regex(table.column("time"), TIME), False).to_numpy(
        zero_copy_only=False
    )
    return ok


def wall_seconds(times: pa.Array) -> np.ndarray:
    """Naive ISO times (already matched by TIME) as wall-clock seconds; int64 min where invalid, before
    1992 (the date does not exist, or Asia/Shanghai was not plain UTC+8) or past the years an instant may
    have (the row reader says why)."""
    try:  # pyarrow's ISO 8601 cast checks the calendar (no 30 February) and is fast
        stamps = pc.cast(times, pa.timestamp("s"))
        same = np.ones(len(times), dtype=bool)
    except pa.ArrowInvalid:  # some row does not exist: find which, row by row in C
        length = pc.utf8_length(times)
        suffix = pc.if_else(pc.equal(length, 10), "T00:00:00", pc.if_else(pc.equal(length, 16), ":00", ""))
        full = pc.binary_join_element_wise(times, suffix, "")
        stamps = pc.strptime(full, format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True)
        same = pc.fill_null(pc.equal(pc.strftime(stamps, format="%Y-%m-%dT%H:%M:%S"), full), False).to_numpy(
            zero_copy_only=False
        )
    seconds = stamps.cast(pa.int64()).fill_null(np.iinfo(np.int64).min).to_numpy(zero_copy_only=False).copy()
    bad = (
        ~same | (seconds < 694224000) | (seconds >= 32503680000)
    )  # 1992-01-01, 3000-01-01 (timeparse.MAX_YEAR)
    seconds[bad] = np.iinfo(np.int64).min
    return seconds


def canonical(table: pa.Table, name: str) -> pa.Array:
    """A column as text the way match tests read it: department "" when absent, attributes null."""
    if name not in table.column_names:
        if name == "department":
            return pa.array([""] * table.num_rows, pa.string())
        return pa.nulls(table.num_rows, pa.string())
    column = table.column(name).combine_chunks()
    if not pa.types.is_string(column.type):
        column = (
            column.cast(pa.string())
            if pa.types.is_integer(column.type)
            else pa.nulls(len(column), pa.string())
        )
    if name == "department":
        return pc.fill_null(column, "")
    if name in ("type", "subject", "body"):
        return column
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
