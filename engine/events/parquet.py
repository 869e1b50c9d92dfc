"""Event logs in Parquet, read row group by row group so that damage costs only the rows it touches.

A file whose footer cannot be read is an error naming it (nothing of it can be located). A row group
whose pages are damaged (an intact footer over corrupted data) rejects its unread rows, each with its row
number and the reason, and reading goes on with the next group: read + rejected = rows in the footer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ShixianError
from .jsonl import BadRecord


def open_parquet(path: Path):
    """A Parquet file for reading in batches, or a ShixianError that names it."""
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # a corrupt or non-Parquet file: say so, do not crash
        raise ShixianError(
            f"{path}: 不是可读取的 Parquet 文件 (not a readable Parquet file: {exc})"
        ) from None


def batches(
    path: Path, row_groups: list[int] | None = None, batch_size: int = 1 << 18
) -> Iterator[tuple[int, Any, int, str | None]]:
    """(first row number, record batch or None, rows, why unreadable or None) over the row groups, rows
    numbered from 1 at the file's first row."""
    source = open_parquet(path)
    metadata = source.metadata
    sizes = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
    for group in range(len(sizes)) if row_groups is None else row_groups:
        row = sum(sizes[:group]) + 1
        done = 0
        try:
            for batch in source.iter_batches(batch_size=batch_size, row_groups=[group]):
                yield row + done, _times_as_text(batch), batch.num_rows, None
                done += batch.num_rows
        except Exception as exc:  # damaged pages: pyarrow raises OSError, ArrowInvalid, ...
            yield (
                row + done,
                None,
                sizes[group] - done,
                (
                    f"Parquet 数据损坏，第 {group + 1} 个行组从此行起无法读取 (damaged row group: {str(exc)[:200]})"
                ),
            )


def _times_as_text(batch):
    """Date, time and timestamp columns as ISO text, which the readers parse like any other time: a value
    past Python's years (a timestamp in year 10000) becomes text that is rejected with its row, where
    converting it to a datetime would raise for the whole batch."""
    import pyarrow as pa
    import pyarrow.compute as pc

    temporal = [i for i, f in enumerate(batch.schema) if pa.types.is_temporal(f.type)]
    if not temporal:
        return batch
    columns = list(batch.columns)
    for i in temporal:
        columns[i] = pc.cast(columns[i], pa.string())
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def clean_record(row: dict) -> dict:
    """A Parquet (or pyarrow) row as a record: absent values dropped, a typed time as ISO text."""
    record = {k: v for k, v in row.items() if v is not None}
    if "time" in record and not isinstance(record["time"], str):
        value = record["time"]
        record["time"] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return record


def batch_rows(batch) -> list[dict] | BadRecord:
    """The rows of a batch as dicts, or why they cannot be (a timestamp past Python's years, ...)."""
    try:
        return batch.to_pylist()
    except Exception as exc:
        return BadRecord(f"Parquet 值无法读取 (unreadable value: {str(exc)[:200]})")


def parquet_records(path: Path) -> Iterator[tuple[int, str | None, Any]]:
    """(row number, None, record or BadRecord) of every row of a Parquet file; the row number stands for the
    line (the raw text is written only if the row is rejected)."""
    for first, batch, count, why in batches(path, batch_size=65_536):
        rows = batch_rows(batch) if batch is not None else BadRecord(why)
        for k in range(count):
            yield first + k, None, rows if isinstance(rows, BadRecord) else clean_record(rows[k])
