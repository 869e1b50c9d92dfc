"""Reports: one module per format behind one signature, `render(report, stream)`, chosen here."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..model.findings import Finding
from ..tally import ObligationCounts

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
NOT_FAILING = ("due_soon", "undetermined")  # never fail a run by themselves (docs/findings.md)


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
        spooled = getattr(self.findings, "counts", None)  # SpooledFindings count as they are written
        return dict(spooled) if spooled is not None else dict(Counter(f.status for f in self.findings))

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
        findings = getattr(self.findings, "heads", self.findings)  # spooled findings: their heads suffice
        return [
            f
            for f in findings
            if f.status not in NOT_FAILING and SEVERITY_RANK[f.severity] >= floor and not self.waived(f)
        ]


def formats() -> dict[str, Callable[[Report], bytes]]:
    """Every output format, chosen here: name -> render(report) -> bytes."""
    from . import csv_report, html_report, json_report, junit, sarif, table, xlsx_report

    return {
        "table": table.render,
        "json": json_report.render,
        "csv": csv_report.render,
        "xlsx": xlsx_report.render,
        "junit": junit.render,
        "sarif": sarif.render,
        "html": html_report.render,
    }


FORMAT_NAMES = ("table", "json", "csv", "xlsx", "junit", "sarif", "html")


def render(report: Report, fmt: str) -> bytes:
    return formats()[fmt](report)


def write(report: Report, fmt: str, stream) -> None:
    """Write the report to a binary stream; JSON is streamed finding by finding (large audits)."""
    if fmt == "json":
        from . import json_report

        json_report.write(report, stream)
    else:
        stream.write(render(report, fmt))


COLUMNS = [
    ("fingerprint", "指纹"),
    ("status", "状态"),
    ("severity", "级别"),
    ("rule", "规则"),
    ("title", "义务"),
    ("subject", "对象"),
    ("body", "机关"),
    ("department", "部门"),
    ("deadline_text", "期限"),
    ("overdue_by", "逾期"),
    ("trigger", "起算事件"),
    ("fulfilment", "完成事件"),
    ("source", "依据"),
    ("message", "说明"),
    ("lifecycle", "跟踪"),
    ("first_seen", "首次发现"),
    ("waiver", "豁免"),
    ("event", "同一事件"),
]


def flat_rows(report: Report) -> list[list[str]]:
    """One row per finding for the spreadsheet formats (csv, xlsx), in COLUMNS order."""
    from ..model.findings import SEVERITY_ZH, STATUS_ZH
    from .table import STATE_ZH

    rows = []
    for f in report.findings:
        anchor = f.trigger.id if f.trigger else f.period
        life = report.lifecycle.get(f.fingerprint) or {}
        waiver = report.waived(f)
        rows.append(
            [
                f.fingerprint,
                STATUS_ZH.get(f.status, f.status),
                SEVERITY_ZH.get(f.severity, f.severity),
                f.rule,
                f.title,
                f.subject,
                f.body,
                f.department,
                f.deadline_text or "",
                f.overdue_by or "",
                f"{f.trigger.id} {f.trigger.time.isoformat()}" if f.trigger else "",
                f"{f.fulfilment.id} {f.fulfilment.time.isoformat()}" if f.fulfilment else "",
                f"{f.source.get('document', '')} {f.source.get('article', '')}",
                f.message,
                STATE_ZH.get(life.get("state"), ""),
                (life.get("first_seen") or "")[:10],
                f"{waiver['by']}: {waiver['reason']}" if waiver else "",
                f"{f.subject} {anchor}" if anchor else "",
            ]
        )  # national and local verdicts on one event share it
    return rows
