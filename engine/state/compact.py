"""`shixian store compact`: merge each partition's small files (a few per nightly ingest) into one, in one
transaction.

Why: every ingest adds a file per body partition it touches, so a year of nights is thousands of small
files, and every audit opens them all. A compacted partition holds the same rows with the same places in the
order of ingestion (`_seq`), so an audit reads exactly the events it read before (tests compare the findings).

Same guarantees as an ingest (engine/state/eventstore.py): the merged files are written and flushed first,
then the manifest and the id index are switched to them in one transaction; killed before COMMIT, the new
files are orphans nobody lists (removed by the next writer), the old ones still listed; after COMMIT, the
old files are unlisted and removed. The merged file belongs to the latest ingest it holds rows of, so the
incremental audit reads it whole when any of its rows is new to it. Run it when no audit is running (a
`--backend dask` audit reads files after its snapshot).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import eventstore
from .ingest import _concatenated


@dataclass
class Compacted:
    partitions: int  # partitions merged
    files_before: int
    files_after: int
    rows: int


def compact(store) -> Compacted:
    """Merge the files of columns of every partition that has more than one."""
    done = Compacted(0, 0, 0, 0)
    removed: list = []
    with store.writing_files():
        db, directory = store.db, store.event_dir
        next_file = db.execute("SELECT coalesce(max(id), 0) + 1 FROM event_files").fetchone()[0]
        token = secrets.token_hex(4)
        parts = db.execute(
            "SELECT part FROM event_files WHERE kind = 'table' GROUP BY part HAVING count(*) > 1 ORDER BY part"
        ).fetchall()
        for (part,) in parts:
            files = db.execute(
                "SELECT id, ingest, path FROM event_files WHERE kind = 'table' AND part = ? ORDER BY id",
                (part,),
            ).fetchall()
            tables = [pq.read_table(directory / path) for _, _, path in files]
            merged = []
            for table in _concatenated([t.select(sorted(t.column_names)) for t in tables]):
                merged.append(table.take(pc.sort_indices(table.column("_seq"))))
            ingest = max(ingest for _, ingest, _ in files)
            old = [fid for fid, _, _ in files]
            holder = {}  # each new file's id for the rows it holds (by the old file they came from)
            for table in merged:
                fid, next_file = next_file, next_file + 1
                relative = f"p{part:03d}/c{ingest:07d}-{token}-{fid:08d}.parquet"
                eventstore.write_file(table, directory / relative)
                db.execute(
                    "INSERT INTO event_files VALUES (?, ?, ?, 'table', ?, ?)",
                    (fid, ingest, part, relative, table.num_rows),
                )
                holder[fid] = table
            _repoint_ids(db, old, holder)
            db.executemany("DELETE FROM event_files WHERE id = ?", ((fid,) for fid in old))
            removed += [directory / path for _, _, path in files]
            done.partitions += 1
            done.files_before += len(files)
            done.files_after += len(merged)
            done.rows += sum(t.num_rows for t in merged)
        if parts:
            db.execute(
                "INSERT INTO meta VALUES ('last_compaction', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (json.dumps({"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **done.__dict__}),),
            )
    for path in removed:  # unlisted since COMMIT
        path.unlink(missing_ok=True)
    return done


def _repoint_ids(db, old: list[int], holder: dict[int, pa.Table]) -> None:
    """The id index names, for each id, the file that holds it: from the old files to the merged ones."""
    if len(holder) == 1:
        (fid,) = holder
        db.executemany("UPDATE event_ids SET file = ? WHERE file = ?", ((fid, o) for o in old))
        return
    for fid, table in holder.items():
        ids = table.column("id").to_pylist()
        db.executemany("UPDATE event_ids SET file = ? WHERE id = ?", ((fid, i) for i in ids))
