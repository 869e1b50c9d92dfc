"""On-time figures: how many obligations were judged and what share of them was met on time.

One home for the meaning, used by the audit (which counts every obligation it judges, `ObligationCounts`,
stored with the run), the workbench's 总览 and the static reports. An obligation is
*judged* once its outcome is known: met on time, done late (or broken: a period too short, fields
missing, too few), or overdue; obligations still running (pending, paused, due soon) are *open* and
are not in the denominator; undetermined ones (the calendar lacks a year) are counted apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

CLASS_OF = {
    "on_time": "on_time",
    "met": "on_time",
    "late": "late",
    "short": "late",
    "below_count": "late",
    "missing_fields": "late",
    "unlinked": "late",
    "out_of_order": "late",
    "gap_exceeded": "late",
    "below_ratio": "late",
    "overdue": "overdue",
    "pending": "open",
    "paused": "open",
    "due_soon": "open",
    "undetermined": "undetermined",
}


CLASSES = ("on_time", "late", "overdue", "open", "undetermined")


@dataclass
class Tally:
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0
    undetermined: int = 0

    @property
    def judged(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def rate(self) -> float | None:
        return self.on_time / self.judged if self.judged else None

    @property
    def rate_text(self) -> str:
        """e.g. '87.5%（35/40）': the share with its denominator; '—' when nothing was judged."""
        if not self.judged:
            return "—"
        return f"{100 * self.on_time / self.judged:.1f}%（{self.on_time}/{self.judged}）"

    def add(self, status: str, n: int = 1) -> None:
        kind = CLASS_OF.get(status)
        if kind:
            setattr(self, kind, getattr(self, kind) + n)

    def merge(self, other: Tally) -> None:
        for kind in CLASSES:
            setattr(self, kind, getattr(self, kind) + getattr(other, kind))

    def values(self) -> list[int]:
        return [getattr(self, kind) for kind in CLASSES]

    def to_json(self) -> dict:
        """The classes, the denominator and the rate (on time / judged, None when nothing was judged)."""
        rate = round(self.on_time / self.judged, 6) if self.judged else None
        return {
            **{kind: getattr(self, kind) for kind in CLASSES},
            "judged": self.judged,
            "on_time_rate": rate,
        }


def tally(outcomes: Iterable, key: Callable) -> dict:
    """Tallies of outcomes (findings and quiet outcomes alike, with .status) by key(outcome)."""
    out: dict = {}
    for outcome in outcomes:
        out.setdefault(key(outcome), Tally()).add(outcome.status)
    return out


def month_range(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    """Every (year, month) from first to last inclusive: a chart's axis with no month skipped."""
    index, end = first[0] * 12 + first[1] - 1, last[0] * 12 + last[1] - 1
    return [(i // 12, i % 12 + 1) for i in range(index, end + 1)]


def deadline_month(deadline_text: str | None) -> str:
    """The month of an obligation's deadline as its text writes it, the last day's ('2024-03-31 24:00' is
    March's; a range of an unpublished year, its earliest); '' when it has none (a paused clock, a missing
    field) or the text does not start with a date."""
    text = deadline_text or ""
    if len(text) >= 7 and text[4] == "-" and text[:4].isdigit() and text[5:7].isdigit():
        return text[:7]
    return ""


Key = tuple[str, str, str, str]  # body, department, rule, month of the deadline ('' for none)


class ObligationCounts(dict):
    """Every obligation an audit judged, by (body, department, rule, month of the deadline) -> Tally: the
    findings and the quiet outcomes (met on time, still open) alike, counted where they are judged (the
    row evaluators' Context, the columnar screen for what it sets aside) so that no run needs to keep or
    re-read the quiet ones. Stored with the run (the audit database's obligation_counts) and read by the
    workbench and the HTML and xlsx reports."""

    def add(self, body: str, department: str | None, rule: str, month: str, status: str, n: int = 1) -> None:
        key = (body, department or "", rule, month)
        tally_ = self.get(key)
        if tally_ is None:
            tally_ = self[key] = Tally()
        tally_.add(status, n)

    def merge(self, other: ObligationCounts) -> ObligationCounts:
        for key, value in other.items():
            self.setdefault(key, Tally()).merge(value)
        return self

    def rows(self) -> list[list]:
        """[body, department, rule, month, on_time, late, overdue, open, undetermined], sorted: for the
        database and for the JSON of a Dask shard."""
        return [[*key, *value.values()] for key, value in sorted(self.items()) if any(value.values())]

    @classmethod
    def from_rows(cls, rows) -> ObligationCounts:
        out = cls()
        for row in rows:
            out.setdefault(tuple(row[:4]), Tally()).merge(Tally(*row[4:9]))
        return out

    def by(self, key: Callable[[Key], object], keep: Callable[[Key], bool] | None = None) -> dict:
        """Tallies summed by key(body, department, rule, month), over the keys keep() accepts."""
        out: dict = {}
        for k, value in self.items():
            if keep is None or keep(k):
                out.setdefault(key(k), Tally()).merge(value)
        return out

    def total(self, keep: Callable[[Key], bool] | None = None) -> Tally:
        return self.by(lambda k: None, keep).get(None, Tally())

    def by_month(self, keep: Callable[[Key], bool] | None = None) -> dict[str, dict[str, int]]:
        """{"2024-03": {"on_time": 5, "late": 1, ...}} for a month chart (undetermined left out)."""
        out: dict[str, dict[str, int]] = {}
        for month, value in self.by(lambda k: k[3], keep).items():
            if month:
                out[month] = {kind: getattr(value, kind) for kind in CLASSES[:4] if getattr(value, kind)}
        return out
