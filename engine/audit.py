"""The audit pipeline in one place: load rules and calendar, read events, evaluate, build a report."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .calendar import NATIONAL, Period, WorkCalendar, load_calendar
from .events import EventLog, read_events, write_rejects
from .evaluate import AuditResult, evaluate
from .paths import bundled
from .report import Report
from .ruleset.loader import RuleSet, load_rules


@dataclass
class Engine:
    """Rules and calendar loaded once, reusable for many audits and checks."""

    ruleset: RuleSet
    calendar: WorkCalendar

    @classmethod
    def load(cls, rule_paths: list[Path | str] | None = None, calendar: str = NATIONAL,
             calendar_dirs: list[Path] | None = None) -> "Engine":
        return cls(load_rules(rule_paths or [bundled("rules")]), load_calendar(calendar, calendar_dirs))

    def evaluate(self, events, as_of: dt.datetime, warn_within: Period = Period(2, "wd"),
                 keep_outcomes: bool = False) -> AuditResult:
        return evaluate(self.ruleset, events, self.calendar, as_of, warn_within, keep_outcomes)

    def audit_files(self, event_files: list[Path], as_of: dt.datetime, warn_within: Period = Period(2, "wd"),
                    rejects_path: Path | None = None) -> tuple[Report, EventLog, AuditResult]:
        log = read_events(event_files, self.ruleset.event_types)
        result = self.evaluate(log.events, as_of, warn_within)
        rejects_file = None
        if log.rejects and rejects_path is not None:
            write_rejects(log.rejects, rejects_path)
            rejects_file = str(rejects_path)
        report = Report(findings=result.findings, as_of=as_of, rules_revision=self.ruleset.revision,
                        rule_count=len(self.ruleset.rules), events_read=log.lines,
                        events_evaluated=result.events_evaluated, events_rejected=len(log.rejects),
                        duplicates=log.duplicates, rejects_file=rejects_file, calendar=self.calendar.name)
        return report, log, result
