"""The working-day calendar: an index built once, O(1) arithmetic, and explanations in words.

Counting follows the Civil Code (民法典第二百零一至二百零三条) as defaults, see docs/calendar.md:
the start day is not counted; a period in days whose last day is a rest day rolls to the next
working day; N working days end on the N-th working day strictly after the start day; hours run
round the clock; a deadline is 24:00 of its last day unless a closing time is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from dateutil.relativedelta import relativedelta

from ..errors import CalendarCoverageError
from .period import UNITS as UNIT_ZH
from .period import Period
from .sources import NATIONAL, CalendarData, DayNote, load_calendar_data

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAY_ZH = "一二三四五六日"
START_RULES = ("strict", "next-working")
_EPOCH = dt.date(1970, 1, 1).toordinal()
_LONG_WALK = 45  # windows longer than this list only the notable days
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


class WorkCalendar:
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

    def day_steps(
        self,
        day: dt.date,
        period: Period,
        conventions: Conventions,
        tz: ZoneInfo = SHANGHAI,
        pause_days=(),
        extension: int = 0,
        extension_note: str = "",
    ) -> tuple[tuple[str, ...], dt.datetime, dt.date, Period]:
        """The day-counting steps of `deadline` after its first line (`start_step`), its due instant, last
        day and the period counted: the same for every start on one day, so written once and reused."""
        key = (day, period, conventions, tz.key, pause_days, extension, extension_note)
        cached = self._day_steps.get(key)
        if cached is None:
            if len(self._day_steps) > 100_000:  # explanations repeat by day; bound the memory all the same
                self._day_steps.clear()
            cached = self._day_steps[key] = self._count_days(
                day, period, conventions, tz, pause_days, extension, extension_note
            )
        return cached

    def _count_days(
        self,
        day: dt.date,
        period: Period,
        conventions: Conventions,
        tz: ZoneInfo,
        pause_days,
        extension: int,
        extension_note: str,
    ) -> tuple[tuple[str, ...], dt.datetime, dt.date, Period]:
        steps: list[str] = []
        extra = 0
        for b, e, why in pause_days:
            skipped = (
                self.working_days_between(b, e) if period.unit == "wd" else e.toordinal() - b.toordinal()
            )
            extra += max(skipped, 0)
            unit = "个工作日" if period.unit == "wd" else "日"
            steps.append(f"暂停 {b} 至 {e}（{why}），不计 {skipped} {unit}")
        if extension:
            steps.append(f"延长 {extension}{UNIT_ZH[period.unit]}{extension_note}")
        if extra or extension:
            period = Period(period.amount + extra + extension, period.unit)
            steps.append(f"合计期间 {period.chinese}")
        if period.unit == "wd":
            last = self._explain_working_days(day, period.amount, conventions.start, steps)
        else:
            steps.append("开始的当日不计入，自下一日开始计算（民法典第二百零一条）")
            if period.unit == "d":
                raw = dt.date.fromordinal(day.toordinal() + period.amount)
                steps.append(f"{day} + {period.amount}日 = {raw}")
            else:
                months = period.amount * (12 if period.unit == "y" else 1)
                raw = day + relativedelta(months=months)
                steps.append(
                    f"{day} + {period.chinese} = {raw}（到期月的对应日；没有对应日的，月末日为最后一日，民法典第二百零二条）"
                )
            last = raw
            if conventions.roll:
                info = self.day_info(raw)
                if info.working:
                    steps.append(f"{raw} {info.reason}，即期间的最后一日")
                else:
                    last = self.next_working_day(raw)
                    steps.append(
                        f"{raw} {info.reason}；最后一日是休息日，顺延至其后第一个工作日 {last}（民法典第二百零三条）"
                    )
                    self._walk(raw, last, steps, counted=False)
            else:
                steps.append("本规则不顺延休息日")
        if conventions.closing is None:
            due = dt.datetime.combine(dt.date.fromordinal(last.toordinal() + 1), dt.time(0), tz)
            steps.append(f"截止: {last} 24:00（期间最后一日的二十四时，民法典第二百零三条）")
        else:
            due = dt.datetime.combine(last, conventions.closing, tz)
            steps.append(f"截止: {last} {conventions.closing:%H:%M}（规则规定的截止时间）")
        return tuple(steps), due, last, period

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

    def _explain_working_days(self, day: dt.date, n: int, start_rule: str, steps: list[str]) -> dt.date:
        first = day
        if start_rule == "next-working" and not self.is_working_day(day):
            first = self.next_working_day(day)
            steps.append(f"{day} {self.day_info(day).reason}；视为下一个工作日 {first} 起算")
        steps.append("按工作日计算：开始的当日不计入；周末和法定节假日不计，调休上班日计入")
        last = self.add_working_days(first, n)
        if n > 0:
            self._walk(first, last, steps, counted=True)
        steps.append(f"第{n}个工作日: {last}")
        return last

    def _walk(self, after: dt.date, through: dt.date, steps: list[str], counted: bool) -> None:
        """List the days in (after, through]: each one for short windows, the notable ones otherwise."""
        first, last = after.toordinal() - self._base + 1, through.toordinal() - self._base
        long_walk = last - first + 1 > _LONG_WALK
        count = 0
        for i in range(first, last + 1):
            working = self._working_l[i]
            if working:
                count += 1
            if long_walk and working and i != last and (self._base + i) % 7 not in (6, 0):  # a plain weekday
                continue
            text = self._day_text(i)
            if working and counted:
                steps.append(f"  {text} → 第{count}个工作日")
            else:
                steps.append(f"  {text}，不计" if not working else f"  {text}")

    def _day_text(self, i: int) -> str:
        """'2024-10-08 周二，工作日' for day index i, written once per calendar (explanations repeat days)."""
        text = self._day_texts.get(i)
        if text is None:
            info = self.day_info(self._date(i))
            text = self._day_texts[i] = f"{info.date} {info.reason}"
        return text


_CACHE: dict[tuple, WorkCalendar] = {}


def load_calendar(name: str = NATIONAL, dirs: list | None = None) -> WorkCalendar:
    """Build (once per process and set of files) the calendar called `name`."""
    key = (name, tuple(str(d) for d in dirs) if dirs else None)
    if key not in _CACHE:
        _CACHE[key] = WorkCalendar(load_calendar_data(name, dirs))
    return _CACHE[key]
