"""总览: on-time figures per body and department for a period, the trend by month, what falls due in the
next N working days, and the last run with its calendar notice.

The on-time figures are the ones the run stored (obligation_counts: every obligation it judged, engine/tally.py),
the same the run's HTML and xlsx reports show; only what falls due needs the obligations themselves, from
the run's inputs read again (evaluation.py). A run recorded before the counts were stored falls back to
that re-evaluation for the figures too.
"""

from __future__ import annotations

import datetime as dt
import json

from fastapi import Request

from ..audit import calendar_notices
from ..calendar import SHANGHAI
from ..errors import CalendarCoverageError
from ..tally import ObligationCounts, deadline_month
from . import queries
from .charts import month_bars


def _month(value: str) -> str:
    """'2024-03' if the text is a month, else ''."""
    value = (value or "").strip()[:7]
    return (
        value
        if len(value) == 7
        and value[:4].isdigit()
        and value[4] == "-"
        and value[5:].isdigit()
        and 1 <= int(value[5:]) <= 12
        else ""
    )


def register(wb) -> None:
    @wb.router.get("/")
    def overview(request: Request, start: str = "", end: str = "", body: str = "", within: int = 5):
        wb.user(request)
        store = wb.store()
        engine = wb.engine_of()
        run = queries.latest_run(store.db)
        start, end, within = _month(start), _month(end), max(1, min(within, 60))
        evaluation = wb.evaluation()
        context = dict(
            run=run,
            start=start,
            end=end,
            body=body,
            within=within,
            evaluation=evaluation,
            bodies=wb.choices()["body"] if run else [],
            notices=[],
        )
        if run is None:
            return wb.render(request, "overview.html", **context)
        run["counts"] = json.loads(run["counts"])
        as_of = dt.datetime.fromisoformat(run["as_of"])
        context["notices"] = calendar_notices(engine.calendar, as_of)
        stored = wb.per_run("obligations", lambda db: store.obligations(run["id"]))
        context["stored"] = stored is not None
        if run["rules_revision"] != engine.ruleset.revision:  # the figures below are the rules' of today
            redone = "到期提醒与时间线" if stored is not None else "按期率、到期提醒与时间线"
            context["notices"].append(
                f"规则已更新：该次运行用的是版本 {run['rules_revision']}，现为 "
                f"{engine.ruleset.revision}；{redone}按现行规则重新计算，问题清单与按期率是该次运行记录的，"
                "再运行一次审计即一致。"
            )
        ready = evaluation is not None and evaluation.complete
        if stored is None and ready:  # a run recorded before the counts were stored: count them now
            stored = ObligationCounts()
            for o in evaluation.outcomes:
                stored.add(o.body, o.department, o.rule, deadline_month(o.deadline_text), o.status)
        if stored is not None:

            def keep(key) -> bool:
                return (
                    (not body or key[0] == body)
                    and (not start or key[3] >= start)
                    and (not end or (key[3] or "9999") <= end)
                )

            context["rows"] = sorted(stored.by(lambda k: (k[0], k[1] or "（未填）"), keep).items())
            context["bodies_total"] = sorted(stored.by(lambda k: k[0], keep).items())
            context["total"] = stored.total(keep)
            context["chart"] = month_bars(stored.by_month(keep), start or None, end or None)
        else:
            counts = wb.per_run(f"by-month:{body}", lambda db: queries.counts_by_month(db, body))
            by_month = {
                m: {
                    "late": sum(n for s, n in c.items() if s not in ("overdue", "due_soon")),
                    "overdue": c.get("overdue", 0),
                    "open": c.get("due_soon", 0),
                }
                for m, c in counts.items()
                if (not start or m >= start) and (not end or m <= end)
            }
            context["chart"] = month_bars(by_month, start or None, end or None)
            context["db_rows"] = wb.per_run("by-body", queries.counts_by_body)
        if ready:
            outcomes = [
                o
                for o in evaluation.outcomes
                if (not body or o.body == body)
                and (not start or deadline_month(o.deadline_text) >= start)
                and (not end or (deadline_month(o.deadline_text) or "9999") <= end)
            ]
            context["due"] = _falls_due(engine.calendar, outcomes, as_of, within)
        return wb.render(request, "overview.html", **context)


def _falls_due(calendar, outcomes, as_of: dt.datetime, within: int) -> list:
    """Obligations still open whose deadline is within `within` working days of the as-of day."""
    try:
        limit = calendar.add_working_days(as_of.astimezone(SHANGHAI).date(), within)
    except CalendarCoverageError:
        limit = None
    due = [
        o
        for o in outcomes
        if o.status in ("pending", "due_soon")
        and o.deadline
        and o.deadline >= as_of
        and (limit is None or (o.deadline_text or "")[:10] <= limit.isoformat())
    ]  # by the last day
    return sorted(due, key=lambda o: o.deadline)[:200]
