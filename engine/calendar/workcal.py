"""The working-day calendar: an index built once and O(1) scalar arithmetic over it (`deadline` is the
entry point). The same calendar's array forms are in `array_forms`, its explanations in words in
`day_steps`; `WorkCalendar` gathers them so callers hold one object.

Counting follows the Civil Code (民法典第二百零一至二百零三条) as defaults, see docs/calendar.md:
the start day is not counted; a period in days whose last day is a rest day rolls to the next
working day; N working days end on the N-th working day strictly after the start day; hours run
round the clock; a deadline is 24:00 of its last day unless a closing time is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from dateutil.relativedelta import relativedelta

from ..errors import CalendarCoverageError
from .array_forms import ArrayForms
from .day_steps import DaySteps
from .deadline import SHANGHAI, WEEKDAY_ZH, Conventions, Deadline, minute_text, start_step, to_shanghai
from .period import Period
from .sources import NATIONAL, CalendarData, DayNote, load_calendar_data

T = TypeVar("T")


@dataclass(frozen=True)
class DayInfo:
    """One day's status and why."""

    date: dt.date
    working: bool
    kind: str  # weekday | weekend | holiday | makeup
    name: str | None = None
    source: str | None = None

    @property
    def reason(self) -> str:
        wd = f"周{WEEKDAY_ZH[self.date.weekday()]}"
        if self.kind == "weekday":
            return f"{wd}，工作日"
        if self.kind == "weekend":
            return f"{wd}，周末休息"
        if self.kind == "makeup":
            return f"{wd}，{self.name}调休上班"
        return f"{wd}，{self.name}放假"


