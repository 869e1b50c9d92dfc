"""A new deadline rule written from an obligation's parts, with two test cases around its deadline.

The cases are computed with the calendar (engine.calendar), from an example trigger: the fulfilment at
23:00 on the last day is on time, the one at 09:00 the day after is late. For hours: an hour before the
due minute, and an hour after it. The author checks the dates against the holiday notice before trusting them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
    trigger: str
    fulfil: str
    within: str
    body: str | None = None
    severity: str = "error"
    effective_from: dt.date | None = None
    reading: str | None = None
    pack: str | None = None


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
    period = Period.parse(obligation.within)
    if example_start.tzinfo is None:
        example_start = example_start.replace(tzinfo=SHANGHAI)
    deadline = calendar.deadline(example_start, period)
    if period.unit == "h":
        # the due minute itself is already late (a deadline is the instant by which it must be done)
        on_time = calendar.deadline(example_start, Period(max(period.amount - 1, 0), "h")).due
        late = calendar.deadline(deadline.due, "1h").due
        on_time_words, late_words = f"到期前1小时 {minute_text(on_time)}", f"超过1小时 {minute_text(late)}"
        last_day = None
    else:
        last_day = deadline.last_day
        on_time, late = _at(last_day, 23), _at(calendar.add_days(last_day, 1, roll=False), 9)
        on_time_words, late_words = f"最后一日 {last_day} 23:00", f"次日 {late.date()} 09:00"
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
    rule: dict = {
        "id": obligation.id,
        "kind": "deadline",
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
    rule.update(trigger=obligation.trigger, fulfil=obligation.fulfil, within=str(period), tests=cases)
    return Scaffold(rule, deadline.explain(), last_day, due_text)
