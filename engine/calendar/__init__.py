"""Holiday-aware working-day calendar of mainland China; every date computation goes through here."""

from .deadline import SHANGHAI, Conventions, Deadline, format_due, to_shanghai
from .period import UNITS, Period
from .sources import NATIONAL, CalendarData, DayNote, load_calendar_data
from .workcal import DayInfo, WorkCalendar, load_calendar

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
