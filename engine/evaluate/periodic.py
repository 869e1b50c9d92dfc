"""Rules judged per body and calendar period: counts per year/quarter/month/week, and yearly due dates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..calendar import SHANGHAI, Deadline, Period
from ..errors import CalendarCoverageError
from ..model.events import Event
from ..model.rules import CountRule, DueByRule
from ..ruleset.loader import LoadedRule
from ..timeparse import MAX_YEAR, MIN_YEAR
from .context import Context, local_date
from .verdict import overdue


def period_of(day: dt.date, per: str) -> tuple[str, dt.date, dt.date]:
    """(label, first day, last day) of the calendar period containing `day`."""
    if per == "year":
        return str(day.year), dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if per == "week":  # Monday to Sunday, labelled by its ISO year and week number
        year, week, weekday = day.isocalendar()
        first = dt.date.fromordinal(day.toordinal() - weekday + 1)
        return f"{year}-W{week:02d}", first, dt.date.fromordinal(first.toordinal() + 6)
    if per == "quarter":
        q = (day.month - 1) // 3
        first = dt.date(day.year, 3 * q + 1, 1)
        nxt = dt.date(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1)
        return f"{day.year}-Q{q + 1}", first, dt.date.fromordinal(nxt.toordinal() - 1)
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return (
        f"{day.year}-{day.month:02d}",
        dt.date(day.year, day.month, 1),
        dt.date.fromordinal(nxt.toordinal() - 1),
    )


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 of `day` in Asia/Shanghai (the start of the next day)."""
    return dt.datetime.combine(dt.date.fromordinal(day.toordinal() + 1), dt.time(0), SHANGHAI)


class BodyTracker:
    """The bodies a rule applies to, each with the first day the log shows it (so a zero count is judged).

    Any event of such a body counts, whatever its type. When the rule's filter names only the body,
    a body that does not match is remembered and not tested again.
    """

    def __init__(self, loaded: LoadedRule):
        self.matches = loaded.matches
        self.first_seen: dict[str, dt.date] = {}
        self.body_only = set(loaded.rule.applies_to) <= {"body"}
        self.other: set[str] = set()

    def observe(self, event: Event) -> None:
        body = event.body
        if body in self.first_seen or body in self.other:
            return
        if self.matches(event):
            self.first_seen[body] = local_date(event.time)
        elif self.body_only:
            self.other.add(body)


class CountEvaluator:
    """At least N events of a type per body per period, judged at the period's end."""

    def __init__(self, loaded: LoadedRule, ctx: Context):
        self.loaded, self.ctx = loaded, ctx
        self.rule: CountRule = loaded.rule
        self.bodies = BodyTracker(loaded)
        self.first_seen = self.bodies.first_seen
        self.counts: dict[tuple[str, str], list[Event]] = defaultdict(list)
        self.observe = self.bodies.observe

    def feed(self, event: Event) -> None:
        if not self.loaded.matches(event):
            return
        day = local_date(event.time)
        self.first_seen.setdefault(event.body, day)
        if event.type == self.rule.event and self.rule.effective.contains(day):
            self.counts[(event.body, period_of(day, self.rule.per)[0])].append(event)

    def finish(self) -> None:
        rule, ctx = self.rule, self.ctx
        as_of_day = local_date(ctx.as_of)
        for body, first in sorted(self.first_seen.items()):
            day = max(first, rule.effective.from_ or first)
            while day <= as_of_day and (rule.effective.to is None or day <= rule.effective.to):
                label, start, end = period_of(day, rule.per)
                events = self.counts.get((body, label), [])
                self._judge(body, label, start, end, events)
                day = dt.date.fromordinal(end.toordinal() + 1)

    def _judge(self, body: str, label: str, start: dt.date, end: dt.date, events: list[Event]) -> None:
        rule, ctx = self.rule, self.ctx
        due = end_of_day(end)
        deadline = Deadline(due, Period(0, "d"), due, end, [f"统计期间 {start} 至 {end}，期末 {end} 24:00"])
        common = dict(
            subject=f"{body}/{label}",
            body=body,
            department=events[-1].department if events else "",
            period=label,
            deadline=due,
            deadline_text=deadline.due_text,
            explanation=deadline.steps + [f"已有 {len(events)} 次：" + "、".join(e.id for e in events)],
        )
        n = len(events)
        if n >= rule.at_least:
            ctx.finding(self.loaded, "met", message=f"{label} 已有{n}次，达到{rule.at_least}次", **common)
        elif overdue(ctx.as_of, due):
            ctx.finding(
                self.loaded,
                "below_count",
                message=f"{rule.title}：{body} {label} 仅{n}次，少于{rule.at_least}次",
                **common,
            )
        else:
            ctx.judge_period_open(
                self.loaded,
                due,
                end,
                f"{rule.title}：{body} {label} 目前{n}次，期末{end}前还需{rule.at_least - n}次",
                common,
            )


