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
        super().__init__(f"{self.chinese} (year {year} is not covered by the {calendar} calendar)")

    @property
    def chinese(self) -> str:
        """What a report says: which year is missing and the command that adds it."""
        return (
            f"{self.year}年的调休安排尚未收入日历（国务院办公厅关于{self.year}年部分节假日安排的通知）；通知发布后，"
            f"将全文存为文本文件并运行 shixian calendar import-notice 通知.txt -o calendars/national/{self.year}.yaml"
        )


class SourceError(ShixianError):
    """Bad content in a data file (rule, calendar, plan): names the file, line, column and field.

    `code` is a stable short name for tools (`shixian validate --format json`), `suggestion` the value
    the author probably meant, `severity` "error" or "warning" (a warning does not fail validation).
    """

    def __init__(
        self,
        path: str,
        line: int | None,
        field: str | None,
        message: str,
        column: int | None = None,
        code: str = "invalid",
        suggestion: str | None = None,
        severity: str = "error",
    ):
        self.path, self.line, self.column, self.field, self.message = path, line, column, field, message
        self.code, self.suggestion, self.severity = code, suggestion, severity
        where = str(path)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        what = f" 字段 '{field}'：" if field else ""
        warn = " 警告 (warning)：" if severity == "warning" else ""
        super().__init__(f"{where}:{warn}{what} {message}".replace("： ", "："))

    def to_json(self) -> dict:
        return {
            "file": str(self.path),
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
            "suggestion": self.suggestion,
        }


class InputError(ShixianError):
    """Bad command-line input (a malformed date, an unknown unit)."""
