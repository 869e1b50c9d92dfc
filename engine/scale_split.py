"""The split of a partitioned audit (engine/scale.py): the inputs streamed once into shard files by body
partition, Arrow IPC for what pyarrow reads and raw text for the rest, each row with where it came from.
Parquet files (a few row groups each) and JSON Lines files from SPLIT_JSONL_BYTES (byte ranges cut at line
ends) are cut into pieces that split tasks on the workers read (`split_piece`); CSV and small files are
split by the process that starts the audit (`split`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from .columnar.partition import body_partition, row_partitions
from .columnar.parts import file_parts, jsonl_parts, parquet_parts
from .events.jsonl import BLOCK_BYTES
from .events.read import Reject, open_parquet

SPLIT_JSONL_BYTES = 4 << 20  # JSON Lines files from this size are split by the workers, in byte ranges

_BODY = re.compile(r'"body"\s*:\s*"((?:[^"\\]|\\.)*)"')


class Shards:
    """Per partition: Arrow IPC files (no encoding: fast to write and to map) of the rows pyarrow read (with
    `_line` and `_seq`: where each row was in the whole log) and a text file of rows to be read one by one
    (`file:line<TAB>seq<TAB>raw`). Several writers (the driver, split tasks) each name theirs by `tag`."""

    def __init__(self, shard_dir: Path, parts: int, tag: str = "d"):
        self.dir, self.parts, self.tag = shard_dir, parts, tag
        self.texts: dict[int, object] = {}
        self.writers: dict[int, tuple[object, pa.Schema]] = {}
        self.files = 0

    def table(self, table: pa.Table, source: str, lines: np.ndarray, seq: np.ndarray) -> None:
        part_of_row = row_partitions(table, self.parts)
        # columns in one order (JSON blocks list them as they first appear): same schema, same shard file
        table = table.select(sorted(table.column_names))
        full = table.append_column("_line", pa.array(lines, pa.int64())).append_column(
            "_seq", pa.array(seq, pa.int64())
        )
        full = full.replace_schema_metadata({"shixian_source": source})
        for p in np.unique(part_of_row).tolist():
            piece = full.filter(pa.array(part_of_row == p))
            writer = self.writers.get(p)
            if writer is None or not writer[1].equals(piece.schema, check_metadata=True):
                if writer is not None:
                    writer[0].close()
                self.files += 1
                path = self.dir / f"shard-{p:04d}-{self.tag}{self.files:06d}.arrow"
                writer = self.writers[p] = (pa.ipc.new_file(str(path), piece.schema), piece.schema)
            writer[0].write_table(piece)

    def row(self, body: str, origin: str, seq: int, raw: str) -> None:
        p = body_partition(body, self.parts)
        if p not in self.texts:
            self.texts[p] = open(
                self.dir / f"shard-{p:04d}-{self.tag}.txt", "w", encoding="utf-8", newline="\n"
            )
        self.texts[p].write(f"{origin}\t{seq}\t{raw}\n")

    def close(self) -> None:
        for out in self.texts.values():
            out.close()
        for writer, _ in self.writers.values():
            writer.close()


@dataclass
class Piece:
    """A part of one input file for a split task: Parquet row groups, or a byte range of JSON Lines cut at
    line ends. `first_line` is the line (row) number of its first record, `first_seq` the place of that
    line in the whole log's read order; `rows`, when known from Parquet metadata, how many it holds."""

    path: str
    first_line: int
    first_seq: int
    row_groups: list[int] | None = None
    start: int = 0
    end: int | None = None
    rows: int | None = None


def parquet_pieces(path: Path, first_seq: int, pieces: int) -> tuple[list[Piece], int]:
    metadata = open_parquet(path).metadata
    sizes = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
    out = []
    for groups in np.array_split(np.arange(len(sizes)), max(min(pieces, len(sizes)), 1)):
        if len(groups):
            first = sum(sizes[: groups[0]])
            out.append(
                Piece(
                    str(path),
                    first + 1,
                    first_seq + first,
                    groups.tolist(),
                    rows=sum(sizes[g] for g in groups),
                )
            )
    return out, sum(sizes)


