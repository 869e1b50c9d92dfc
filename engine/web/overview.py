"""总览: on-time figures per body and department for a period, the trend by month, what falls due in the
next N working days, and the last run with its calendar notice."""

from __future__ import annotations

import datetime as dt
import json

from fastapi import Request

from ..audit import calendar_notices
from ..calendar import SHANGHAI
from ..errors import CalendarCoverageError
from ..tally import CLASS_OF, Tally, tally
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


def _deadline_month(outcome) -> str | None:
    """The month of the deadline's last day (a 24:00 deadline on 03-31 is March's, not April's)."""
    return outcome.deadline_text[:7] if outcome.deadline_text else None


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
        if run["rules_revision"] != engine.ruleset.revision:  # the figures below are the rules' of today
            context["notices"].append(
                f"规则已更新：该次运行用的是版本 {run['rules_revision']}，现为 "
                f"{engine.ruleset.revision}；按期率与时间线按现行规则重新计算，问题清单是该次运行记录的，"
                "再运行一次审计即一致。"
            )
        if evaluation and evaluation.complete:
            outcomes = [
                o
                for o in evaluation.outcomes
                if (not body or o.body == body)
                and (not start or (_deadline_month(o) or "") >= start)
                and (not end or (_deadline_month(o) or "9999") <= end)
            ]
            context["rows"] = sorted(tally(outcomes, lambda o: (o.body, o.department or "（未填）")).items())
            context["bodies_total"] = sorted(tally(outcomes, lambda o: o.body).items())
            context["total"] = tally(outcomes, lambda o: "all").get("all", Tally())
            by_month: dict[str, dict[str, int]] = {}
            for o in outcomes:
                kind = CLASS_OF.get(o.status)
                if o.deadline_text and kind != "undetermined":
                    month = by_month.setdefault(_deadline_month(o), {})
                    month[kind] = month.get(kind, 0) + 1
            context["chart"] = month_bars(by_month, start or None, end or None)
            context["due"] = _falls_due(engine.calendar, outcomes, as_of, within)
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
