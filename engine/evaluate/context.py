"""What every rule kind needs while evaluating: the calendar, the as-of moment, and finding builders."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..calendar import SHANGHAI, Deadline, Period, WorkCalendar
from ..calendar.period import UNITS
from ..calendar.workcal import minute_text
from ..errors import CalendarCoverageError
from ..model.events import Event
from ..model.findings import EventRef, Finding
from ..ruleset.loader import LoadedRule

# internal outcomes kept for `explain`, never reported as findings
QUIET = ("on_time", "pending", "paused", "met")


class Quiet(NamedTuple):
    """What a judgement returns for a quiet outcome that nobody keeps: its status, nothing built."""

    status: str


QUIET_OUTCOME = {status: Quiet(status) for status in QUIET}


def text(what: str | Callable[[], str]) -> str:
    """Descriptions are passed lazily: only findings that are kept get their words written."""
    return what() if callable(what) else what


def ref(event: Event | None) -> EventRef | None:
    return EventRef(event.id, event.type, event.time) if event else None


def local_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(SHANGHAI).date()


def fmt(instant: dt.datetime) -> str:
    return minute_text(instant.astimezone(SHANGHAI))


def when(event: Event) -> str:
    """An event's moment as the log gave it: a bare date stays a date."""
    return local_date(event.time).isoformat() if event.date_only else fmt(event.time)


def late_message(title: str, what: str, due_text: str, done_text: str, by: int, unit: str) -> str:
    return f"{title}：{what}应于{due_text}前完成，实际{done_text}完成，逾期{by}{UNITS[unit]}"


def overdue_message(title: str, what: str, due_text: str, as_of_text: str, by: int, unit: str) -> str:
    return f"{title}：{what}应于{due_text}前完成，截至{as_of_text}仍未完成，已逾期{by}{UNITS[unit]}"


def due_soon_message(title: str, what: str, due_text: str, left: int, unit: str) -> str:
    return f"{title}：{what}将于{due_text}到期（剩余{max(left, 0)}{UNITS[unit]}）"


@dataclass
class Context:
    calendar: WorkCalendar
    as_of: dt.datetime
    warn_within: Period
    outcomes: list[Finding] = field(default_factory=list)  # findings, and QUIET outcomes when keep_quiet
    active_years: dict[str, set[int]] = field(default_factory=dict)  # body -> years with any event
    keep_quiet: bool = False  # keep on-time and pending outcomes too (explain command, checks)
    explain_quiet: bool = False  # and write their counting steps (explain command)
    task_board: list[dict] = field(default_factory=list)  # every task of every task list, for the HTML board
    _sources: dict[int, dict] = field(default_factory=dict, init=False, repr=False)  # id(rule) -> its citation

    def __post_init__(self) -> None:
        self.as_of_text = fmt(self.as_of)

    def finding(self, loaded: LoadedRule, status: str, subject: str, body: str, department: str, message: str,
                **extra) -> Finding | Quiet:
        if status in QUIET and not self.keep_quiet:
            return QUIET_OUTCOME[status]
        rule = loaded.rule
        source = self._sources.get(id(rule))  # not rule.id: versions of one rule share it (ogi-2008, ogi-2019)
        if source is None:  # one citation per rule, shared by its findings (nothing changes it)
            source = self._sources[id(rule)] = rule.source.model_dump(exclude_none=True)
        finding = Finding(rule=rule.id, title=rule.title, severity=rule.severity, status=status, subject=subject,
                          body=body, department=department, source=source, message=message, **extra)
        self.outcomes.append(finding)
        return finding

    def undetermined(self, loaded: LoadedRule, exc: CalendarCoverageError, subject: str, body: str,
                     department: str, **extra) -> Finding:
        return self.finding(loaded, "undetermined", subject, body, department,
                            f"{loaded.rule.title}：无法判定，日历未覆盖{exc.year}年（{exc}）", **extra)

    def warn_period(self, loaded: LoadedRule) -> Period:
        own = getattr(loaded.rule, "warn_within", None)
        return Period.parse(own) if own else self.warn_within

    def judge_open(self, loaded: LoadedRule, deadline: Deadline, subject: str, body: str, department: str,
                   what, **extra) -> Finding | Quiet:
        """An obligation not yet fulfilled at as-of: overdue, due soon, or still pending."""
        cal, unit = self.calendar, deadline.period.unit
        anchor = deadline.last_day or deadline.due
        if self.as_of < deadline.due:
            warn = self.warn_period(loaded)
            left = cal.units_between(self.as_of, anchor, warn.unit)
            if left > warn.amount and not self.keep_quiet:
                return QUIET_OUTCOME["pending"]
        what = text(what)
        common = dict(deadline=deadline.due, deadline_text=deadline.due_text, **extra)
        if self.as_of >= deadline.due:
            common["explanation"] = deadline.explain()
            by = max(cal.units_between(anchor, self.as_of, unit), 1)
            return self.finding(loaded, "overdue", subject, body, department,
                                overdue_message(loaded.rule.title, what, deadline.due_text, self.as_of_text, by, unit),
                                overdue_by=f"{by}{unit}", **common)
        if left <= warn.amount or self.explain_quiet:
            common["explanation"] = deadline.explain()
        if left <= warn.amount:
            return self.finding(loaded, "due_soon", subject, body, department,
                                due_soon_message(loaded.rule.title, what, deadline.due_text, left, warn.unit), **common)
        return self.finding(loaded, "pending", subject, body, department,
                            f"{what}期限 {deadline.due_text}，尚未到期", **common)

    def judge_done(self, loaded: LoadedRule, deadline: Deadline, done: Event, subject: str, body: str,
                   department: str, what, **extra) -> Finding | Quiet:
        """An obligation fulfilled by `done`: late or on time."""
        unit = deadline.period.unit
        late = done.time >= deadline.due and not (done.date_only and deadline.last_day
                                                  and local_date(done.time) <= deadline.last_day)
        if not late and not self.keep_quiet:
            return QUIET_OUTCOME["on_time"]
        what = text(what)
        common = dict(deadline=deadline.due, deadline_text=deadline.due_text, fulfilment=ref(done), **extra)
        if late or self.explain_quiet:
            common["explanation"] = deadline.explain()
        if late:
            anchor = deadline.last_day or deadline.due
            by = max(self.calendar.units_between(anchor, done.time, unit), 1)
            return self.finding(loaded, "late", subject, body, department,
                                late_message(loaded.rule.title, what, deadline.due_text, when(done), by, unit),
                                overdue_by=f"{by}{unit}", **common)
        return self.finding(loaded, "on_time", subject, body, department,
                            f"{what}于{when(done)}完成，期限 {deadline.due_text}", **common)

