"""Ratio rules: a share that must reach a threshold by a date or per period (江苏省司法厅2018年度政务公开工作要点
第21项“实现80%的审批服务事项‘网上办’”; 第38项“政务公开工作分值权重不低于4%”).

Two sources of the share, per body:
- counted: the body's subjects with an event of the rule's type, each by its latest such event up to the
  moment judged; the share of them whose latest event matches `where` (a service listed, then moved online,
  counts once, as it stands);
- reported: the latest event of the type carrying `figures` (a numerator and a denominator, or a value in
  percent), as the body reported it.
Fractions are exact (80% of 10 is met by 8). Judged at 24:00 of `by` (counted: every event up to then, a list
being a stock; reported: the reports since the rule's first day), or of each period's last day (`per`: the
events of the period); before that, a share still below is `due_soon` within the warning window. Below at that
moment, or no data: `below_ratio`; a report whose figures cannot be read: `missing_fields`.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from ..calendar import Deadline, Period
from ..model.events import Event
from ..model.rules import RatioRule, percent_text
from ..ruleset.loader import LoadedRule
from ..ruleset.match import compile_filter
from .context import Context, local_date, ref
from .periodic import BodyTracker, end_of_day, period_of
from .verdict import overdue


def reported_share(event: Event, rule: RatioRule) -> tuple[Fraction | None, str]:
    """(share, how it was read) from a report's figures; None when they cannot be read."""
    figures = rule.figures
    if figures.value is not None:
        value = _number(event.attrs.get(figures.value))
        if value is None:
            return None, f"{figures.value}={event.attrs.get(figures.value)!r} 无法读作百分数"
        return value / 100, f"{figures.value} = {event.attrs.get(figures.value)}"
    top, bottom = _number(event.attrs.get(figures.numerator)), _number(event.attrs.get(figures.denominator))
    if top is None or bottom is None or bottom <= 0 or top < 0:
        return None, (
            f"{figures.numerator}={event.attrs.get(figures.numerator)!r}、"
            f"{figures.denominator}={event.attrs.get(figures.denominator)!r} 无法计算比例"
        )
    return (
        top / bottom,
        f"{figures.numerator} {event.attrs.get(figures.numerator)} / {figures.denominator} "
        f"{event.attrs.get(figures.denominator)}",
    )


def _number(value) -> Fraction | None:
    """A figure as written: 12, "12", "4.5", "4.5%", "４％" (exact, never a float)."""
    if isinstance(value, bool) or value is None:
        return None
    text = (
        str(value)
        .strip()
        .translate(str.maketrans("０１２３４５６７８９．％", "0123456789.%"))
        .removesuffix("%")
    )
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None


class RatioEvaluator:
    def __init__(self, loaded: LoadedRule, ctx: Context):
        self.loaded, self.ctx = loaded, ctx
        self.rule: RatioRule = loaded.rule
        self.where = compile_filter(self.rule.where) if self.rule.where else None  # checked when loaded
        self.bodies = BodyTracker(loaded)
        self.observe = self.bodies.observe
        self.events: dict[str, list[Event]] = {}  # body -> its events of the type, in time order

    def feed(self, event: Event) -> None:
        if event.type != self.rule.event or not self.loaded.matches(event):
            return
        self.bodies.first_seen.setdefault(event.body, local_date(event.time))
        self.events.setdefault(event.body, []).append(event)

    def _windows(self, first: dt.date) -> list[tuple[str, dt.date | None, dt.date]]:
        """(label, first day counted or None for all before, last day) of each judgement: one ending on `by`, or
        one per period."""
        rule, as_of_day = self.rule, local_date(self.ctx.as_of)
        start = max(first, rule.effective.from_ or first)
        if rule.by is not None:
            since = rule.effective.from_ if rule.figures is not None else None
            return [(rule.by.isoformat(), since, rule.by)] if first <= rule.by else []
        out, day = [], start
        while day <= as_of_day and (rule.effective.to is None or day <= rule.effective.to):
            label, begin, end = period_of(day, rule.per)
            out.append((label, begin, end))
            day = dt.date.fromordinal(end.toordinal() + 1)
        return out

    def finish(self) -> None:
        for body, first in sorted(self.bodies.first_seen.items()):
            for label, begin, end in self._windows(first):
                due = end_of_day(end)
                events = [
                    e
                    for e in self.events.get(body, ())  # before the due instant, as a deadline counts
                    if (begin is None or local_date(e.time) >= begin)
                    and e.time < due
                    and e.time <= self.ctx.as_of
                ]
                self._judge(body, label, begin, end, due, events)
        self.events.clear()

    def _judge(
        self,
        body: str,
        label: str,
        begin: dt.date | None,
        end: dt.date,
        due: dt.datetime,
        events: list[Event],
    ) -> None:
        rule, ctx = self.rule, self.ctx
        span = f"统计期间 {begin} 至 {end}" if begin else f"统计 {end} 24:00 前的全部记录"
        deadline = Deadline(due, Period(0, "d"), due, end, [f"{span}，{end} 24:00 判定"])
        where = dict(
            subject=f"{body}/{label}",
            body=body,
            department=events[-1].department if events else "",
            period=label,
            deadline=due,
            deadline_text=deadline.due_text,
        )
        target = percent_text(rule.threshold)
        if rule.figures is not None:
            if not events:
                share, how, steps = None, "期内没有报送", ["期内没有报送"]
            else:
                report = events[-1]
                share, how = reported_share(report, rule)
                steps = [f"最近一次报送：{report.id}（{local_date(report.time)}），{how}"]
                where["fulfilment"] = ref(
                    report
                )  # not the trigger: the period keeps one finding as reports come
                if share is None:
                    ctx.finding(
                        self.loaded,
                        "missing_fields",
                        message=f"{rule.title}：{body} {label} 的报送数据无法读取：{how}",
                        explanation=deadline.steps + steps,
                        **where,
                    )
                    return
        else:
            latest: dict[str, Event] = {}
            for event in events:
                latest[event.subject] = event
            hits = sorted(s for s, e in latest.items() if self.where(e))
            share = Fraction(len(hits), len(latest)) if latest else None
            how = f"{len(hits)}/{len(latest)}"
            steps = [f"各对象以最近一次事件为准：共 {len(latest)} 个，符合 {len(hits)} 个"]
            if hits:
                steps.append("符合：" + "、".join(hits[:20]) + ("……" if len(hits) > 20 else ""))
        text = "无数据" if share is None else f"{percent_text(share)}（{how}）"
        steps = deadline.steps + steps + [f"要求不低于 {target}"]
        if share is not None and share >= rule.threshold:
            ctx.finding(
                self.loaded, "met", message=f"{label} {text}，达到{target}", explanation=steps, **where
            )
        elif overdue(ctx.as_of, due):
            ctx.finding(
                self.loaded,
                "below_ratio",
                message=f"{rule.title}：{body} {label} 为{text}，低于{target}",
                explanation=steps,
                **where,
            )
        else:
            ctx.judge_period_open(
                self.loaded,
                due,
                end,
                f"{rule.title}：{body} {label} 目前为{text}，{end}前应达到{target}",
                where,
                explanation=steps,
            )
