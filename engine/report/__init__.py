"""Reports: one module per format behind one signature, `render(report, stream)`, chosen here."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

from ..model.findings import Finding

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass
class Report:
    """Everything a report shows about one audit run."""

    findings: list[Finding]
    as_of: dt.datetime
    rules_revision: str = ""
    rule_count: int = 0
    events_read: int = 0
    events_evaluated: int = 0
    events_rejected: int = 0
    duplicates: int = 0
    rejects_file: str | None = None
    calendar: str = "national"
    extra: dict = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return dict(Counter(f.status for f in self.findings))

    def failing(self, fail_on: str) -> list[Finding]:
        """Findings that break an obligation (or cannot be judged) at or above the severity `fail_on`."""
        if fail_on == "never":
            return []
        floor = SEVERITY_RANK[fail_on]
        return [f for f in self.findings if f.status != "due_soon" and SEVERITY_RANK[f.severity] >= floor]


def formats() -> dict:
    from . import json_report, table

    return {"table": table.render, "json": json_report.render}


def render(report: Report, fmt: str, stream: TextIO) -> None:
    formats()[fmt](report, stream)
