"""On-time figures: how many obligations were judged and what share of them was met on time.

One home for the meaning, used by the workbench's 总览 and the static reports. An obligation is
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

    def add(self, status: str) -> None:
        kind = CLASS_OF.get(status)
        if kind:
            setattr(self, kind, getattr(self, kind) + 1)


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
