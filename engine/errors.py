"""Errors a user can act on. Each names what was wrong and where, so the CLI prints one line."""
from __future__ import annotations


class ShixianError(Exception):
    """Base class: anything the CLI reports as a one-line error with exit code 2."""


class CalendarCoverageError(ShixianError):
    """A computation needed a day of a year the calendar does not know.

    Callers may catch this and report the result as *undetermined*; it is never guessed.
    """

    def __init__(self, year: int, calendar: str = "national"):
        self.year = year
        self.calendar = calendar
        super().__init__(
            f"year {year} is not covered by the {calendar} calendar; add "
            f"calendars/national/{year}.yaml transcribing 国务院办公厅关于{year}年部分节假日安排的通知 "
            f"(with 'covers: [{year}]')"
        )


class SourceError(ShixianError):
    """Bad content in a data file (rule, calendar, plan): names the file, line, column and field."""

    def __init__(self, path: str, line: int | None, field: str | None, message: str, column: int | None = None):
        self.path, self.line, self.column, self.field, self.message = path, line, column, field, message
        where = str(path)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        what = f" field '{field}':" if field else ""
        super().__init__(f"{where}:{what} {message}")


class InputError(ShixianError):
    """Bad command-line input (a malformed date, an unknown unit)."""
