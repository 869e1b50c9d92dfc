"""Day facts from chinese-calendar merged with the notice files in `calendars/`.

chinese-calendar carries the State Council's published schedules; each YAML file in `calendars/`
transcribes one notice (a correction, a year the library lacks) or one local override. Nothing
here knows a weekday pattern: weekends are the default, everything else is data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import chinese_calendar
from chinese_calendar import constants as cc_constants

from ..errors import SourceError
from ..paths import bundled
from ..yamlsource import Located, load_yaml_file, where

NATIONAL = "national"
_CC_VERSION = metadata.version("chinese-calendar")
LIBRARY_SOURCE = f"chinese-calendar {_CC_VERSION}（国务院办公厅历年部分节假日安排的通知）"

# chinese-calendar names holidays in English; the Chinese names sit on its Holiday enum.
_CHINESE_NAME = {h.value: h.chinese for h in cc_constants.Holiday}
_FILE_KEYS = {"calendar", "notice", "why", "covers", "days"}
_NOTICE_KEYS = {"title", "number", "date", "url", "quote"}
_DAY_KEYS = {"date", "from", "to", "status", "name", "quote"}


@dataclass(frozen=True)
class DayNote:
    """What a notice says about one day that differs from the plain weekday/weekend rule."""

    working: bool
    name: str  # Chinese holiday name, e.g. 国庆节; for a local file, its own label
    source: str  # the notice (and file) this comes from


@dataclass
class CalendarData:
    """Everything the index is built from: notes per day, covered years and where each came from."""

    name: str
    notes: dict[dt.date, DayNote] = field(default_factory=dict)
    coverage: dict[int, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    corrections: dict[dt.date, DayNote] = field(
        default_factory=dict
    )  # days a national file changed vs the library


def _library_notes() -> tuple[dict[dt.date, DayNote], dict[int, str]]:
    notes: dict[dt.date, DayNote] = {}
    for day, english in cc_constants.holidays.items():
        notes[day] = DayNote(False, _CHINESE_NAME.get(english, english), LIBRARY_SOURCE)
    for day, english in cc_constants.workdays.items():
        notes[day] = DayNote(True, _CHINESE_NAME.get(english, english), LIBRARY_SOURCE)
    years = {d.year for d in cc_constants.holidays}
    coverage = {y: LIBRARY_SOURCE for y in range(min(years), max(years) + 1)}
    return notes, coverage


def library_is_workday(day: dt.date) -> bool:
    """chinese-calendar's own answer, for comparison in tests and benchmarks."""
    return chinese_calendar.is_workday(day)


@dataclass(frozen=True)
class Entry:
    """One `days:` entry of a calendar file, with where it is written (for located errors)."""

    first: dt.date
    last: dt.date
    working: bool
    name: str
    quote: str
    line: int | None


@dataclass
class NoticeFile:
    path: Path
    calendar: str
    title: str
    covers: list[int]
    days: list[tuple[dt.date, DayNote]]
    entries: list[Entry] = field(default_factory=list)
    days_line: int | None = None  # the line of `days:`, for errors about what is missing


