"""Dates as Excel cells hold them: date and datetime cells, serial numbers (45562, 45562.6667), and text.

Text is read by the one reader of typed dates (`timeparse.read_typed_date`: year first, never guessed);
this module adds only what is Excel's own: cell types and serial numbers. Dates are calendar dates only:
no period arithmetic here (that belongs to engine/calendar).
"""

from __future__ import annotations

import datetime as dt
import re

from ..timeparse import OfficerDateError, read_typed_date

EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()  # serial 1 = 1900-01-01 (with Excel's 1900-02-29 from 61 on)
FIRST_SERIAL, LAST_SERIAL = 61, 2958465  # 1900-03-01 .. 9999-12-31: below 61 Excel's serials are off by one
_SERIAL = re.compile(r"^\d{2,7}(\.\d+)?$")


def read_date(value) -> tuple[dt.datetime, bool] | None:
    """The instant a cell names (naive, the office's local time) and whether it gave only a date; None for
    an empty cell; OfficerDateError when it cannot be read."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        midnight = value.time() == dt.time(0)
        return value.replace(microsecond=0, tzinfo=None), midnight  # a date cell is midnight: "that day"
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0)), True
    if isinstance(value, dt.time):
        raise OfficerDateError(f"只有时间没有日期 (time without a date): {value.isoformat()}")
    if isinstance(value, bool):
        raise OfficerDateError(f"不是日期 (not a date): {value}")
    if isinstance(value, (int, float)):
        return from_serial(float(value))
    text = str(value).strip()
    if _SERIAL.match(text) and not re.match(r"^\d{8}$", text):
        return from_serial(float(text))
    return read_typed_date(text)


def from_serial(serial: float) -> tuple[dt.datetime, bool]:
    """An Excel serial number (days since 1899-12-30, the fraction the time of day)."""
    if not FIRST_SERIAL <= serial <= LAST_SERIAL:
        raise OfficerDateError(
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
