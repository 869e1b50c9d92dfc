"""The findings as rows of cells, one per finding, for the spreadsheet formats (csv, xlsx): the columns and
their Chinese headers, written once for both.
"""

from __future__ import annotations

from ..model.findings import SEVERITY_ZH, STATUS_ZH
from .contents import Report
from .table import STATE_ZH

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
