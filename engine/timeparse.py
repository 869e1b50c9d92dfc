"""Parsing instants as users write them: ISO 8601; no offset means Asia/Shanghai; a date alone is that day."""

from __future__ import annotations

import datetime as dt
import re

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


# Dates as officers type them (a ledger, a rule file): year first, so there is one reading.
_OFFICER_DATE = re.compile(
    r"^\s*(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)"
    r"(?:\s*(?:T|\s)\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?\s*$"
)
_YEAR_LAST = re.compile(r"^\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})\s*$")
EXPECTED_DATE = "年-月-日，如 2025-01-01（也可写 2025/1/1、2025.1.1、2025年1月1日）"


class OfficerDateError(InputError):
    """A date that cannot be read, or could be read two ways; `suggestion` is the ISO form when one exists."""

    def __init__(self, message: str, suggestion: str | None = None):
        self.suggestion = suggestion
        super().__init__(message)


def parse_officer_instant(text: str) -> tuple[dt.datetime | dt.date, bool]:
    """(date or datetime, has_time) from ISO 8601 or 2025/1/1, 2025.1.1, 2025年1月1日 [10:00].

    An ISO instant comes back aware (Asia/Shanghai unless it says otherwise); the officer forms naive.

    A day-first or month-first date (01/02/2025) is refused: which is the month is not knowable.
    """
    raw = str(text).strip()
    match = _OFFICER_DATE.match(raw)
    if not match:
        year_last = _YEAR_LAST.match(raw)
        if year_last:
            raise OfficerDateError(
                f"日期 {raw!r} 无法确定哪个是月、哪个是日，请写成{EXPECTED_DATE} "
                f"(ambiguous date: write year-month-day)"
            )
        try:
            value, _ = parse_instant(raw)
        except InputError:
            raise OfficerDateError(
                f"无法识别的日期 {raw!r}，应写成{EXPECTED_DATE} (expected a date such as 2025-01-01)"
            ) from None
        has_time = not (len(raw) == 10 and _DATE_ONLY.match(raw))
        return (value if has_time else value.date()), has_time
    year, month, day = int(match[1]), int(match[2] or match[4]), int(match[3] or match[5])
    try:
        day_value = dt.date(year, month, day)
    except ValueError:
        raise OfficerDateError(
            f"日期 {raw!r} 不存在（{year}年没有{month}月{day}日），应写成{EXPECTED_DATE} (no such date)"
        ) from None
    try:
        check_year(day_value, raw)
    except InputError as exc:
        raise OfficerDateError(str(exc)) from None
    if match[6] is None:
        return day_value, False
    try:
        clock = dt.time(int(match[6]), int(match[7]), int(match[8] or 0))
    except ValueError:
        raise OfficerDateError(
            f"时间 {raw!r} 不存在，应写成 24 小时制的 时:分，如 2025-01-01 09:30 (no such time)"
        ) from None
    return dt.datetime.combine(day_value, clock), True


def parse_officer_date(text: str) -> dt.date:
    """A calendar day typed by a person; a value with a time of day is refused (a rule's dates are days)."""
    value, has_time = parse_officer_instant(text)
    if has_time:
        raise OfficerDateError(
            f"这里只要日期，不要时间：{str(text).strip()!r}，应写成{EXPECTED_DATE} (a date without a time)",
            suggestion=value.date().isoformat(),
        )
    return value
