"""Holiday-aware working-day calendar of mainland China; every date computation goes through here."""

from .period import UNITS, Period
from .sources import NATIONAL, CalendarData, DayNote, load_calendar_data
from .workcal import (
    SHANGHAI,
    Conventions,
    DayInfo,
    Deadline,
    WorkCalendar,
    format_due,
    load_calendar,
    to_shanghai,
)

__all__ = [
    "NATIONAL",
    "SHANGHAI",
    "UNITS",
    "CalendarData",
    "Conventions",
    "DayInfo",
    "DayNote",
    "Deadline",
    "Period",
    "WorkCalendar",
    "format_due",
    "load_calendar",
    "load_calendar_data",
    "to_shanghai",
]
