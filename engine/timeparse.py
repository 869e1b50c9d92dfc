"""Parsing instants as users write them: ISO 8601; no offset means Asia/Shanghai; a date alone is that day."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from dateutil.parser import isoparse

from .calendar import SHANGHAI
from .errors import InputError

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PERIOD_ONLY = re.compile(r"^[+-]?\d{4,}(-?\d{2})?$")  # 2024, 2024-10: a year or a month, not an instant
_HOUR_24 = re.compile(r"[T ]24(:?00)*(\.0+)?([+-Z]|$)")
MIN_YEAR, MAX_YEAR = 1900, 2999  # instants outside are refused: no deadline arithmetic can overflow on them


class RefusedInstant(InputError):
    """A value that reads as a date but is not an instant shixian may time: a bare year or month, 24:00, a
    year out of range. Said as such; no other reading of it is tried."""


def check_year(value: dt.date, text) -> None:
    """Refuse a date whose year no audit can mean (0001, 9999): arithmetic near the ends of Python's range
    overflows, and nothing the law times happens there."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise RefusedInstant(
            f"日期 {str(text).strip()!r} 的年份 {value.year} 超出可处理的范围（{MIN_YEAR}–{MAX_YEAR}年）"
            f" (year out of range {MIN_YEAR}-{MAX_YEAR})"
        )


def parse_instant(text: str, tz=SHANGHAI) -> tuple[dt.datetime, bool]:
    """Return (aware instant, date_only). Raises InputError naming the bad value."""
    if isinstance(text, dt.date):
        check_year(text, text)
    if isinstance(text, dt.datetime):
        return (text if text.tzinfo else text.replace(tzinfo=tz)), False
    if isinstance(text, dt.date):
        return dt.datetime.combine(text, dt.time(0), tz), True
    raw = str(text).strip()
    try:
        value = dt.datetime.fromisoformat(raw)  # fast, in C; covers what logs usually carry
    except ValueError:
        if _PERIOD_ONLY.match(raw):
            raise RefusedInstant(
                f"时间 {text!r} 只有年份或年月，不是一个具体时刻，应写成如 2024-09-27 或 2024-09-27T15:00 "
                f"(a year or month is not an instant)"
            ) from None
        if _HOUR_24.search(raw):
            raise RefusedInstant(
                f"时间 {text!r} 不存在：24:00 应写成次日 00:00 (24:00 is written as 00:00 of the next day)"
            ) from None
        try:
            value = isoparse(raw)  # the rest of ISO 8601 (week dates, ordinal dates, ...)
        except (ValueError, OverflowError):
            raise InputError(
                f"bad date or time {text!r}: expected ISO 8601, e.g. 2024-09-27 or 2024-09-27T15:00"
            ) from None
    check_year(value, text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value, len(raw) == 10 and bool(_DATE_ONLY.match(raw))


# Dates as people type them (a ledger cell, a rule file, a typed time in a log): year first, so there is one
# reading. The one home of these forms; engine/ledger/dates.py adds only what Excel cells are (serials, types).
_S = r"\s*"
_TIME = (
    r"(?:(?:\s*T\s*|\s+|(?<=[日号]))(?P<h>\d{1,2})"
    r"(?:\s*[:时点]\s*(?P<m>\d{1,2})?(?:\s*[:分]\s*(?P<s>\d{1,2})?\s*秒?)?)?)?"
)
_TYPED_FORMS = [
    re.compile(
        rf"^(?P<y>\d{{4}}){_S}(?P<sep>[-/.]){_S}(?P<mo>\d{{1,2}}){_S}(?P=sep){_S}(?P<d>\d{{1,2}})"
        + _TIME
        + "$"
    ),
    re.compile(
        rf"^(?P<y>\d{{4}}){_S}年{_S}(?P<mo>\d{{1,2}}){_S}月{_S}(?P<d>\d{{1,2}}){_S}[日号]?" + _TIME + "$"
    ),
    re.compile(r"^(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})$"),
]
_YEAR_LAST = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{2,4})(?:\s.*)?$")
_SHORT_YEAR = re.compile(r"^(\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s.*)?$")
EXPECTED_DATE = "年-月-日，如 2025-01-01（也可写 2025/1/1、2025.1.1、2025年1月1日）"


