"""Parsing instants as users write them: ISO 8601; no offset means Asia/Shanghai; a date alone is that day."""
from __future__ import annotations

import datetime as dt
import re

from dateutil.parser import isoparse

from .calendar import SHANGHAI
from .errors import InputError

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_instant(text: str, tz=SHANGHAI) -> tuple[dt.datetime, bool]:
    """Return (aware instant, date_only). Raises InputError naming the bad value."""
    if isinstance(text, dt.datetime):
        return (text if text.tzinfo else text.replace(tzinfo=tz)), False
    if isinstance(text, dt.date):
        return dt.datetime.combine(text, dt.time(0), tz), True
    raw = str(text).strip()
    try:
        value = dt.datetime.fromisoformat(raw)  # fast, in C; covers what logs usually carry
    except ValueError:
        try:
            value = isoparse(raw)  # the rest of ISO 8601 (week dates, ordinal dates, ...)
        except (ValueError, OverflowError):
            raise InputError(f"bad date or time {text!r}: expected ISO 8601, e.g. 2024-09-27 or 2024-09-27T15:00") \
                from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value, len(raw) == 10 and bool(_DATE_ONLY.match(raw))
