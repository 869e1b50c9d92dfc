"""Rules and calendar loaded once (`Engine`), and what they judge directly: events already built, a plan.

Apart from audit.py (files, the event store, Dask, the report) so that the Dask workers (scale.py) can load
an Engine without importing the audit that starts them; every judgement goes through engine/pipeline.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .calendar import NATIONAL, Period, WorkCalendar, load_calendar
from .check import CheckResult, Plan, applicability, obligation, plan_events, plan_instant, subset, verdict_of
from .evaluate import AuditResult
from .paths import bundled
from .pipeline import judge
from .ruleset.loader import RuleSet, load_rules


@dataclass
class Engine:
    """Rules and calendar loaded once, reusable for many audits and checks."""

    ruleset: RuleSet
    calendar: WorkCalendar
    _subsets: dict = field(
        default_factory=dict, repr=False
    )  # per-subject rules by pack selection, for checks

    @classmethod
    def load(
        cls,
        rule_paths: list[Path | str] | None = None,
        calendar: str = NATIONAL,
        calendar_dirs: list[Path] | None = None,
    ) -> Engine:
        return cls(load_rules(rule_paths or [bundled("rules")]), load_calendar(calendar, calendar_dirs))

    def evaluate(
        self,
        events,
        as_of: dt.datetime,
        warn_within: Period = Period(2, "wd"),
        keep_outcomes: bool = False,
    ) -> AuditResult:
        """Judge events already built (each of them, repeated ids too), through the one pipeline
        (engine/pipeline.py); keep_outcomes: the quiet outcomes too (explain, the workbench)."""
        return judge(self.ruleset, self.calendar, events, as_of, warn_within, keep_outcomes)

    def check(self, plan, warn_within: Period = Period(2, "wd")) -> CheckResult:
        """Pre-publication check of one plan (a dict as JSON gives it, or a Plan). Raises ValidationError
        or PlanError for a bad plan."""
        plan = plan if isinstance(plan, Plan) else Plan.model_validate(plan)
        events = plan_events(plan, self.ruleset.event_types)
        key = tuple(plan.packs) if plan.packs else None
        if key not in self._subsets:
            self._subsets[key] = subset(self.ruleset, plan.packs)
        as_of = plan_instant(plan.as_of) if plan.as_of else max(e.time for e in events)
        result = judge(
            self._subsets[key],
            self.calendar,
            events,
            as_of,
            warn_within,
            keep_outcomes=True,
            explain_all=False,
        )
        subjects = {e.subject for e in events}
        findings = [f for f in result.findings if f.subject in subjects]
        within = {r.id: getattr(r.rule, "within", None) for r in self._subsets[key].rules}
        obligations = [
            obligation(o, within.get(o.rule))
            for o in result.outcomes
            if o.trigger and o.trigger.id.startswith("plan:") and o.deadline is not None
        ]
        warnings = applicability(self._subsets[key], self.ruleset, events)
        verdict = verdict_of(findings)
        return CheckResult(
            "warn" if warnings and verdict == "pass" else verdict,
            findings,
            obligations,
            as_of,
            events,
            warnings,
        )

    def coverage(self) -> str:
        years = self.calendar.covered_years
        return f"{self.calendar.name} {years[0]}-{years[-1]} ({len(self.calendar.data.files)} files)"
