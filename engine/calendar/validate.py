"""A national year file is checked against the law before it is trusted.

The 《全国年节及纪念日放假办法》 in force for the year (`law`) fixes the statutory days; the yearly notice only
arranges 调休 around them. A file that defines a year (`covers: [YYYY]`) must name every festival, rest on
every statutory day, keep its "共N天" consistent with the days it lists; any national file may put make-up
working days only on weekends and never mark one day both rest and work. A failure is a SourceError with
the file, the line and the reason. The same checks run over chinese-calendar's years (`check_published_year`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from ..errors import SourceError
from .horizon import festival_of
from .law import revision_for, statutory_days
from .sources import Entry, NoticeFile

WEEKDAY_ZH = "一二三四五六日"
_TOTAL = re.compile(r"共\s*(\d+)\s*天")


def _days(entry: Entry) -> list[dt.date]:
    return [dt.date.fromordinal(o) for o in range(entry.first.toordinal(), entry.last.toordinal() + 1)]


def _label(day: dt.date) -> str:
    return f"{day}（周{WEEKDAY_ZH[day.weekday()]}）"


def check_notice_file(notice: NoticeFile) -> None:
    """Raise SourceError (file, line, reason) at the first rule of the law the file breaks."""
    path = str(notice.path)
    seen: dict[dt.date, Entry] = {}
    for entry in notice.entries:
        for day in _days(entry):
            other = seen.get(day)
            if other is not None and other.working != entry.working:
                raise SourceError(
                    path, entry.line, "status", f"{day} 既列为放假又列为上班（另见第{other.line}行）"
                )
            seen[day] = entry
            if entry.working and day.weekday() < 5:
                raise SourceError(
                    path, entry.line, "status", f"{_label(day)}列为调休上班，但调休上班日只能是周六或周日"
                )
    for year in notice.covers:
        _check_year(notice, year, seen)


def _check_year(notice: NoticeFile, year: int, seen: dict[dt.date, Entry]) -> None:
    path, revision, law = str(notice.path), revision_for(year), statutory_days(year)
    named = {
        f
        for e in notice.entries
        if not e.working and (e.first.year == year or e.last.year == year)
        for f in festival_of(e.name)
    }
    missing = [f for f in law if f not in named]
    if missing:
        wanted = "；".join(f"{f}（{revision.days[f]}：{'、'.join(str(d) for d in law[f])}）" for f in missing)
        raise SourceError(
            path,
            notice.days_line,
            "days",
            f"{year}年缺少{'、'.join(missing)}的放假安排。《全国年节及纪念日放假办法》{revision.citation}"
            f"第二条规定：{wanted}",
        )
    for festival, days in law.items():
        block = next(e for e in notice.entries if not e.working and festival in festival_of(e.name))
        for day in days:
            entry = seen.get(day)
            if (entry is not None and entry.working) or (entry is None and day.weekday() < 5):
                raise SourceError(
                    path,
                    (entry or block).line,
                    "days",
                    f"{_label(day)}是{festival}的法定假日（{revision.days[festival]}，{revision.citation}），"
                    f"文件未将其列为放假",
                )
    groups: dict[str, list[Entry]] = {}
    for entry in notice.entries:
        if not entry.working and _TOTAL.search(entry.quote) and entry.last.year >= year >= entry.first.year:
            groups.setdefault(entry.quote, []).append(entry)
    for quote, entries in groups.items():
        total = int(_TOTAL.search(quote).group(1))
        listed = sum(len(_days(e)) for e in entries)
        if listed != total:
            raise SourceError(
                path,
                entries[0].line,
                "days",
                f"通知写“共{total}天”，文件列出的放假日是{listed}天"
                f"（{entries[0].first}至{entries[-1].last}）：“{quote}”",
            )


def check_published_year(
    year: int, is_working: Callable[[dt.date], bool], moved: dict[dt.date, bool]
) -> list[str]:
    """The law's checks over a year that came as data (chinese-calendar): every statutory day a rest day, every
    make-up working day a weekend. `moved` maps the days the schedule lists to working or not. Returns the
    problems (none: it passed)."""
    problems = []
    revision = revision_for(year)
    for festival, days in statutory_days(year).items():
        problems += [
            f"{_label(d)}是{festival}的法定假日（{revision.citation}），却是工作日"
            for d in days
            if is_working(d)
        ]
    problems += [
        f"{_label(d)}是调休上班日，却不是周末"
        for d, working in sorted(moved.items())
        if working and d.year == year and d.weekday() < 5
    ]
    return problems


def summary(year: int) -> str:
    """What 'passed' means for a year, as `calendar coverage` prints it."""
    revision, law = revision_for(year), statutory_days(year)
    return (
        f"符合《全国年节及纪念日放假办法》{revision.citation}：{len(law)}个节日、"
        f"{sum(len(d) for d in law.values())}个法定假日均放假，调休上班日均为周末"
    )
