"""The findings of obligations the screen judged in columns (`screen.Verdicts`), in the evaluators' words.

Each finding is what `DeadlineEvaluator` and `Context.judge_done` / `judge_open` would write for the same
subject, through the same writers (`Context.write_late`, `write_overdue`, `write_due_soon`), with the same
deadline text, explanation (`workcal.start_step` + `WorkCalendar.day_steps`) and event references;
tests/test_pipeline.py checks them word for word on hand-checked dates and tests/test_oracle.py their
deadlines and verdicts. Times are turned into texts and
datetimes a column at a time, which is what makes this path cheap.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..calendar import SHANGHAI, format_due
from ..calendar.workcal import start_step
from ..evaluate.context import Context
from ..evaluate.deadline import what_text
from ..model.findings import EventRef
from ..model.rules import DeadlineRule
from ..ruleset.loader import LoadedRule
from .frame import ORDINAL_1970
from .screen import VERDICTS, Verdicts
from .view import View

_UTC8_US = 8 * 3_600_000_000


class _Moments:
    """Instants (µs since the epoch) as Asia/Shanghai datetimes, minute texts (as `minute_text` writes
    them) and weekdays. Plain rows are from 1992 on, when Shanghai was UTC+8 throughout."""

    def __init__(self, instants: np.ndarray):
        local = (np.asarray(instants, np.int64) + _UTC8_US).astype("datetime64[us]")
        self.time = [moment.replace(tzinfo=SHANGHAI) for moment in local.astype(object).tolist()]
        self.minute = [
            text.replace("T", " ") for text in np.datetime_as_string(local.astype("datetime64[m]")).tolist()
        ]
        self.weekday = (
            (local.astype("datetime64[D]").astype(np.int64) + 3) % 7
        ).tolist()  # 1970-01-01: Thursday


def write_findings(ctx: Context, loaded: LoadedRule, view: View, verdicts: Verdicts) -> None:
    rule: DeadlineRule = loaded.rule
    calendar, period, conventions = ctx.calendar, rule.period, rule.counting.conventions()
    warn_unit, unit, zone = ctx.warn_period(loaded).unit, period.unit, SHANGHAI.key
    fulfilled = verdicts.done >= 0
    trigger_rows, done_rows = verdicts.trigger, np.where(fulfilled, verdicts.done, verdicts.trigger)

    subjects, bodies = (
        view.take("subject", trigger_rows).to_pylist(),
        view.take("body", trigger_rows).to_pylist(),
    )
    departments = view.take("department", trigger_rows).to_pylist()
    t_ids, d_ids = (
        view.frame.values("id", view.order[trigger_rows]),
        view.frame.values("id", view.order[done_rows]),
    )
    start, done = _Moments(view.instant[trigger_rows]), _Moments(view.instant[done_rows])
    d_date_only = view.date_only[done_rows].tolist()
    start_days = (view.day[trigger_rows] + ORDINAL_1970).tolist()
    distinct, first, which = np.unique(verdicts.due, return_index=True, return_inverse=True)
    due_times = _Moments(distinct).time
    due_texts = [
        format_due(due, dt.date.fromordinal(last + ORDINAL_1970))
        for due, last in zip(due_times, verdicts.last[first].tolist())
    ]
    tails: dict[int, tuple[str, ...]] = {}
    for k, (status, amount, d) in enumerate(
        zip(verdicts.status.tolist(), verdicts.amount.tolist(), which.reshape(-1).tolist())
    ):
        due, due_text = due_times[d], due_texts[d]
        tail = tails.get(start_days[k])
        if tail is None:
            tail = tails[start_days[k]] = calendar.day_steps(
                dt.date.fromordinal(start_days[k]), period, conventions
            )[0]
        what = what_text(subjects[k], start.minute[k], rule.trigger)
        explanation = [start_step(start.minute[k], start.weekday[k], zone), *tail]
        name = VERDICTS[status]
        trigger = EventRef(t_ids[k], rule.trigger, start.time[k])
        where = dict(subject=subjects[k], body=bodies[k], department=departments[k] or "")
        if name == "late":
            done_text = done.minute[k][:10] if d_date_only[k] else done.minute[k]
            fulfilment = EventRef(d_ids[k], rule.fulfil, done.time[k])
            ctx.write_late(
                loaded,
                where,
                what,
                due,
                due_text,
                done_text,
                amount,
                unit,
                trigger=trigger,
                explanation=explanation,
                fulfilment=fulfilment,
            )
        elif name == "overdue":
            ctx.write_overdue(
                loaded, where, what, due, due_text, amount, unit, trigger=trigger, explanation=explanation
            )
        else:
            ctx.write_due_soon(
                loaded,
                where,
                what,
                due,
                due_text,
                amount,
                warn_unit,
                trigger=trigger,
                explanation=explanation,
            )