def _as_date(value, path: Path, node, key: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    line, col = where(node, key)
    raise SourceError(str(path), line, key, f"expected a date like 2027-01-01, got {value!r}", col)


def _check_keys(node, allowed: set[str], path: Path, what: str) -> None:
    if not isinstance(node, dict):
        line, col = where(node)
        raise SourceError(str(path), line, what, "expected a mapping", col)
    for key in node:
        if key not in allowed:
            line, col = where(node, key)
            raise SourceError(
                str(path),
                line,
                str(key),
                f"unknown key in {what}; expected one of {', '.join(sorted(allowed))}",
                col,
            )


def read_notice_file(path: Path) -> NoticeFile:
    """Parse and validate one calendar file; every problem names the file, line and field."""
    doc = load_yaml_file(path)
    if not isinstance(doc, Located):
        raise SourceError(
            str(path), 1, None, "a calendar file must be a mapping with 'calendar', 'notice' and 'days'"
        )
    _check_keys(doc, _FILE_KEYS, path, "calendar file")
    for key in ("calendar", "notice", "days"):
        if key not in doc:
            raise SourceError(str(path), doc.line, key, "required key is missing")
    calendar = doc["calendar"]
    if not isinstance(calendar, str) or not calendar.strip():
        line, col = where(doc, "calendar")
        raise SourceError(str(path), line, "calendar", "expected 'national' or a local calendar name", col)
    notice = doc["notice"]
    _check_keys(notice, _NOTICE_KEYS, path, "notice")
    if not isinstance(notice.get("title"), str):
        line, col = where(notice)
        raise SourceError(
            str(path), line, "notice.title", "every calendar file names the notice it transcribes", col
        )
    covers = doc.get("covers", [])
    if not isinstance(covers, list) or not all(isinstance(y, int) for y in covers):
        line, col = where(doc, "covers")
        raise SourceError(str(path), line, "covers", "expected a list of years, e.g. [2027]", col)
    if covers and calendar != NATIONAL:
        line, col = where(doc, "covers")
        raise SourceError(str(path), line, "covers", "only a national notice can add a covered year", col)
    source = f"{notice['title']}"
    if notice.get("number"):
        source += f"（{notice['number']}）"
    source += f" [{path.name}]"
    days: list[tuple[dt.date, DayNote]] = []
    read: list[Entry] = []
    entries = doc["days"]
    if not isinstance(entries, list):
        line, col = where(doc, "days")
        raise SourceError(str(path), line, "days", "expected a list of day entries", col)
    for entry in entries:
        _check_keys(entry, _DAY_KEYS, path, "day entry")
        status = entry.get("status")
        if status not in ("work", "rest"):
            line, col = where(entry, "status")
            raise SourceError(str(path), line, "status", f"expected 'work' or 'rest', got {status!r}", col)
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            line, col = where(entry, "name")
            raise SourceError(str(path), line, "name", "expected the holiday or closure name, e.g. 元旦", col)
        if "date" in entry:
            if "from" in entry or "to" in entry:
                line, col = where(entry, "date")
                raise SourceError(str(path), line, "date", "give either 'date' or 'from'/'to', not both", col)
            first = last = _as_date(entry["date"], path, entry, "date")
        elif "from" in entry and "to" in entry:
            first = _as_date(entry["from"], path, entry, "from")
            last = _as_date(entry["to"], path, entry, "to")
            if last < first:
                line, col = where(entry, "to")
                raise SourceError(str(path), line, "to", "ends before 'from'", col)
        else:
            line, col = where(entry)
            raise SourceError(str(path), line, "date", "each day entry needs 'date' or 'from' and 'to'", col)
        quote = entry.get("quote")
        if quote is not None and not isinstance(quote, str):
            line, col = where(entry, "quote")
            raise SourceError(str(path), line, "quote", "expected the notice's sentence as text", col)
        note = DayNote(status == "work", name, source)
        read.append(Entry(first, last, status == "work", name, quote or "", where(entry)[0]))
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            days.append((dt.date.fromordinal(ordinal), note))
    notice_file = NoticeFile(path, calendar, source, covers, days, read, where(doc, "days")[0])
    if calendar == NATIONAL:
        from .validate import check_notice_file  # the law's checks (validate imports this module)

        check_notice_file(notice_file)
    return notice_file


def calendar_files(dirs: list[Path] | None = None) -> list[Path]:
    """The bundled calendar files, then those of each `--calendar-dir` layered over them (a later file's
    day wins; the bundled corrections stay unless a file says otherwise)."""
    found: list[Path] = []
    for d in [bundled("calendars"), *(dirs or [])]:
        d = Path(d)
        if not d.exists():
            raise SourceError(str(d), None, None, "no such calendar file or directory")
        for path in sorted(d.rglob("*.yaml")) if d.is_dir() else [d]:
            if path.resolve() not in {p.resolve() for p in found}:
                found.append(path)
    return found


def load_calendar_data(name: str = NATIONAL, dirs: list[Path] | None = None) -> CalendarData:
    """National facts (library + national files), then the named local calendar's files over them."""
    notices = [read_notice_file(p) for p in calendar_files(dirs)]
    known = sorted({n.calendar for n in notices} | {NATIONAL})
    if name not in known:
        raise SourceError(
            "calendars", None, "calendar", f"unknown calendar {name!r}; known: {', '.join(known)}"
        )
    notes, coverage = _library_notes()
    data = CalendarData(name=name, notes=notes, coverage=coverage)
    library_years = set(coverage)
    layers = [n for n in notices if n.calendar == NATIONAL] + [
        n for n in notices if n.calendar == name != NATIONAL
    ]
    for notice in layers:
        data.files.append(notice.path)
        for year in notice.covers:
            data.coverage[year] = notice.title
        for day, note in notice.days:
            if notice.calendar == NATIONAL and day.year in library_years:
                library_working = library_is_workday(day)
                if library_working != note.working:
                    data.corrections[day] = note
            data.notes[day] = note
    return data
