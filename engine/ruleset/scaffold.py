"""A new rule written from an obligation's parts, with two test cases: one that keeps it, one that does not.

deadline: computed with the calendar (engine.calendar) from an example trigger, the fulfilment at 23:00 on
the last day is on time, the one at 09:00 the day after is late (hours: an hour before the due minute, and an
hour after it). recurrence: the same around the first interval, from the opening to the first event, the state
then closed. order: the later event after the earlier one, and once without it. ratio: ten subjects, just
enough of them counted to reach the threshold, then one fewer. The author checks the dates against the
holiday notice before trusting them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

import yaml

from ..calendar import SHANGHAI, Period, WorkCalendar, format_due
from ..calendar.deadline import minute_text
from ..errors import InputError


@dataclass
class Obligation:
    id: str
    title: str
    document: str
    article: str
    text: str
    trigger: str | None = None  # deadline
    fulfil: str | None = None
    within: str | None = None
    body: str | None = None
    severity: str = "error"
    effective_from: dt.date | None = None
    reading: str | None = None
    pack: str | None = None
    kind: str = "deadline"
    first: str | None = None  # order
    then: str | None = None
    open: str | None = None  # recurrence
    close: str | None = None
    event: str | None = None  # recurrence, ratio
    every: str | None = None
    where: dict | None = None  # ratio
    at_least: str | None = None
    by: dt.date | None = None


@dataclass
class Scaffold:
    rule: dict
    steps: list[str]
    last_day: dt.date | None
    due_text: str

    def pack_text(self, pack: str) -> str:
        header = (
            "# 由 shixian rule new 生成。请对照原文核对规则，并对照当年节假日安排通知核对两个测试用例的日期。\n"
            "# Written by `shixian rule new`: check the rule against the source and the test dates against the notice.\n"
        )
        return header + _dump({"pack": pack, "rules": [self.rule]})

    def rule_text(self) -> str:
        """The rule alone, indented as an item of an existing pack's `rules:` list."""
        lines = _dump([self.rule]).splitlines()
        return "\n" + "\n".join("  " + line for line in lines) + "\n"


