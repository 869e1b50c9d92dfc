"""The audit pipeline in one place: load rules and calendar, read events, evaluate, record, report."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .calendar import NATIONAL, Period, WorkCalendar, load_calendar
from .check import CheckResult, Plan, _instant, obligation, plan_events, subset, verdict_of
from .events import EventLog, Reject, read_events, write_rejects
from .evaluate import AuditResult, evaluate
from .paths import bundled
from .progress import Progress
from .report import Report
from .ruleset.loader import RuleSet, load_rules
from .state import AuditStore


@dataclass
class Engine:
    """Rules and calendar loaded once, reusable for many audits and checks."""

    ruleset: RuleSet
    calendar: WorkCalendar
    _subsets: dict = field(default_factory=dict, repr=False)  # per-subject rules by pack selection, for checks

    @classmethod
    def load(cls, rule_paths: list[Path | str] | None = None, calendar: str = NATIONAL,
             calendar_dirs: list[Path] | None = None) -> "Engine":
        return cls(load_rules(rule_paths or [bundled("rules")]), load_calendar(calendar, calendar_dirs))

    def evaluate(self, events, as_of: dt.datetime, warn_within: Period = Period(2, "wd"),
                 keep_outcomes: bool = False) -> AuditResult:
        return evaluate(self.ruleset, events, self.calendar, as_of, warn_within, keep_outcomes)

    def check(self, plan, warn_within: Period = Period(2, "wd")) -> CheckResult:
        """Pre-publication check of one plan (a dict as JSON gives it, or a Plan). Raises ValidationError
        or PlanError for a bad plan."""
        plan = plan if isinstance(plan, Plan) else Plan.model_validate(plan)
        events = plan_events(plan, self.ruleset.event_types)
        key = tuple(plan.packs) if plan.packs else None
        if key not in self._subsets:
            self._subsets[key] = subset(self.ruleset, plan.packs)
        as_of = _instant(plan.as_of) if plan.as_of else max(e.time for e in events)
        result = evaluate(self._subsets[key], events, self.calendar, as_of, warn_within, keep_outcomes=True,
                          explain_all=False)
        subjects = {e.subject for e in events}
        findings = [f for f in result.findings if f.subject in subjects]
        within = {r.id: getattr(r.rule, "within", None) for r in self._subsets[key].rules}
        obligations = [obligation(o, within.get(o.rule)) for o in result.outcomes
                       if o.trigger and o.trigger.id.startswith("plan:") and o.deadline is not None]
        return CheckResult(verdict_of(findings), findings, obligations, as_of, events)

    def coverage(self) -> str:
        years = self.calendar.covered_years
        return f"{self.calendar.name} {years[0]}-{years[-1]} ({len(self.calendar.data.files)} files)"


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_audit(engine: Engine, event_files: list[Path], as_of: dt.datetime, warn_within: Period = Period(2, "wd"),
              rejects_path: Path | None = None, store: AuditStore | None = None,
              show_progress: bool | None = None) -> tuple[Report, EventLog]:
    """Read the files (and the event store), evaluate, record the run in the store if any, build the report."""
    progress = Progress("reading events", enabled=show_progress)
    log = read_events(event_files, engine.ruleset.event_types, progress)
    progress.close()
    events = log.events
    if store is not None:
        from_files = {e.id: e for e in events}
        stored = store.events(engine.ruleset.event_types)
        merged = {e.id: e for e in stored}
        for event_id, event in from_files.items():
            if event_id in merged and merged[event_id].to_json() != event.to_json():
                log.rejects.append(Reject(event.origin.rsplit(":", 1)[0], int(event.origin.rsplit(":", 1)[1]),
                                          f"duplicate id '{event_id}' with different content (stored in {store.path})",
                                          str(event.to_json())))
                continue
            log.duplicates += event_id in merged
            merged[event_id] = event
        log.lines += len(stored)
        events = list(merged.values())
    result = engine.evaluate(events, as_of, warn_within)
    rejects_file = None
    if log.rejects and rejects_path is not None:
        write_rejects(log.rejects, rejects_path)
        rejects_file = str(rejects_path)
    report = Report(findings=result.findings, as_of=as_of, rules_revision=engine.ruleset.revision,
                    rule_count=len(engine.ruleset.rules), events_read=log.lines,
                    events_evaluated=result.events_evaluated, events_rejected=len(log.rejects),
                    duplicates=log.duplicates, rejects_file=rejects_file, calendar=engine.calendar.name,
                    warn_within=str(warn_within), task_board=result.task_board)
    if store is not None:
        inputs = {str(p): file_digest(Path(p)) for p in event_files}
        inputs["event-store"] = store.events_digest()
        record = store.record_run(as_of=as_of, rules_revision=engine.ruleset.revision, calendar=engine.calendar.name,
                                  coverage=engine.coverage(), inputs=inputs, findings=result.findings,
                                  events_read=log.lines, events_evaluated=result.events_evaluated,
                                  events_rejected=len(log.rejects), counts=report.counts())
        report.run_id, report.repeated = record.run_id, record.repeated
        report.lifecycle, report.resolved, report.waivers = record.lifecycle, record.resolved, record.waivers
    return report, log
