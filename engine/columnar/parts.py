"""Event files in parts as the frame reader takes them: tables pyarrow reads (Parquet batches, runs of JSON
Lines, a ledger through its mapping) and the rows it cannot read, to be read one by one.

Apart from frame.py, which lays the parts out as columns, because the Dask split (engine/scale.py) and the
event store's ingest cut files into the same parts without building a frame.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from .. import ledger
from ..errors import ShixianError
from ..events import jsonl, parquet
from ..events.read import BadRecord, file_records
from ..model.events import CORE_FIELDS

_JSON_TYPES = (pa.types.is_string, pa.types.is_int64, pa.types.is_null)


def file_parts(path: Path) -> Iterator[tuple[pa.Table | None, np.ndarray | None, list | None]]:
    """A file in parts: (table, line numbers, None) read by pyarrow, or (None, None, rows) to be read
    row by row, rows being (line, raw text, record or BadRecord) as `events.read.file_records` gives them."""
    if not path.is_file():
        raise ShixianError(f"{path}: no such event file")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield from parquet_parts(path)
    elif ledger.is_ledger(path):  # a workbook or CSV ledger through its mapping (engine/ledger): a table
        yield from ledger.parts(path)
    elif suffix == ".csv":
        yield None, None, list(file_records(path))
    else:
        yield from jsonl_parts(path)


def parquet_parts(path: Path, row_groups: list[int] | None = None):
    """Batches of a Parquet file (or of some of its row groups), with their row numbers counted from 1 at
    the file's first row as line numbers; the rows of a damaged row group are rejected, not lost."""
    for first, batch, count, why in parquet.batches(path, row_groups):
        if batch is None:
            yield None, None, [(first + k, "", BadRecord(why)) for k in range(count)]
        else:
            yield pa.Table.from_batches([batch]), np.arange(first, first + count), None


def jsonl_parts(path: Path, start: int = 0, end: int | None = None, first_line: int = 1):
    """A JSON Lines file (or its bytes [start, end), whose first line is `first_line`) in parts, as
    `file_parts` gives them: pyarrow reads the runs of lines `jsonl.pyarrow_runs` lets it see, the rest
    (and any run pyarrow refuses or reads into something else) are read line by line."""
    # pyarrow reads text that looks like a date as a timestamp; such columns are read again as text
    schema = [pa.schema([(k, pa.string()) for k in CORE_FIELDS + ("tz",)])]
    line = first_line
    for block in jsonl.blocks(path, start, end):
        for for_arrow, _, a, b in jsonl.pyarrow_runs(block):
            data = block if (a, b) == (0, len(block)) else block[a:b]
            count = jsonl.line_count(data)
            table = _arrow_table(data, count, schema) if for_arrow else None
            if table is not None:
                yield table, np.arange(line, line + count), None
            else:
                yield None, None, list(jsonl.byte_lines(data, line))
            line += count


def _arrow_table(data: bytes, count: int, schema: list) -> pa.Table | None:
    """Lines (each one object, checked) read by pyarrow, or None when it cannot read them as one row each
    of text and whole numbers in valid UTF-8 (a key that is not UTF-8 fails even to be named: read by rows)."""
    try:
        return _read_arrow(data, count, schema)
    except (pa.ArrowException, UnicodeError):
        return None


def _read_arrow(data: bytes, count: int, schema: list) -> pa.Table | None:
    """`_arrow_table`'s reading; `schema[0]` grows with the columns read as text."""
    import pyarrow.json as pj

    for _ in range(2):
        try:  # in 1 MB chunks, which pyarrow parses on all cores (a line longer fails: read by rows)
            table = pj.read_json(
                io.BytesIO(data),
                read_options=pj.ReadOptions(block_size=1 << 20),
                parse_options=pj.ParseOptions(explicit_schema=schema[0]),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        dated = [f.name for f in table.schema if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type)]
        if not dated:
            break
        schema[0] = pa.schema(list(schema[0]) + [(name, pa.string()) for name in dated])
    else:
        return None
    if table.num_rows != count or not all(any(test(f.type) for test in _JSON_TYPES) for f in table.schema):
        return None
    table.validate(full=True)  # pyarrow does not check UTF-8 while parsing: a Latin-1 line is read by rows
    return table
