"""The calendar's arithmetic over numpy arrays, for the columnar audit: many starts at once with no
per-day Python loop. Each method answers what its scalar twin in `workcal` answers (property tests in
tests/test_calendar_properties.py hold them equal) and says where it cannot (`ok` False, or
CalendarCoverageError), so those starts are computed one by one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..errors import CalendarCoverageError
from .deadline import Conventions
from .period import Period

_EPOCH = dt.date(1970, 1, 1).toordinal()


class ArrayForms:
    """The array methods of `WorkCalendar`, over the day index its `__init__` builds (the attributes below)
    and its scalar checks (`_check_span`, `_date`)."""

    first_year: int
    last_year: int
    name: str
    _base: int
    _working: np.ndarray
    _cum: np.ndarray
    _work_idx: np.ndarray
    _uncovered: np.ndarray
    _has_gaps: bool

    def add_working_days_array(self, days: np.ndarray, n: int | np.ndarray) -> np.ndarray:
        """Vectorised strict add: datetime64[D] array in, datetime64[D] array out, no per-day loop."""
        idx = days.astype("datetime64[D]").astype(np.int64) - (self._base - _EPOCH)
        self._check_array(idx)
        k = self._cum[idx] + np.asarray(n, dtype=np.int64) - 1
        if k.size and (k.max() >= len(self._work_idx) or k.min() < 0):
            raise CalendarCoverageError(
                self.last_year + 1 if k.max() >= len(self._work_idx) else self.first_year - 1, self.name
            )
        out = self._work_idx[k]
        if self._has_gaps and np.any(self._uncovered[out] != self._uncovered[idx]):
            bad = int(np.argmax(self._uncovered[out] != self._uncovered[idx]))
            self._check_span(int(idx[bad]), int(out[bad]))
        return (out + (self._base - _EPOCH)).astype("datetime64[D]")

    def due_array(
        self,
        start_us: np.ndarray,
        start_day: np.ndarray,
        period: Period,
        conventions: Conventions = Conventions(),
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`_due` for many starts at once (no pauses, no extension), for the columnar audit's screen.

        start_us: instants in microseconds since the epoch (UTC); start_day: their Asia/Shanghai dates as
        days since 1970-01-01. Returns (due instants in µs, last days as epoch days or -1 for hours, ok).
        ok is False where the scalar arithmetic would raise CalendarCoverageError or is not vectorised
        (months, years): those starts must be computed one by one.
        """
        start_us = np.asarray(start_us, dtype=np.int64)
        n = len(start_us)
        if period.unit == "h":
            return start_us + period.amount * 3_600_000_000, np.full(n, -1, np.int64), np.ones(n, bool)
        if period.unit not in ("wd", "d") or self.first_year < 1992:  # Shanghai is UTC+8 throughout from 1992
            return np.zeros(n, np.int64), np.full(n, -1, np.int64), np.zeros(n, bool)
        size, shift = len(self._working), self._base - _EPOCH
        idx = np.asarray(start_day, dtype=np.int64) - shift
        ok = np.ones(n, bool)

        def covered(i):  # inside the table and in a covered year
            inside = (i >= 0) & (i < size)
            c = np.clip(i, 0, size - 1)
            prev = np.where(c > 0, self._uncovered[np.maximum(c - 1, 0)], 0)
            return inside & (self._uncovered[c] == prev)

        def next_working(i):  # the first working day strictly after i (k-th working day, k = cum[i])
            k = self._cum[np.clip(i, 0, size - 1)]
            good = k < len(self._work_idx)
            return self._work_idx[np.minimum(k, len(self._work_idx) - 1)], good

        if period.unit == "wd":
            ok &= covered(idx)
            i = np.clip(idx, 0, size - 1)
            first = i
            if conventions.start == "next-working":
                nxt, good = next_working(i)
                rest = ~self._working[i]
                first, ok = np.where(rest, nxt, i), ok & (good | ~rest)
            if period.amount == 0:
                last = first
            else:
                k = self._cum[first] + period.amount - 1
                ok &= (k >= 0) & (k < len(self._work_idx))
                last = self._work_idx[np.clip(k, 0, len(self._work_idx) - 1)]
            ok &= self._uncovered[last] == self._uncovered[i]
        else:
            raw = idx + period.amount
            if conventions.roll:
                ok &= covered(raw)
                r = np.clip(raw, 0, size - 1)
                nxt, good = next_working(r)
                rest = ~self._working[r]
                last = np.where(rest, nxt, r)
                ok &= (good | ~rest) & (self._uncovered[last] == self._uncovered[r])
            else:
                last = raw
        last_day = np.asarray(last, dtype=np.int64) + shift
        day_us, offset = 86_400_000_000, 8 * 3_600_000_000
        if conventions.closing is None:
            due = (last_day + 1) * day_us - offset
        else:
            c = conventions.closing
            due = (
                last_day * day_us
                + ((c.hour * 60 + c.minute) * 60 + c.second) * 1_000_000
                + c.microsecond
                - offset
            )
        return due, last_day, ok

    def working_days_between_array(
        self, start_day: np.ndarray, end_day: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """`working_days_between` for many pairs of epoch days at once: (counts, ok), ok False where the
        scalar one would raise CalendarCoverageError (those pairs must be computed one by one)."""
        shift, size = self._base - _EPOCH, len(self._working)
        i, j = np.asarray(start_day, np.int64) - shift, np.asarray(end_day, np.int64) - shift
        ok = (i >= 0) & (i < size) & (j >= 0) & (j < size)
        ci, cj = np.clip(i, 0, size - 1), np.clip(j, 0, size - 1)
        lo, hi = np.minimum(ci, cj), np.maximum(ci, cj)
        before = np.where(lo > 0, self._uncovered[np.maximum(lo - 1, 0)], 0)
        ok &= self._uncovered[hi] == before  # every day of the span in a covered year
        return self._cum[cj] - self._cum[ci], ok

    def _check_array(self, idx: np.ndarray) -> None:
        if not idx.size:
            return
        if idx.min() < 0:
            raise CalendarCoverageError(
                self._date(int(idx.min())).year if idx.min() + self._base > 0 else 1, self.name
            )
        if idx.max() >= len(self._working):
            raise CalendarCoverageError(self.last_year + 1, self.name)
        if self._has_gaps:
            outside = self._uncovered[idx] != np.where(idx > 0, self._uncovered[np.maximum(idx - 1, 0)], 0)
            if np.any(outside):
                raise CalendarCoverageError(self._date(int(idx[np.argmax(outside)])).year, self.name)