class _Block(dict):
    """A mapping written in block style (the source quote), where small ones are written on one line."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(
        self, flow: bool = False, indentless: bool = False
    ):  # "  - id:" as in the bundled packs
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data) -> bool:  # no &id001 anchors for repeated defaults
        return True


_Dumper.add_representer(
    _Block,
    lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False),
)


def _dump(data) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110, default_flow_style=None
    )


def _iso(moment: dt.datetime) -> str:
    return minute_text(moment.astimezone(SHANGHAI)).replace(" ", "T")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), SHANGHAI)


def build(obligation: Obligation, example_start: dt.datetime, calendar: WorkCalendar) -> Scaffold:
    """The rule as a mapping (keys in the order of docs/rules.md) and its two cases."""
    if example_start.tzinfo is None:
        example_start = example_start.replace(tzinfo=SHANGHAI)
    kinds = {"deadline": _deadline, "order": _order, "recurrence": _recurrence, "ratio": _ratio}
    return kinds[obligation.kind](obligation, example_start, calendar)


def _head(obligation: Obligation) -> dict:
    """id, kind, title, source, severity, effective, applies_to and reading: what every kind writes first."""
    rule: dict = {
        "id": obligation.id,
        "kind": obligation.kind,
        "title": obligation.title,
        "source": _Block(document=obligation.document, article=obligation.article, text=obligation.text),
        "severity": obligation.severity,
    }
    if obligation.effective_from:
        rule["effective"] = {"from": obligation.effective_from}
    if obligation.body:
        rule["applies_to"] = {"body": obligation.body}
    if obligation.reading:
        rule["reading"] = obligation.reading
    return rule


def _around(calendar: WorkCalendar, start: dt.datetime, period: Period):
    """(deadline, on-time instant, late instant, their words, last day) of a period from `start`."""
    deadline = calendar.deadline(start, period)
    if period.unit == "h":
        # the due minute itself is already late (a deadline is the instant by which it must be done)
        on_time = calendar.deadline(start, Period(max(period.amount - 1, 0), "h")).due
        late = calendar.deadline(deadline.due, "1h").due
        return (
            deadline,
            on_time,
            late,
            f"到期前1小时 {minute_text(on_time)}",
            f"超过1小时 {minute_text(late)}",
            None,
        )
    last_day = deadline.last_day
    on_time, late = _at(last_day, 23), _at(calendar.add_days(last_day, 1, roll=False), 9)
    return deadline, on_time, late, f"最后一日 {last_day} 23:00", f"次日 {late.date()} 09:00", last_day


def _deadline(obligation: Obligation, example_start: dt.datetime, calendar: WorkCalendar) -> Scaffold:
    period = Period.parse(obligation.within)
    deadline, on_time, late, on_time_words, late_words, last_day = _around(calendar, example_start, period)
    if late <= example_start or on_time < example_start:
        raise InputError("示例起算时刻有误 (bad example start)")
    due_text = format_due(deadline.due, last_day)
    expected = last_day.isoformat() if last_day else due_text
    if last_day:  # a date alone is the end of that day
        as_of = [last_day, late.date()]
    else:
        as_of = [_iso(late), _iso(calendar.deadline(late, "1h").due)]
    start_text = minute_text(example_start.astimezone(SHANGHAI))
    defaults = {"body": obligation.body or "示例市司法局"}
    subject = "S1"
    trigger = {"type": obligation.trigger, "subject": subject, "time": _iso(example_start)}
    cases = [
        {
            "name": f"{start_text} 起算，{period.chinese}截止 {due_text}；{on_time_words} 完成，按期",
            "as_of": as_of[0],
            "defaults": defaults,
            "events": [trigger, {"type": obligation.fulfil, "subject": subject, "time": _iso(on_time)}],
            "expect": [],
        },
        {
            "name": f"{late_words} 才完成，逾期",
            "as_of": as_of[1],
            "defaults": defaults,
            "events": [trigger, {"type": obligation.fulfil, "subject": subject, "time": _iso(late)}],
            "expect": [{"subject": subject, "status": "late", "deadline": expected}],
        },
    ]
    rule = _head(obligation)
    rule.update(trigger=obligation.trigger, fulfil=obligation.fulfil, within=str(period), tests=cases)
    return Scaffold(rule, deadline.explain(), last_day, due_text)


def _order(obligation: Obligation, example_start: dt.datetime, calendar: WorkCalendar) -> Scaffold:
    """S1: the earlier event, the later one an hour after it (in order); S2: the later event an hour before
    the earlier one (out of order). Judged the next day."""
    first, then = obligation.first, obligation.then
    hour = calendar.deadline(example_start, "1h").due
    as_of = calendar.add_days(example_start.astimezone(SHANGHAI).date(), 1, roll=False).isoformat()
    defaults = {"body": obligation.body or "示例市司法局"}
    start_text = minute_text(example_start.astimezone(SHANGHAI))
    cases = [
        {
            "name": f"{start_text} {first}，1小时后 {then}，先后顺序正确",
            "as_of": as_of,
            "defaults": defaults,
            "events": [
                {"type": first, "subject": "S1", "time": _iso(example_start)},
                {"type": then, "subject": "S1", "time": _iso(hour)},
            ],
            "expect": [],
        },
        {
            "name": f"{start_text} {then}，1小时后才 {first}，顺序颠倒",
            "as_of": as_of,
            "defaults": defaults,
            "events": [
                {"type": then, "subject": "S2", "time": _iso(example_start)},
                {"type": first, "subject": "S2", "time": _iso(hour)},
            ],
            "expect": [{"subject": "S2", "status": "out_of_order"}],
        },
    ]
    rule = _head(obligation)
    rule.update(first=first, then=then, tests=cases)
    steps = [f"同一主体的 {then} 之前须已有 {first}（同一时刻记录的视为在前）"]
    return Scaffold(rule, steps, None, "")


def _recurrence(obligation: Obligation, example_start: dt.datetime, calendar: WorkCalendar) -> Scaffold:
    """The state opened at the example start; the first event on the last day of the first interval (on time)
    or the day after (late), the state closed an hour after it."""
    period = Period.parse(obligation.every)
    deadline, on_time, late, on_time_words, late_words, last_day = _around(calendar, example_start, period)
    due_text = format_due(deadline.due, last_day)
    defaults = {"body": obligation.body or "示例市司法局"}
    start_text = minute_text(example_start.astimezone(SHANGHAI))

    def hour(moment: dt.datetime) -> dt.datetime:
        return calendar.deadline(moment, "1h").due

    def events(moment: dt.datetime) -> list[dict]:
        return [
            {"type": obligation.open, "subject": "S1", "time": _iso(example_start)},
            {"type": obligation.event, "subject": "S1", "time": _iso(moment)},
            {"type": obligation.close, "subject": "S1", "time": _iso(hour(moment))},
        ]

    cases = [
        {
            "name": f"{start_text} 开启，每次间隔不超过{period.chinese}，{on_time_words} {obligation.event}，按期",
            "as_of": _iso(hour(hour(on_time))),
            "defaults": defaults,
            "events": events(on_time),
            "expect": [],
        },
        {
            "name": f"{late_words} 才 {obligation.event}，超过间隔（截止 {due_text}）",
            "as_of": _iso(hour(hour(late))),
            "defaults": defaults,
            "events": events(late),
            "expect": [{"subject": "S1", "status": "late", "deadline": due_text}],
        },
    ]
    rule = _head(obligation)
    rule.update(open=obligation.open, close=obligation.close, event=obligation.event, every=str(period))
    rule["tests"] = cases
    return Scaffold(rule, deadline.explain(), last_day, due_text)


def _ratio(obligation: Obligation, example_start: dt.datetime, calendar: WorkCalendar) -> Scaffold:
    """Ten subjects recorded at the example start: as many matching `where` as the threshold needs (met),
    then one fewer (below), judged at 24:00 of `by`."""
    by, threshold = obligation.by, Fraction(obligation.at_least.rstrip("%")) / 100
    if example_start.astimezone(SHANGHAI).date() > by:
        raise InputError(f"示例起算时刻应在判定日期 {by} 之前 (the example start must be before 'by')")
    needed = math.ceil(threshold * 10)
    if not 0 < needed <= 10:
        raise InputError(
            f"阈值 {obligation.at_least} 应大于0%、不超过100% (the threshold must be in (0%, 100%])"
        )
    defaults = {"body": obligation.body or "示例市司法局"}
    body = defaults["body"]
    after = calendar.add_days(by, 1, roll=False).isoformat()

    def events(matching: int) -> list[dict]:
        out = []
        for k in range(10):
            event = {"type": obligation.event, "subject": f"S{k + 1:02d}", "time": _iso(example_start)}
            if k < matching:
                event.update(obligation.where)
            out.append(event)
        return out

    where = "、".join(f"{key}: {value}" for key, value in obligation.where.items())
    cases = [
        {
            "name": f"10个中{needed}个符合（{where}），不低于{obligation.at_least}，达到",
            "as_of": after,
            "defaults": defaults,
            "events": events(needed),
            "expect": [],
        },
        {
            "name": f"10个中{needed - 1}个符合，低于{obligation.at_least}，{by} 24时判定为比例不足",
            "as_of": after,
            "defaults": defaults,
            "events": events(needed - 1),
            "expect": [{"subject": f"{body}/{by}", "status": "below_ratio", "deadline": f"{by} 24:00"}],
        },
    ]
    rule = _head(obligation)
    rule.update(event=obligation.event, where=dict(obligation.where), at_least=obligation.at_least, by=by)
    rule["tests"] = cases
    steps = [f"{by} 24时判定：符合条件的对象占全部对象的比例不低于{obligation.at_least}（按分数精确比较）"]
    return Scaffold(rule, steps, by, f"{by} 24:00")