def jsonl_pieces(path: Path, first_seq: int, pieces: int) -> tuple[list[Piece], int] | None:
    """Byte ranges cut after a line end, each with the number of its first line (only a line feed ends a
    line, engine/events/jsonl.py); None when the file is small."""
    size = path.stat().st_size
    if pieces < 2 or size < SPLIT_JSONL_BYTES:
        return None
    cuts = [0]
    with open(path, "rb") as stream:
        for k in range(1, pieces):
            stream.seek(max(k * size // pieces, cuts[-1]))
            stream.readline()  # to the end of the line the cut falls in
            if stream.tell() < size:
                cuts.append(stream.tell())
        cuts.append(size)
        lines, out = [], []
        for begin, end in zip(cuts, cuts[1:]):
            stream.seek(begin)
            count, left = 0, end - begin
            while left > 0:
                block = stream.read(min(BLOCK_BYTES, left))
                left -= len(block)
                count += block.count(b"\n")
            lines.append(count)
    first = 1
    for (begin, end), count in zip(zip(cuts, cuts[1:]), lines):
        out.append(Piece(str(path), first, first_seq + first - 1, start=begin, end=end))
        first += count
    return out, first  # first - 1 line feeds, and possibly a last line without one


def _split_rows(
    shards: Shards, path: Path, parts, first_line: int, first_seq: int
) -> tuple[int, list[Reject], int]:
    """Write the parts of one file (as `file_parts` gives them) to the shards; a record's place in the read
    order is `first_seq` plus its line's distance from `first_line`. Returns the records, the rejects and
    the last line number seen."""
    count, rejects, last = 0, [], 0
    for table, lines, rows in parts:
        if table is not None:
            shards.table(table, str(path), lines, first_seq + lines - first_line)
            count += table.num_rows
            last = max(last, int(lines[-1])) if len(lines) else last
            continue
        for number, raw, record in rows:
            count += 1
            last = max(last, number)
            if isinstance(record, Exception):
                rejects.append(Reject(str(path), number, str(record), raw))
                continue
            body = record.get("body", "") if isinstance(record, dict) else ""
            text = (
                raw
                if raw is not None and path.suffix.lower() != ".csv"
                else json.dumps(record, ensure_ascii=False, default=str)
            )
            shards.row(
                str(body if body is not None else ""),
                f"{path}:{number}",
                first_seq + number - first_line,
                text,
            )
    return count, rejects, last


def split(
    files: list[Path],
    parts: int,
    shard_dir: Path,
    pieces_per_file: int = 0,
    first_seq: int = 0,
    rows: list[tuple[str, str, int, str]] = (),
) -> tuple[list[str], list[Reject], int, list[Piece]]:
    """Stream every input record into one of `parts` shards by its body (pyarrow where it can read the
    rows, text otherwise). Returns the shard names, the records rejected already here (not JSON, wrong
    CSV columns), the number of records read, and, with `pieces_per_file`, the Parquet and large JSON Lines
    files cut into that many pieces, left for `split_piece` tasks (their records are not counted here).
    With an event store: `first_seq` is where the files start in the read order (after the stored events),
    and `rows` are the events of the database's table as (body, origin, seq, JSON text)."""
    shard_dir.mkdir(parents=True, exist_ok=True)
    shards = Shards(shard_dir, parts)
    rejects: list[Reject] = []
    pieces: list[Piece] = []
    read, seq = len(rows), first_seq  # seq: where the next file's first line stands in the read order
    try:
        for body, origin, place, raw in rows:
            shards.row(body, origin, place, raw)
        for path in map(Path, files):
            suffix = path.suffix.lower()
            cut = None
            if pieces_per_file and path.is_file():
                if suffix == ".parquet":
                    cut = parquet_pieces(path, seq, pieces_per_file)
                elif suffix != ".csv":
                    cut = jsonl_pieces(path, seq, pieces_per_file)
            if cut is not None:
                pieces += cut[0]
                seq += cut[1] + 1
                continue
            count, lost, last = _split_rows(shards, path, file_parts(path), 1, seq)
            read += count
            rejects += lost
            seq += last + 1
    finally:
        shards.close()
    return [str(shard_dir / f"shard-{i:04d}") for i in range(parts)], rejects, read, pieces


def split_piece(piece: Piece, parts: int, shard_dir: str, tag: str) -> str:
    """Run in a worker: split one piece of a file into the shards, as `split` would. Returns JSON text:
    the records read and the rejects (no pickled user data)."""
    path = Path(piece.path)
    shards = Shards(Path(shard_dir), parts, tag)
    try:
        source = (
            parquet_parts(path, piece.row_groups)
            if piece.row_groups is not None
            else jsonl_parts(path, piece.start, piece.end, piece.first_line)
        )
        count, rejects, _ = _split_rows(shards, path, source, piece.first_line, piece.first_seq)
    finally:
        shards.close()
    return json.dumps({"count": count, "rejects": [r.to_json() for r in rejects]}, ensure_ascii=False)
