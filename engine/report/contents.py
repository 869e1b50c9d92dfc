"""What a report shows about one audit run (`Report`), whatever its format: the findings, the counts of the
run, and what decides the exit code (`failing`). Each format (engine/report/formats.py) reads only this.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from ..model.findings import NOT_FAILING, SEVERITY_RANK, Finding
from ..scale_spool import SpooledFindings
from ..tally import ObligationCounts


@dataclass
class Report:
    """Everything a report shows about one audit run."""

    findings: list[Finding] | SpooledFindings  # spooled: a Dask audit's, on disk (engine/scale_spool.py)
    as_of: dt.datetime
    rules_revision: str = ""
    rule_count: int = 0
    events_read: int = 0
    events_evaluated: int = 0
    events_rejected: int = 0
    duplicates: int = 0
    events_after_as_of: int = 0  # read but later than the as-of moment, so not yet evaluated
    rejects_file: str | None = None
    calendar: str = "national"
    warn_within: str = "2wd"
    task_board: list[dict] = field(
        default_factory=list
    )  # work-plan tasks with their status (task_list rules)
    notices: list[str] = field(default_factory=list)  # e.g. the calendar ends soon (calendar.coverage_notice)
    # every obligation judged, by body, department, rule and month (engine/tally.py): the on-time rates
    obligations: ObligationCounts = field(default_factory=ObligationCounts)
    # filled when the run is recorded in an audit database (shixian audit --db)
    run_id: int | None = None
    repeated: bool = False
    run_kind: str | None = None  # full | incremental (engine/state/incremental.py)
    run_note: str = ""  # why a full run, or how many subjects an incremental one re-judged
    lifecycle: dict[str, dict] = field(default_factory=dict)
    resolved: list[dict] = field(default_factory=list)
    waivers: dict[str, dict] = field(default_factory=dict)

    def run_kind_text(self) -> str:
        """Which kind of run this was, Chinese first: 增量 (incremental) or 全量 (full), and why."""
        if not self.run_kind:
            return ""
        zh = {"incremental": "增量", "full": "全量"}.get(self.run_kind, self.run_kind)
        return f"{zh}判定 ({self.run_kind})" + (f"：{self.run_note}" if self.run_note else "")

    def counts(self) -> dict[str, int]:
        if isinstance(self.findings, SpooledFindings):  # counted as they were written
            return dict(self.findings.counts)
        return dict(Counter(f.status for f in self.findings))

    def awaiting(self) -> dict[int, int]:
        """Undetermined obligations per year whose holiday schedule they wait for (read only when there are any)."""
        if not self.counts().get("undetermined"):
            return {}
        years = Counter(f.awaits_year for f in self.findings if f.status == "undetermined")
        return {year: n for year, n in sorted(years.items(), key=lambda item: item[0] or 0)}

    def headline_notes(self) -> list[str]:
        """The lines every format puts at the top: what waits for which year's schedule, then the notices."""
        waiting = [
            f"{n} 项义务等待{year}年调休安排，暂无法判定（不计入 --fail-on）"
            if year
            else f"{n} 项义务无法判定"
            for year, n in self.awaiting().items()
        ]
        return waiting + list(self.notices)

    def rolled_up(self) -> list[tuple[str, dict[str, int]]]:
        """Findings about declared subordinate bodies (packs' `bodies:`), rolled up to their parent: per parent,
        the count per subordinate; empty when no finding is about one."""
        by_parent: dict[str, Counter] = {}
        for f in self.findings:
            if f.parent_body:
                by_parent.setdefault(f.parent_body, Counter())[f.body] += 1
        return [(parent, dict(sorted(counts.items()))) for parent, counts in sorted(by_parent.items())]

    def lifecycle_counts(self) -> dict[str, int]:
        counts = Counter(v["state"] for v in self.lifecycle.values())
        return {
            "new": counts["new"],
            "open": counts["open"],
            "resolved": len(self.resolved),
            "waived": sum(1 for f in self.findings if f.fingerprint in self.waivers),
        }

    def waived(self, finding: Finding) -> dict | None:
        return self.waivers.get(finding.fingerprint)

    def finding_json(self, finding: Finding) -> dict:
        """The finding contract, plus lifecycle and waiver when the run was recorded."""
        data = finding.to_json()
        if self.run_id is not None:
            data["lifecycle"] = self.lifecycle.get(finding.fingerprint)
            data["waiver"] = self.waived(finding)
        return data

    def failing(self, fail_on: str) -> list[Finding]:
        """Findings that break an obligation at or above the severity `fail_on`.

        Due-soon warnings never fail a run, nor does an undetermined obligation (it waits for a year's holiday
        schedule; the report counts them); waived findings are reported but do not fail it either.
        """
        if fail_on == "never":
            return []
        floor = SEVERITY_RANK[fail_on]
        findings = self.findings.heads if isinstance(self.findings, SpooledFindings) else self.findings
        return [
            f
            for f in findings
            if f.status not in NOT_FAILING and SEVERITY_RANK[f.severity] >= floor and not self.waived(f)
        ]
