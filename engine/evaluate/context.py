"""What every rule kind needs while evaluating: the calendar, the as-of moment, and finding builders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..calendar import SHANGHAI, Deadline, Period, WorkCalendar
from ..calendar.period import UNITS, counted_in
from ..calendar.workcal import minute_text
from ..errors import CalendarCoverageError
from ..model.events import Event
from ..model.findings import EventRef, Finding
from ..ruleset.loader import LoadedRule
from ..tally import ObligationCounts, deadline_month
from .verdict import NO_DAY, at_least_one, due_soon, on_time, overdue

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


def is_late(done: Event, deadline: Deadline) -> bool:
    """Fulfilled after the deadline; an event logged by date alone on the last day is on time."""
    return not on_time(
        done.time, done.date_only, local_date(done.time), deadline.due, deadline.last_day or NO_DAY
    )


def _ranged(chosen: Deadline, other: Deadline | None) -> Deadline:
    """A deadline judged from one bound of an unpublished year: its text shows the range (when the bounds
    differ) and its first step says why."""
    low, high = sorted((chosen, other), key=lambda d: d.due) if other else (chosen, None)
    if high is not None and high.due == low.due:
        note = "所需年份的调休安排尚未公布：任何可能的安排下期限相同（见 docs/calendar.md 的推算范围）"
    else:
        span = f"{low.due_text} 至 {high.due_text}" if high else f"不早于 {low.due_text}"
        note = f"所需年份的调休安排尚未公布：期限在 {span} 之间（见 docs/calendar.md 的推算范围）；不论如何安排，结论相同"
        chosen.due_text = span  # the finding's deadline_text and message show the range, not one bound
    words = chosen.explainer
    chosen.explainer, chosen.steps = (lambda: [note] + words()), []
    return chosen


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
    event_types: dict[str, str] = field(default_factory=dict)  # type -> its Chinese label, for messages
    parents: dict[str, str] = field(default_factory=dict)  # subordinate body -> its parent (roll-up)
    # every obligation judged, quiet or not (engine/tally.py): on-time rates without keeping quiet outcomes
    obligations: ObligationCounts = field(default_factory=ObligationCounts)
    # when a set: every subject whose findings can change with time alone, left with a deadline clock open
    # at as-of (pending, due soon, overdue, paused) or an order still waiting for its first event (its
    # finding names as-of); the incremental audit re-judges them (engine/state/incremental.py)
    open_subjects: set[str] | None = None
    _sources: dict[int, dict] = field(
        default_factory=dict, init=False, repr=False
    )  # id(rule) -> its citation

    def __post_init__(self) -> None:
        self.as_of_text = fmt(self.as_of)

    def finding(
        self, loaded: LoadedRule, status: str, subject: str, body: str, department: str, message: str, **extra
    ) -> Finding | Quiet:
        self.obligations.add(
            body, department, loaded.rule.id, deadline_month(extra.get("deadline_text")), status
        )
        if status in QUIET and not self.keep_quiet:
            return QUIET_OUTCOME[status]
        rule = loaded.rule
        source = self._sources.get(
            id(rule)
        )  # not rule.id: versions of one rule share it (ogi-2008, ogi-2019)
        if source is None:  # one citation per rule, shared by its findings (nothing changes it)
            source = self._sources[id(rule)] = rule.source.model_dump(exclude_none=True)
        finding = Finding(
            rule=rule.id,
            title=rule.title,
            severity=rule.severity,
            status=status,
            subject=subject,
            body=body,
            department=department,
            source=source,
            message=message,
            parent_body=self.parents.get(body),
            **extra,
        )
        self.outcomes.append(finding)
        return finding

    def undetermined(
        self,
        loaded: LoadedRule,
        exc: CalendarCoverageError,
        subject: str,
        body: str,
        department: str,
        message: str | None = None,
        **extra,
    ) -> Finding:
        """Not judged: the answer depends on a day of a year whose schedule is not published (never guessed;
        not a violation: it does not fail a run by itself, the report counts what waits for which year)."""
        return self.finding(
            loaded,
            "undetermined",
            subject,
            body,
            department,
            f"{loaded.rule.title}：{message or '无法判定'}。{exc.chinese}",
            awaits_year=exc.year,
            **extra,
        )

    def judge_beyond(
        self,
        loaded: LoadedRule,
        exc: CalendarCoverageError,
        deadline_with: Callable[[WorkCalendar], Deadline],
        done: Event | None,
        subject: str,
        body: str,
        department: str,
        what,
        **extra,
    ) -> Finding | Quiet:
        """A deadline that needs a day of an unpublished year: judged where the earliest and latest possible
        deadlines (`WorkCalendar.beyond`) agree on the verdict, `undetermined` showing the range otherwise."""
        early, late = self.calendar.beyond(deadline_with)
        where = dict(subject=subject, body=body, department=department, **extra)
        if early is not None:
            if done is not None:
                if not is_late(done, early):  # on time even by the earliest possible deadline
                    return self.judge_done(loaded, _ranged(early, late), done, what=what, **where)
                if late is not None and is_late(done, late):
                    return self.judge_done(loaded, _ranged(late, early), done, what=what, **where)
            elif late is not None and overdue(self.as_of, late.due):
                return self.judge_open(loaded, _ranged(late, early), what=what, **where)
            elif not overdue(self.as_of, early.due):
                return self.judge_open(loaded, _ranged(early, late), what=what, **where)
        span = f"{early.due_text if early else '?'} 至 {late.due_text if late else '?'}"
        state = f"于{when(done)}完成" if done is not None else "尚未完成"
        return self.undetermined(
            loaded,
            exc,
            subject,
            body,
            department,
            message=f"{text(what)}{state}，期限在 {span} 之间，无法判定是否逾期",
            deadline=late.due if late else None,
            deadline_text=span,
            fulfilment=ref(done),
            **extra,
        )

    def warn_period(self, loaded: LoadedRule) -> Period:
        own = getattr(loaded.rule, "warn_within", None)
        return Period.parse(own) if own else self.warn_within

    # -- the one writer of late, overdue and due-soon findings (evaluators and the screen's verdicts.py) --
    def write_late(
        self,
        loaded: LoadedRule,
        where: dict,
        what: str,
        due: dt.datetime,
        due_text: str,
        done_text: str,
        by: int,
        unit: str,
        at_least: bool = False,
        **extra,
    ) -> Finding | Quiet:
        """Fulfilled `by` units (at least 1) after the last day; `at_least`: the calendar allows more."""
        amount = f"至少{by}" if at_least else by
        return self.finding(
            loaded,
            "late",
            message=f"{loaded.rule.title}：{what}应于{due_text}前完成，实际{done_text}完成，逾期{amount}{UNITS[unit]}",
            deadline=due,
            deadline_text=due_text,
            overdue_by=f"{by}{unit}",
            **where,
            **extra,
        )

    def write_overdue(
        self,
        loaded: LoadedRule,
        where: dict,
        what: str,
        due: dt.datetime,
        due_text: str,
        by: int,
        unit: str,
        at_least: bool = False,
        **extra,
    ) -> Finding | Quiet:
        """Still not fulfilled at as-of, `by` units (at least 1) after the last day."""
        amount = f"至少{by}" if at_least else by
        return self.finding(
            loaded,
            "overdue",
            message=f"{loaded.rule.title}：{what}应于{due_text}前完成，截至{self.as_of_text}仍未完成，"
            f"已逾期{amount}{UNITS[unit]}",
            deadline=due,
            deadline_text=due_text,
            overdue_by=f"{by}{unit}",
            **where,
            **extra,
        )

    def write_due_soon(
        self,
        loaded: LoadedRule,
        where: dict,
        what: str,
        due: dt.datetime,
        due_text: str,
        left: int,
        unit: str,
        **extra,
    ) -> Finding | Quiet:
        """Not yet due, `left` units of the warning's to the last day."""
        return self.finding(
            loaded,
            "due_soon",
            message=f"{loaded.rule.title}：{what}将于{due_text}到期（剩余{max(left, 0)}{UNITS[unit]}）",
            deadline=due,
            deadline_text=due_text,
            **where,
            **extra,
        )

    def judge_period_open(
        self, loaded: LoadedRule, due: dt.datetime, end: dt.date, message: str, where: dict, **extra
    ) -> Finding | Quiet:
        """A period not yet over at as-of (a count or a share still short of its target): due soon when at
        most the warning's units are left to its last day `end`, else pending; undetermined when counting
        them needs a year whose schedule is not published."""
        warn = self.warn_period(loaded)
        try:
            left = self.calendar.units_between(self.as_of, end, warn.unit)
        except CalendarCoverageError as exc:
            return self.undetermined(
                loaded, exc, **{k: where[k] for k in ("subject", "body", "department", "period")}
            )
        status = "due_soon" if due_soon(self.as_of, due, left, warn.amount) else "pending"
        return self.finding(loaded, status, message=message, **where, **extra)

    def judge_open(
        self, loaded: LoadedRule, deadline: Deadline, subject: str, body: str, department: str, what, **extra
    ) -> Finding | Quiet:
        """An obligation not yet fulfilled at as-of: overdue, due soon, or still pending."""
        cal, unit = self.calendar, counted_in(deadline.period.unit)
        anchor = deadline.last_day or deadline.due
        late = overdue(self.as_of, deadline.due)
        if not late:
            warn = self.warn_period(loaded)
            left = cal.units_range(self.as_of, anchor, warn.unit)[
                0
            ]  # the fewest left: warn when it may be near
            soon = due_soon(self.as_of, deadline.due, left, warn.amount)
            if not soon and not self.keep_quiet:
                self.obligations.add(
                    body, department, loaded.rule.id, deadline_month(deadline.due_text), "pending"
                )
                return QUIET_OUTCOME["pending"]
        what = text(what)
        where = dict(subject=subject, body=body, department=department)
        if late:
            by, most = cal.units_range(anchor, self.as_of, unit)
            by = at_least_one(by)
            return self.write_overdue(
                loaded,
                where,
                what,
                deadline.due,
                deadline.due_text,
                by,
                unit,
                most is None or most > by,  # None: the calendar cannot bound it
                explanation=deadline.explain(),
                **extra,
            )
        if soon:
            return self.write_due_soon(
                loaded,
                where,
                what,
                deadline.due,
                deadline.due_text,
                left,
                warn.unit,
                explanation=deadline.explain(),
                **extra,
            )
        common = dict(deadline=deadline.due, deadline_text=deadline.due_text, **extra)
        if self.explain_quiet:
            common["explanation"] = deadline.explain()
        return self.finding(
            loaded,
            "pending",
            subject,
            body,
            department,
            f"{what}期限 {deadline.due_text}，尚未到期",
            **common,
        )

    def judge_done(
        self,
        loaded: LoadedRule,
        deadline: Deadline,
        done: Event,
        subject: str,
        body: str,
        department: str,
        what,
        **extra,
    ) -> Finding | Quiet:
        """An obligation fulfilled by `done`: late or on time."""
        unit = counted_in(deadline.period.unit)
        late = is_late(done, deadline)
        if not late and not self.keep_quiet:
            self.obligations.add(
                body, department, loaded.rule.id, deadline_month(deadline.due_text), "on_time"
            )
            return QUIET_OUTCOME["on_time"]
        what = text(what)
        if late:
            anchor = deadline.last_day or deadline.due
            by, most = self.calendar.units_range(anchor, done.time, unit)
            by = at_least_one(by)
            where = dict(subject=subject, body=body, department=department)
            return self.write_late(
                loaded,
                where,
                what,
                deadline.due,
                deadline.due_text,
                when(done),
                by,
                unit,
                most is None or most > by,  # None: the calendar cannot bound it
                fulfilment=ref(done),
                explanation=deadline.explain(),
                **extra,
            )
        common = dict(deadline=deadline.due, deadline_text=deadline.due_text, fulfilment=ref(done), **extra)
        if self.explain_quiet:
            common["explanation"] = deadline.explain()
        return self.finding(
            loaded,
            "on_time",
            subject,
            body,
            department,
            f"{what}于{when(done)}完成，期限 {deadline.due_text}",
            **common,
        )
