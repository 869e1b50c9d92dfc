"""What a deadline is and how it is written: the counting conventions a rule chooses, the computed
deadline (due instant, last day, the steps in words), and the moments of messages (`2024-10-08 24:00`,
`起算: ...`), in Asia/Shanghai unless an event names another zone. Shared by the scalar arithmetic
(`workcal`), the array forms and the explanations, so each is written once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from .period import Period

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAY_ZH = "一二三四五六日"
START_RULES = ("strict", "next-working")


@dataclass(frozen=True)
class Conventions:
    """How one rule counts: roll a rest-day last day (art. 203), start-day rule, closing time."""

    roll: bool = True
    start: str = "strict"  # strict: N-th working day after the start day; next-working: a rest-day start counts from the next working day
    closing: dt.time | None = None  # None means 24:00 of the last day

    def __post_init__(self) -> None:
        if self.start not in START_RULES:
            raise ValueError(f"start rule must be one of {START_RULES}, got {self.start!r}")


@dataclass
class Deadline:
    """A computed deadline: the instant it falls due, its last day, and the steps that led there."""

    start: dt.datetime
    period: Period
    due: dt.datetime
    last_day: dt.date | None  # None for periods in hours
    steps: list[str] = field(default_factory=list)
    explainer: Callable[[], list[str]] | None = field(default=None, repr=False, compare=False)

    def explain(self) -> list[str]:
        """The counting steps, computed on first use when the deadline was built without them."""
        if not self.steps and self.explainer is not None:
            self.steps = self.explainer()
        return self.steps

    @cached_property
    def due_text(self) -> str:  # written once: a finding's message and its deadline_text both use it
        return format_due(self.due, self.last_day)


def format_due(due: dt.datetime, last_day: dt.date | None) -> str:
    """`2024-10-08 24:00` for an end-of-day deadline, the plain instant otherwise."""
    local = due.astimezone(SHANGHAI)
    if last_day is not None and local.time() == dt.time(0) and local.date() > last_day:
        return f"{last_day.isoformat()} 24:00"
    return minute_text(local)


def minute_text(moment: dt.datetime) -> str:
    """'2024-10-08 09:30': a moment to the minute as written in messages (strftime is several times slower)."""
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"


def start_step(minute: str, weekday: int, zone: str) -> str:
    """The first step of every explanation: when the period starts (`minute_text`, `date.weekday()`), in the
    zone it is counted in."""
    return f"起算: {minute} 周{WEEKDAY_ZH[weekday]}（{zone}）"


def to_shanghai(instant: dt.datetime | dt.date) -> dt.datetime:
    """An aware instant; naive values and bare dates are Asia/Shanghai wall time."""
    if not isinstance(instant, dt.datetime):
        instant = dt.datetime.combine(instant, dt.time(0))
    if instant.tzinfo is None:
        return instant.replace(tzinfo=SHANGHAI)
    return instant
