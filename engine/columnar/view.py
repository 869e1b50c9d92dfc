"""The frame's events at or before as-of in evaluation order, as the screen and the findings' writer read
them: a column's distinct values and each event's index into them, so tests and keys work on few values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .frame import Frame


@dataclass
class View:
    """The frame's events at or before as-of, in evaluation order (time, then read order)."""

    frame: Frame
    order: np.ndarray
    types: list[str]

    def __post_init__(self) -> None:
        f, o = self.frame, self.order
        self.n = len(o)
        self.instant, self.day, self.year = f.instant[o], f.day[o], f.year[o]
        self.date_only, self.odd = f.date_only[o], f.odd_mask[o]
        self._encoded: dict[str, tuple[pa.Array, np.ndarray]] = {}
        self._linked: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        codes = pc.index_in(self.frame.column("type"), value_set=pa.array(self.types, pa.string()))
        self.type = codes.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)[self.order]

    def take(self, name: str, rows) -> pa.Array:
        """A column's values at some rows of the view (taken from the frame: no whole column is reordered)."""
        return self.frame.column(name).take(pa.array(self.order[np.asarray(rows, np.int64)], pa.int64()))

    def encoded(self, name: str) -> tuple[pa.Array, np.ndarray]:
        """A column as its distinct values (null last, for absent) and each event's index into them, in
        evaluation order: tests and keys work on the few distinct values, not on every row's text."""
        if name not in self._encoded:
            enc = self.frame.column(name).dictionary_encode()
            values = pa.concat_arrays([enc.dictionary, pa.nulls(1, pa.string())])
            codes = enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False).astype(np.int64)
            self._encoded[name] = (values, codes[self.order])
        return self._encoded[name]

    def as_subject(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """An attribute that names a subject, as subject codes: for each of its distinct values the code of
        the subject of that name (`encoded("subject")`), or a code beyond them all; and each event's index."""
        if name not in self._linked:
            subjects = self.encoded("subject")[0]
            values, codes = self.encoded(name)
            found = pc.index_in(subjects[:-1], value_set=values[:-1]).to_numpy(zero_copy_only=False)
            codes_of = len(subjects) + np.arange(
                len(values)
            )  # few distinct values: hash those, probe subjects
            hit = ~np.isnan(found) if found.dtype.kind == "f" else np.ones(len(found), bool)
            codes_of[found[hit].astype(np.int64)] = np.flatnonzero(hit)
            self._linked[name] = (codes_of, codes)
        return self._linked[name]

    def code(self, event_type: str) -> int:
        return self.types.index(event_type) if event_type in self.types else -2

    def of_types(self, types) -> np.ndarray:
        wanted = np.zeros(len(self.types) + 1, bool)  # the last entry is for -1, a type no rule names
        wanted[[self.types.index(t) for t in types if t in self.types]] = True
        return wanted[self.type]


def active_years(view: View) -> dict[str, set[int]]:
    """Body -> years with any event, as the evaluators count them (Evaluation.feed)."""
    values, codes = view.encoded("body")
    pairs = np.unique(codes * 100_000 + view.year)
    names = values.to_pylist()
    out: dict[str, set[int]] = {}
    for code, year in zip((pairs // 100_000).tolist(), (pairs % 100_000).tolist()):
        out.setdefault(names[code], set()).add(year)
    return out