class OfficerDateError(InputError):
    """A date that cannot be read, or could be read two ways; `suggestion` is the ISO form when one exists."""

    def __init__(self, message: str, suggestion: str | None = None):
        self.suggestion = suggestion
        super().__init__(message)


def read_typed_date(text: str) -> tuple[dt.datetime, bool] | None:
    """The instant a person typed (naive: the office's local time) and whether only a date was given; None
    for blank text. Year-first forms with -, / or . (2024-09-27, 2024/9/27, 2024.9.27), 2024年9月27日,
    20240927, each with an optional time (16:00, 16:00:30, 16时, 16时30分, 16点30分, T16:00); full-width
    digits and colons read as ASCII. Year-last forms (9/10/2024) are refused, never guessed: 9/10/2024 is
    9 October in one office and 10 September in another. Raises OfficerDateError saying why."""
    raw = str(text).strip()
    if not raw.isascii():  # 年月日, or full-width digits typed with a Chinese input method
        raw = unicodedata.normalize("NFKC", raw).strip()
    if not raw:
        return None
    for form in _TYPED_FORMS:
        found = form.match(raw)
        if found:
            return _typed(found, raw)
    year_last = _YEAR_LAST.match(raw)
    if year_last:
        a, b, _ = year_last.groups()
        both = int(a) <= 12 and int(b) <= 12 and a != b
        why = f"可能是{int(a)}月{int(b)}日，也可能是{int(b)}月{int(a)}日" if both else "年份不在前"
        raise OfficerDateError(
            f"日期 {raw!r} 无法确定哪个是月、哪个是日，请写成{EXPECTED_DATE}；{why}，不予猜测 "
            f"(ambiguous date: write year-month-day)"
        )
    if _SHORT_YEAR.match(raw):
        raise OfficerDateError(f"日期 {raw!r} 的年份只有两位，请写四位年份，如 2024/9/27 (two-digit year)")
    raise OfficerDateError(
        f"无法识别的日期 {raw!r}，应写成{EXPECTED_DATE}，可带时间 16:00 (expected a date such as 2025-01-01)"
    )


def _typed(found: re.Match, raw: str) -> tuple[dt.datetime, bool]:
    parts = found.groupdict()
    year, month, day = int(parts["y"]), int(parts["mo"]), int(parts["d"])
    try:
        day_value = dt.date(year, month, day)
    except ValueError:
        raise OfficerDateError(
            f"日期 {raw!r} 不存在（{year}年没有{month}月{day}日），应写成{EXPECTED_DATE} (no such date)"
        ) from None
    try:
        check_year(day_value, raw)
    except RefusedInstant as exc:
        raise OfficerDateError(str(exc)) from None
    if parts.get("h") is None:
        return dt.datetime.combine(day_value, dt.time(0)), True
    hour, minute, second = int(parts["h"]), int(parts.get("m") or 0), int(parts.get("s") or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise OfficerDateError(
            f"时间 {raw!r} 不存在，应写成 24 小时制的 时:分，如 2025-01-01 09:30 (no such time)"
        )
    return dt.datetime.combine(day_value, dt.time(hour, minute, second)), False


def parse_officer_instant(text: str) -> tuple[dt.datetime | dt.date, bool]:
    """(date or datetime, has_time) for a rule file or a command line: the typed forms above (naive), or
    any other ISO 8601 instant (aware: Asia/Shanghai unless it says otherwise, e.g. +08:00)."""
    try:
        typed = read_typed_date(text)
    except OfficerDateError as refused:
        try:
            value, date_only = parse_instant(str(text).strip())  # 2025-01-01T10:00+08:00, week dates, ...
        except InputError:
            raise refused from None
        return (value.date() if date_only else value), not date_only
    if typed is None:
        raise OfficerDateError(f"日期为空，应写成{EXPECTED_DATE} (empty date)")
    value, date_only = typed
    return (value.date() if date_only else value), not date_only


def parse_officer_date(text: str) -> dt.date:
    """A calendar day typed by a person; a value with a time of day is refused (a rule's dates are days)."""
    value, has_time = parse_officer_instant(text)
    if has_time:
        raise OfficerDateError(
            f"这里只要日期，不要时间：{str(text).strip()!r}，应写成{EXPECTED_DATE} (a date without a time)",
            suggestion=value.date().isoformat(),
        )
    return value
