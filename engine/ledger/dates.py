"""Dates as an Excel user types them, read strictly: a cell is one instant or a reason it is not.

Accepted: Excel date cells; Excel serial numbers (45562, 45562.6667); year-first text with -, / or .
(2024-09-27, 2024/9/27, 2024.9.27), 2024年9月27日, 20240927; each with an optional time (16:00, 16:00:30,
16时, 16时30分, 16点30分). Full-width digits and colons are read as ASCII. Year-last forms (9/10/2024,
27/09/2024) are refused, never guessed: 9/10/2024 is 9 October in one office and 10 September in another.
Dates are calendar dates only: no period arithmetic here (that belongs to engine/calendar).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()  # serial 1 = 1900-01-01 (with Excel's 1900-02-29 from 61 on)
FIRST_SERIAL, LAST_SERIAL = 61, 2958465  # 1900-03-01 .. 9999-12-31: below 61 Excel's serials are off by one

_TIME = r"(?:[T\s]*(?P<h>\d{1,2})(?:[:时点](?P<m>\d{1,2})?(?:[:分](?P<s>\d{1,2})?秒?)?)?)?"
_FORMS = [
    re.compile(r"^(?P<y>\d{4})(?P<sep>[-/.])(?P<mo>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _TIME + r"$"),
    re.compile(r"^(?P<y>\d{4})年(?P<mo>\d{1,2})月(?P<d>\d{1,2})[日号]?" + _TIME + r"$"),
    re.compile(r"^(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})$"),
]
_YEAR_LAST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})(?:\s.*)?$")
_SHORT_YEAR = re.compile(r"^(\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s.*)?$")
_SERIAL = re.compile(r"^\d{2,7}(\.\d+)?$")


class DateError(ValueError):
    """Why a cell is not a date, in Chinese first."""


def read_date(value) -> tuple[dt.datetime, bool] | None:
    """The instant a cell names (naive, the office's local time) and whether it gave only a date; None for
    an empty cell; DateError when it cannot be read."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        midnight = value.time() == dt.time(0)
        return value.replace(microsecond=0, tzinfo=None), midnight  # a date cell is midnight: "that day"
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0)), True
    if isinstance(value, dt.time):
        raise DateError(f"只有时间没有日期 (time without a date): {value.isoformat()}")
    if isinstance(value, bool):
        raise DateError(f"不是日期 (not a date): {value}")
    if isinstance(value, (int, float)):
        return from_serial(float(value))
    text = str(value).strip()
    if not text.isascii():  # 年月日, or full-width digits typed with a Chinese input method
        text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    if _SERIAL.match(text) and not re.match(r"^\d{8}$", text):
        return from_serial(float(text))
    for form in _FORMS:
        found = form.match(text)
        if found:
            return _build(found, text)
    if _YEAR_LAST.match(text):
        a, b, _ = _YEAR_LAST.match(text).groups()
        both = int(a) <= 12 and int(b) <= 12 and a != b
        why = f"可能是{int(a)}月{int(b)}日，也可能是{int(b)}月{int(a)}日" if both else "年份不在前"
        raise DateError(
            f"日期 '{text}' 无法确定（{why}），不予猜测；请写成 年/月/日，如 2024/9/27 "
            f"(ambiguous year-last date, write year first)"
        )
    if _SHORT_YEAR.match(text):
        raise DateError(f"日期 '{text}' 的年份只有两位，请写四位年份，如 2024/9/27 (two-digit year)")
    raise DateError(
        f"无法识别的日期 '{text}'；可写 2024-09-27、2024/9/27、2024.9.27、2024年9月27日，"
        f"可带时间 16:00 (unreadable date)"
    )


def _build(found: re.Match, text: str) -> tuple[dt.datetime, bool]:
    parts = found.groupdict()
    try:
        day = dt.date(int(parts["y"]), int(parts["mo"]), int(parts["d"]))
    except ValueError:
        raise DateError(f"日期 '{text}' 不存在 (no such date)") from None
    if parts.get("h") is None:
        return dt.datetime.combine(day, dt.time(0)), True
    hour, minute, second = int(parts["h"]), int(parts.get("m") or 0), int(parts.get("s") or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise DateError(f"时间 '{text}' 不存在 (no such time of day)")
    return dt.datetime.combine(day, dt.time(hour, minute, second)), False


def from_serial(serial: float) -> tuple[dt.datetime, bool]:
    """An Excel serial number (days since 1899-12-30, the fraction the time of day)."""
    if not FIRST_SERIAL <= serial <= LAST_SERIAL:
        raise DateError(
            f"数字 {serial:g} 不是Excel日期序号 (not an Excel date serial, {FIRST_SERIAL}..{LAST_SERIAL})"
        )
    whole = int(serial)
    seconds = round((serial - whole) * 86400)
    if seconds >= 86400:  # a fraction that rounds to the next midnight
        whole, seconds = whole + 1, 0
    day = dt.date.fromordinal(EXCEL_EPOCH + whole)
    moment = dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    return dt.datetime.combine(day, moment), seconds == 0


def iso(instant: dt.datetime, date_only: bool) -> str:
    """The ISO text an event log carries: a bare date, or minutes (seconds only when there are some)."""
    if date_only:
        return instant.date().isoformat()
    return instant.isoformat(timespec="seconds" if instant.second else "minutes")