class WorkCalendar(ArrayForms, DaySteps):
    """Working days of one calendar (national, or national plus a local layer), indexed once."""

    def __init__(self, data: CalendarData):
        self.data = data
        self.name = data.name
        years = sorted(data.coverage)
        self.first_year, self.last_year = years[0], years[-1]
        self._base = dt.date(self.first_year, 1, 1).toordinal()
        end = dt.date(self.last_year, 12, 31).toordinal()
        size = end - self._base + 1
        working = np.zeros(size, dtype=bool)
        covered = np.zeros(size, dtype=bool)
        for i in range(size):
            day = dt.date.fromordinal(self._base + i)
            note = data.notes.get(day)
            working[i] = note.working if note else day.weekday() < 5
            covered[i] = day.year in data.coverage
        self._working = working
        self._cum = np.cumsum(working, dtype=np.int64)  # working days in [0, i]
        self._work_idx = np.flatnonzero(working).astype(np.int64)  # index of the k-th working day
        self._uncovered = np.cumsum(~covered, dtype=np.int64)  # uncovered days in [0, i]
        self._has_gaps = bool(self._uncovered[-1])
        # plain lists make scalar look-ups several times faster than numpy scalar indexing
        self._working_l = working.tolist()
        self._cum_l = self._cum.tolist()
        self._work_l = self._work_idx.tolist()
        self._unc_l = self._uncovered.tolist()
        self._day_texts: dict[int, str] = {}
        self._day_steps: dict[tuple, tuple] = {}
        self._day_dues: dict[tuple, tuple] = {}

    # -- coverage -------------------------------------------------------------------------
    @property
    def covered_years(self) -> list[int]:
        return sorted(self.data.coverage)

    @cached_property
    def bounds(self) -> tuple[WorkCalendar, WorkCalendar]:
        """(earliest, latest) arrangement of the unpublished years after the last covered one (`horizon`),
        built on first use: an audit that stays inside the covered years never pays for it."""
        from .horizon import bound_data, derive_envelope

        early, late = bound_data(self.data, derive_envelope(self.data.notes, self.covered_years))
        return WorkCalendar(early), WorkCalendar(late)

    def beyond(self, compute: Callable[[WorkCalendar], T]) -> tuple[T | None, T | None]:
        """`compute(calendar)` under the earliest and the latest arrangement of the unpublished years; None
        for a bound that still needs a day past them (`horizon.HORIZON_YEARS`)."""
        out = []
        for bound in self.bounds:
            try:
                out.append(compute(bound))
            except CalendarCoverageError:
                out.append(None)
        return out[0], out[1]

    def units_range(self, earlier: dt.datetime, later: dt.datetime, unit: str) -> tuple[int, int | None]:
        """`units_between` as (fewest, most): equal inside the covered years; across an unpublished year, over
        its possible arrangements. When `later` lies past every year the arrangements can bound (an as-of or
        an act in 2040), the units up to the end of the last of those years are a floor and `most` is None:
        "at least" that many, never a guess. Raises CalendarCoverageError only when not even a floor exists
        (`earlier` itself past them)."""
        try:
            n = self.units_between(earlier, later, unit)
            return n, n
        except CalendarCoverageError:
            most, fewest = self.beyond(lambda cal: cal.units_between(earlier, later, unit))
            if most is not None and fewest is not None:
                return min(most, fewest), max(most, fewest)
            edge = self.last_bounded_day()
            if not to_shanghai(earlier) < edge < to_shanghai(later):
                raise
            floor = self.beyond(lambda cal: cal.units_between(earlier, edge, unit))
            if None in floor:
                raise
            return min(floor), None

    def last_bounded_day(self) -> dt.datetime:
        """The start of the last day any arrangement is bounded for: 31 December of the last year the calendar
        or its bounds for unpublished years (`horizon.HORIZON_YEARS`) know."""
        last = max(max(bound.data.coverage) for bound in self.bounds)
        return dt.datetime(last, 12, 31, tzinfo=SHANGHAI)

    def _index(self, day: dt.date) -> int:
        year = day.year
        if year not in self.data.coverage:
            raise CalendarCoverageError(year, self.name)
        return day.toordinal() - self._base

    def _check_span(self, i: int, j: int) -> None:
        """Every day between two indices must be covered (a gap year inside the range is unknown)."""
        if self._has_gaps:
            lo, hi = min(i, j), max(i, j)
            if self._unc_l[hi] != self._unc_l[lo]:
                for year in range(
                    dt.date.fromordinal(self._base + lo).year, dt.date.fromordinal(self._base + hi).year + 1
                ):
                    if year not in self.data.coverage:
                        raise CalendarCoverageError(year, self.name)

    def _kth_working(self, k: int) -> int:
        if k < 0:
            raise CalendarCoverageError(self.first_year - 1, self.name)
        if k >= len(self._work_l):
            raise CalendarCoverageError(self.last_year + 1, self.name)
        return self._work_l[k]

    def _date(self, i: int) -> dt.date:
        return dt.date.fromordinal(self._base + i)

    # -- single days ------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        return self._working_l[self._index(day)]

    def day_info(self, day: dt.date) -> DayInfo:
        working = self.is_working_day(day)
        note: DayNote | None = self.data.notes.get(day)
        weekend = day.weekday() >= 5
        if note is None:
            return DayInfo(day, working, "weekend" if weekend else "weekday")
        if working:
            return DayInfo(day, True, "makeup" if weekend else "weekday", note.name, note.source)
        return DayInfo(day, False, "holiday", note.name, note.source)

    def next_working_day(self, day: dt.date, include_self: bool = False) -> dt.date:
        i = self._index(day)
        if include_self and self._working_l[i]:
            return day
        j = self._kth_working(self._cum_l[i])
        self._check_span(i, j)
        return self._date(j)

    def previous_working_day(self, day: dt.date, include_self: bool = False) -> dt.date:
        i = self._index(day)
        if include_self and self._working_l[i]:
            return day
        j = self._kth_working(self._cum_l[i] - self._working_l[i] - 1)
        self._check_span(i, j)
        return self._date(j)

    # -- arithmetic ---------------------------------------------------------------------------
    def add_working_days(self, day: dt.date, n: int, start: str = "strict") -> dt.date:
        """The n-th working day strictly after `day` (n < 0: before it); n == 0 is the day itself.

        With start="next-working" a rest-day start is first moved to the next working day,
        which then counts as the start (chinese-calendar's find_workday convention).
        """
        i = self._index(day)
        if start == "next-working" and not self._working_l[i]:
            i = self._kth_working(self._cum_l[i])
        if n == 0:
            j = i
        elif n > 0:
            j = self._kth_working(self._cum_l[i] + n - 1)
        else:
            j = self._kth_working(self._cum_l[i] - self._working_l[i] + n)
        self._check_span(self._index(day), j)
        return self._date(j)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d <= end (negative when end is before start)."""
        i, j = self._index(start), self._index(end)
        self._check_span(i, j)
        return self._cum_l[j] - self._cum_l[i]

    def add_days(self, day: dt.date, n: int, roll: bool = True) -> dt.date:
        """day + n calendar days; with roll, a rest-day result moves to the next working day (art. 203)."""
        last = dt.date.fromordinal(day.toordinal() + n)
        return self.next_working_day(last, include_self=True) if roll else last

    def add_months(self, day: dt.date, n: int, roll: bool = True) -> dt.date:
        """Corresponding day n months on, clamped to the month end (art. 202), then rolled (art. 203)."""
        last = day + relativedelta(months=n)
        return self.next_working_day(last, include_self=True) if roll else last

    # -- deadlines ------------------------------------------------------------------------------
    def deadline(
        self,
        start: dt.datetime | dt.date,
        period: Period | str,
        conventions: Conventions = Conventions(),
        tz: ZoneInfo = SHANGHAI,
        pauses: list[tuple[dt.datetime, dt.datetime, str]] = (),
        extension: int = 0,
        extension_note: str = "",
        explain: bool = True,
    ) -> Deadline:
        """When a period that starts at `start` runs out, with the counting steps in words.

        `pauses` are (from, to, why) intervals not counted (e.g. 条例第三十三条: third-party consultation):
        in working days, those strictly after the pause's start day through its end day; in days, the
        calendar days between; in hours, the exact duration. `extension` adds units of the period's own unit.
        With explain=False the steps are not written now (the audit's hot path) but on `Deadline.explain()`.
        """
        period = Period.parse(period) if isinstance(period, str) else period
        start = to_shanghai(start)
        if not explain:
            if pauses or extension or period.unit == "h":
                due, last = self._due(start, period, conventions, tz, pauses, extension)
            else:  # the common case depends on the start's day alone: computed once per day
                key = (start.astimezone(tz).date(), period, conventions, tz.key)
                found = self._day_dues.get(key)
                if found is None:
                    if len(self._day_dues) > 100_000:
                        self._day_dues.clear()
                    found = self._day_dues[key] = self._due(start, period, conventions, tz, (), 0)
                due, last = found
            return Deadline(
                start,
                period,
                due,
                last,
                explainer=lambda: (
                    self.deadline(start, period, conventions, tz, pauses, extension, extension_note).steps
                ),
            )
        local = start.astimezone(tz)
        steps = [start_step(minute_text(local), local.weekday(), tz.key)]
        if period.unit == "h":
            due = start + dt.timedelta(hours=period.amount)
            steps.append(
                f"按小时计算，自事件时刻起算，昼夜连续计算、节假日照算（民法典第二百零一条第二款）: "
                f"+{period.amount}小时 = {due.astimezone(tz):%Y-%m-%d %H:%M}"
            )
            for begin, end, why in pauses:
                due += end - begin
                steps.append(
                    f"暂停 {begin.astimezone(tz):%Y-%m-%d %H:%M} 至 {end.astimezone(tz):%Y-%m-%d %H:%M}"
                    f"（{why}），不计 {(end - begin).total_seconds() / 3600:g} 小时"
                )
            if extension:
                due += dt.timedelta(hours=extension)
                steps.append(f"延长 {extension} 小时{extension_note}")
            return Deadline(start, period, due, None, steps)
        pause_days = tuple(
            (begin.astimezone(tz).date(), end.astimezone(tz).date(), why) for begin, end, why in pauses
        )
        tail, due, last, counted = self.day_steps(
            local.date(), period, conventions, tz, pause_days, extension, extension_note
        )
        return Deadline(start, counted, due, last, steps + list(tail))

    def _due(
        self,
        start: dt.datetime,
        period: Period,
        conventions: Conventions,
        tz: ZoneInfo,
        pauses,
        extension: int,
    ) -> tuple[dt.datetime, dt.date | None]:
        """The same arithmetic as `deadline`, without words (a property test keeps the two equal)."""
        if period.unit == "h":
            due = start + dt.timedelta(hours=period.amount + extension)
            for begin, end, _ in pauses:
                due += end - begin
            return due, None
        day = start.astimezone(tz).date()
        amount = period.amount + extension
        for begin, end, _ in pauses:
            b, e = begin.astimezone(tz).date(), end.astimezone(tz).date()
            amount += max(
                self.working_days_between(b, e) if period.unit == "wd" else e.toordinal() - b.toordinal(), 0
            )
        if period.unit == "wd":
            first = (
                self.next_working_day(day)
                if conventions.start == "next-working" and not self.is_working_day(day)
                else day
            )
            last = self.add_working_days(first, amount)
        elif period.unit == "d":
            last = self.add_days(day, amount, conventions.roll)
        else:
            last = self.add_months(day, amount * (12 if period.unit == "y" else 1), conventions.roll)
        if conventions.closing is None:
            return dt.datetime.combine(dt.date.fromordinal(last.toordinal() + 1), dt.time(0), tz), last
        return dt.datetime.combine(last, conventions.closing, tz), last

    def units_between(self, earlier: dt.datetime, later: dt.datetime, unit: str) -> int:
        """How far `later` is past `earlier`, in a rule's unit (hours rounded up; months count as days).

        Used for "late by" and "time left": working days are those strictly after the earlier
        day through the later day.
        """
        a, b = to_shanghai(earlier).astimezone(SHANGHAI), to_shanghai(later).astimezone(SHANGHAI)
        if unit == "h":
            return -int(-(b - a).total_seconds() // 3600)
        if unit == "wd":
            return self.working_days_between(a.date(), b.date())
        return b.date().toordinal() - a.date().toordinal()


_CACHE: dict[tuple, WorkCalendar] = {}


def load_calendar(name: str = NATIONAL, dirs: list | None = None) -> WorkCalendar:
    """Build (once per process and set of files) the calendar called `name`."""
    key = (name, tuple(str(d) for d in dirs) if dirs else None)
    if key not in _CACHE:
        _CACHE[key] = WorkCalendar(load_calendar_data(name, dirs))
    return _CACHE[key]
