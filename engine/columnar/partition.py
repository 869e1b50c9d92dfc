"""Which partition a body's events belong to: one stable hash, shared by the Dask split (engine/scale.py)
and the event store's files (engine/state/eventstore.py), so both put a body in the same place.

Why a hash of the body: every rule is judged within one body, so a body's events must be together; crc32
spread similar names (江苏省001司法局, 江苏省002司法局 ...) unevenly, blake2b does not.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def body_partition(body: str, parts: int) -> int:
    """The same number in every process and on every machine."""
    return int.from_bytes(hashlib.blake2b(body.encode("utf-8"), digest_size=8).digest(), "big") % parts


def row_partitions(table: pa.Table, parts: int) -> np.ndarray:
    """The partition of each row of a table by its `body` column (absent or null: the empty body)."""
    bodies = table.column("body") if "body" in table.column_names else pa.nulls(table.num_rows, pa.string())
    if not pa.types.is_string(bodies.type):
        bodies = bodies.cast(pa.string())
    encoded = pc.fill_null(bodies, "").combine_chunks().dictionary_encode()
    which = np.array([body_partition(b, parts) for b in encoded.dictionary.to_pylist()], dtype=np.int64)
    return which[encoded.indices.to_numpy(zero_copy_only=False)] if len(which) else np.zeros(0, np.int64)