class DueByEvaluator:
    """A yearly fixed date: e.g. the annual report for year Y by 31 January of Y+1 (条例第四十九条)."""

    def __init__(self, loaded: LoadedRule, ctx: Context):
        self.loaded, self.ctx = loaded, ctx
        self.rule: DueByRule = loaded.rule
        self.bodies = BodyTracker(loaded)
        self.first_seen = self.bodies.first_seen
        self.done: dict[tuple[str, int], Event] = {}
        self.observe = self.bodies.observe

    def feed(self, event: Event) -> None:
        if not self.loaded.matches(event):
            return
        self.first_seen.setdefault(event.body, local_date(event.time))
        try:
            year = int(event.attrs.get(self.rule.period_field))
        except (TypeError, ValueError):  # absent, not a number, or 4,301+ digits
            year = None
        if year is None or not MIN_YEAR <= year <= MAX_YEAR:  # "0", 10000, 10^20: no year to judge by
            year = local_date(event.time).year - self.rule.due.years_after
        self.done.setdefault((event.body, year), event)

    def _due(self, year: int) -> dt.date | None:
        due = self.rule.due
        try:
            return dt.date(year + due.years_after, due.month, due.day)
        except ValueError:
            return None

    def finish(self) -> None:
        rule, ctx = self.rule, self.ctx
        for body, first in sorted(self.first_seen.items()):
            # a year is judged when its report exists, or when the log shows the body active in the year
            # the report falls due (a log that ends in 2018 says nothing about the 2019 report)
            active = ctx.active_years.get(body, set())
            years = {y for (b, y) in self.done if b == body}
            years |= {
                y
                for y in range(first.year - rule.due.years_after, local_date(ctx.as_of).year + 1)
                if (d := self._due(y)) and d >= first and d.year in active
            }
            for year in sorted(years):
                if rule.effective.contains(dt.date(year, 12, 31)):
                    self._judge(body, year)

    def _judge(self, body: str, year: int) -> None:
        rule, ctx = self.rule, self.ctx
        last = self._due(year)
        if last is None:
            return
        where = dict(subject=f"{body}/{year}", body=body, department="", period=str(year))
        try:
            if rule.roll:
                last = ctx.calendar.next_working_day(last, include_self=True)
            due = end_of_day(last)
        except CalendarCoverageError as exc:
            ctx.undetermined(self.loaded, exc, **where)
            return
        deadline = Deadline(
            due,
            Period(0, "d"),
            due,
            last,
            [f"{year}年度：应于{last}前（含当日）完成；{'顺延休息日' if rule.roll else '不顺延'}"],
        )
        event = self.done.get((body, year))
        what = f"{year}年度"
        if event is not None:
            where["department"] = event.department
            ctx.judge_done(self.loaded, deadline, event, what=what, trigger=None, **where)
        else:
            ctx.judge_open(self.loaded, deadline, what=what, **where)
