"""Beyond the horizon: days of a year whose 调休 is not yet published, bounded by law and by precedent.

For such a year the statutory holidays are known (`law`); only the arrangement around them is not. The
envelope, derived from every published year since the 2008 system (docs/calendar.md), says which days an
arrangement may still change: a weekday within a festival's *bridge window* of its statutory days may become
a rest day (the block of rest days around a festival has reached that far on one side or the other), and
a weekend day within its *make-up window* may become a working day (the furthest make-up day seen for the
festival, rounded up to whole weeks: make-up days are weekends, and an arrangement moves them by weeks).
Everything else in such a year is certain: statutory days rest, weekends rest, weekdays work.

Two calendars bound every arrangement inside the envelope: `early` (every uncertain day a working day)
and `late` (every uncertain day a rest day). Counting is monotone in the set of working days, so a deadline
computed with `early` is the earliest possible one and with `late` the latest; when both agree the answer
is certain. Beyond `HORIZON_YEARS` unpublished years nothing is bounded (the error stands).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .law import FESTIVALS, statutory_days
from .sources import CalendarData, DayNote

HORIZON_YEARS = 2  # unpublished years after the last covered one that get a range
FIRST_PATTERN_YEAR = 2008  # the 11-day system (国务院令第513号); the golden weeks before it are no precedent
_WEEK = 7
_ALIASES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节", "新年": "元旦"}
MAY_WORK, MAY_REST = "可能", "可能调休"  # day names: "周六，可能调休上班", "周一，可能调休放假"


def festival_of(name: str) -> list[str]:
    """The festivals a day's name refers to: '中秋节、国庆节' is both; an unknown name none."""
    out = []
    for part in name.replace("，", "、").split("、"):
        part = _ALIASES.get(part.strip(), part.strip())
        if part in FESTIVALS:
            out.append(part)
    return out


@dataclass
class Envelope:
    """Per festival, how far (days) from its statutory days a published arrangement has moved a day."""

    bridge: dict[str, int] = field(default_factory=dict)  # weekdays made rest days
    makeup: dict[str, int] = field(default_factory=dict)  # weekend days made working days (whole weeks)
    years: list[int] = field(default_factory=list)  # the published years it was derived from

    def describe(self) -> list[str]:
        return [
            f"{f}: 前后{self.bridge.get(f, 0)}日内的工作日可能调休放假，前后{self.makeup.get(f, 0)}日内的周末可能调休上班"
            for f in FESTIVALS
        ]


def _distance(day: dt.date, days: tuple[dt.date, ...]) -> int:
    if day < days[0]:
        return days[0].toordinal() - day.toordinal()
    return max(day.toordinal() - days[-1].toordinal(), 0)


def moved_days(notes: dict[dt.date, DayNote], year: int) -> list[tuple[dt.date, str, str, int]]:
    """The days a published arrangement moved for the festivals of `year`: (day, festival, bridge|makeup,
    distance from the festival's statutory days). Days of one-off decisions (2015's 纪念日) name no festival
    and are left out; a late-December make-up day belongs to the next year's 元旦."""
    law = statutory_days(year)
    out = []
    first, last = dt.date(year - 1, 12, 1).toordinal(), dt.date(year + 1, 1, 31).toordinal()
    for ordinal in range(first, last + 1):
        day = dt.date.fromordinal(ordinal)
        note = notes.get(day)
        if note is None or note.working == (day.weekday() < 5):
            continue  # nothing moved: a plain weekday, or a weekend named in a block
        for festival in festival_of(note.name):
            days = law.get(festival)
            if not days or day in days:
                continue
            distance = _distance(day, days)
            if distance <= 31:  # this year's occurrence of the festival, not a neighbouring year's
                out.append((day, festival, "makeup" if note.working else "bridge", distance))
    return out


def derive_envelope(notes: dict[dt.date, DayNote], years: list[int]) -> Envelope:
    """The envelope of the given published years (see the module docstring for the two windows)."""
    envelope = Envelope(years=sorted(y for y in years if y >= FIRST_PATTERN_YEAR))
    furthest: dict[tuple[str, str], int] = {}
    for year in envelope.years:
        for _, festival, kind, distance in moved_days(notes, year):
            furthest[(festival, kind)] = max(furthest.get((festival, kind), 0), distance)
    for festival in FESTIVALS:
        envelope.bridge[festival] = furthest.get((festival, "bridge"), 0)
        weeks = -(-furthest.get((festival, "makeup"), 0) // _WEEK)
        envelope.makeup[festival] = weeks * _WEEK
    return envelope


def uncertain_days(year: int, envelope: Envelope) -> tuple[set[dt.date], set[dt.date], set[dt.date]]:
    """(statutory rest days, weekdays that may be rest, weekend days that may be working) of `year`."""
    law = statutory_days(year)
    statutory = {d for days in law.values() for d in days}
    may_rest, may_work = set(), set()
    for festival, days in law.items():
        for window, target, weekend in (
            (envelope.bridge[festival], may_rest, False),
            (envelope.makeup[festival], may_work, True),
        ):
            for ordinal in range(days[0].toordinal() - window, days[-1].toordinal() + window + 1):
                day = dt.date.fromordinal(ordinal)
                if day.year == year and day not in statutory and (day.weekday() >= 5) == weekend:
                    target.add(day)
    return statutory, may_rest, may_work


def bound_data(data: CalendarData, envelope: Envelope) -> tuple[CalendarData, CalendarData]:
    """`data` extended over the next unpublished years: (earliest, latest) arrangement."""
    early = CalendarData(
        data.name, dict(data.notes), dict(data.coverage), list(data.files), dict(data.corrections)
    )
    late = CalendarData(
        data.name, dict(data.notes), dict(data.coverage), list(data.files), dict(data.corrections)
    )
    last = max(data.coverage)
    for year in range(last + 1, last + 1 + HORIZON_YEARS):
        statutory, may_rest, may_work = uncertain_days(year, envelope)
        source = f"{year}年调休安排未公布：按《全国年节及纪念日放假办法》及{envelope.years[0]}-{envelope.years[-1]}年调休范围推算"
        names = {d: f for f, days in statutory_days(year).items() for d in days}
        for bound in (early, late):
            bound.coverage[year] = source
            for day in statutory:
                if day not in data.notes:
                    bound.notes[day] = DayNote(False, names[day], source)
        for day in may_work:
            early.notes.setdefault(day, DayNote(True, MAY_WORK, source))
        for day in may_rest:
            late.notes.setdefault(day, DayNote(False, MAY_REST, source))
    return early, late


NOTICE_DAYS = 60  # from this many days before the calendar ends, every report says so


def coverage_notice(last_year: int, today: dt.date) -> str | None:
    """The notice a report carries near and after the end of the covered years, or None."""
    end = dt.date(last_year, 12, 31)
    left = end.toordinal() - today.toordinal()
    if left > NOTICE_DAYS:
        return None
    command = f"shixian calendar import-notice 通知.txt -o calendars/national/{last_year + 1}.yaml"
    if left >= 0:
        return (
            f"日历覆盖至{end}（还剩{left}天）。国务院办公厅通常在11月发布《关于{last_year + 1}年部分节假日安排的通知》；"
            f"发布后将通知全文存为文本文件并运行 {command}"
        )
    return (
        f"日历已于{end}结束：{last_year + 1}年以后的期限按法定节假日和历年调休范围推算，不能确定的义务标为无法判定。"
        f"通知发布后将全文存为文本文件并运行 {command}"
    )
