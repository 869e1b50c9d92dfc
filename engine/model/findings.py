"""A finding: one rule's verdict on one subject, with its citation and arithmetic.

`Finding.to_json()` is the documented contract (docs/findings.md) shared by every report and the API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

# statuses that mean the obligation was broken; due_soon is a warning of what is coming
VIOLATIONS = (
    "late",
    "overdue",
    "late_extension",
    "short",
    "below_count",
    "missing_fields",
    "unlinked",
    "out_of_order",
    "gap_exceeded",
    "below_ratio",
)
STATUSES = VIOLATIONS + ("due_soon", "undetermined")
STATUS_ZH = {
    "late": "逾期完成",
    "overdue": "已逾期未完成",
    "late_extension": "逾期延期",
    "due_soon": "即将到期",
    "short": "期间不足",
    "below_count": "次数不足",
    "missing_fields": "要素缺失",
    "unlinked": "未关联",
    "undetermined": "无法判定",
    "out_of_order": "顺序不符",
    "gap_exceeded": "间隔超限",
    "below_ratio": "比例不足",
}
# what quiet outcomes (kept for `explain` and rule tests, never findings) are called
QUIET_ZH = {"on_time": "按期完成", "pending": "尚未到期", "paused": "计时暂停中", "met": "符合要求"}
# what the task board and the reports call a work-plan task's state (engine/evaluate/tasks.py)
TASK_STATE_ZH = {
    "on_time": "按期完成",
    "late": "逾期完成",
    "overdue": "已逾期",
    "due_soon": "即将到期",
    "pending": "进行中",
    "no_date": "无固定时限",
    "undetermined": "无法判定",
}
SEVERITIES = ("error", "warning", "info")
SEVERITY_ZH = {"error": "严重", "warning": "警告", "info": "提示"}
# --fail-on: a finding fails a run at or above its floor (info 0, warning 1, error 2)
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(reversed(SEVERITIES))}
NOT_FAILING = ("due_soon", "undetermined")  # never fail a run by themselves (docs/findings.md)
OPEN_PHASE = ("due_soon", "overdue", "below_count", "below_ratio", "undetermined")


def event_key(data: dict[str, Any]) -> tuple[str, str]:
    """What a finding (as JSON) is about: its subject and the event that started the clock (or its period).

    National and local rules judging the same request or document share it, so they are shown together.
    (The audit database keeps the same key as its generated `event` column.)"""
    trigger = data.get("trigger")
    return data["subject"], (trigger["id"] if trigger else None) or data.get("period") or ""


def json_text(data: dict[str, Any]) -> bytes:
    """One finding (`Finding.to_json()`) as compact UTF-8 JSON, as the JSON report and the Dask shards' spool
    files write it (orjson: the report of a large audit is mostly findings)."""
    return orjson.dumps(data)


def iso_text(moment: dt.datetime) -> str:
    """`moment.isoformat()`, written by orjson (several times faster: a large audit writes millions), except
    for an offset with seconds (local mean time before 1901), which orjson rounds to the minute, and naive
    moments."""
    offset = moment.utcoffset()
    if offset is None or offset.seconds % 60:
        return moment.isoformat()
    return orjson.dumps(moment)[1:-1].decode("ascii")


@dataclass(slots=True)
class EventRef:
    id: str
    type: str
    time: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "time": iso_text(self.time)}


@dataclass(slots=True)
class Finding:
    rule: str
    title: str
    severity: str
    status: str
    subject: str
    body: str
    department: str
    source: dict[str, Any]
    message: str
    trigger: EventRef | None = None
    fulfilment: EventRef | None = None
    deadline: dt.datetime | None = None
    deadline_text: str | None = None  # e.g. "2024-10-08 24:00"
    overdue_by: str | None = None  # e.g. "3wd", in the rule's unit
    explanation: list[str] = field(default_factory=list)
    period: str | None = None  # count and yearly rules: "2018", "2018-Q2"
    awaits_year: int | None = None  # undetermined: the year whose holiday schedule the verdict waits for
    parent_body: str | None = None  # the body's parent when it is a declared subordinate (rolled up to it)

    @property
    def fingerprint(self) -> str:
        """Stable across runs: rule, subject, what started the clock (or the period), and the phase.

        An obligation still open (due soon, overdue, below count, undetermined) keeps one fingerprint
        while its status moves on; once it is fulfilled late, the open finding is resolved and the late
        one is a new finding of its own.
        """
        anchor = self.trigger.id if self.trigger else (self.period or "")
        phase = "open" if self.status in OPEN_PHASE else self.status
        raw = f"{self.rule}\x1f{self.subject}\x1f{anchor}\x1f{phase}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]

    def sort_key(self) -> tuple:
        return (
            self.body,
            self.subject,
            self.rule,
            iso_text(self.deadline) if self.deadline else "",
            self.status,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        """The inverse of to_json (a finding that crossed a process boundary as JSON)."""

        def ref(item):
            return (
                EventRef(item["id"], item["type"], dt.datetime.fromisoformat(item["time"])) if item else None
            )

        return cls(
            rule=data["rule"],
            title=data["title"],
            severity=data["severity"],
            status=data["status"],
            subject=data["subject"],
            body=data["body"],
            department=data["department"],
            source=data["source"],
            message=data["message"],
            trigger=ref(data["trigger"]),
            fulfilment=ref(data["fulfilment"]),
            deadline=dt.datetime.fromisoformat(data["deadline"]) if data["deadline"] else None,
            deadline_text=data["deadline_text"],
            overdue_by=data["overdue_by"],
            explanation=list(data["explanation"]),
            period=data["period"],
            awaits_year=data.get("awaits_year"),
            parent_body=data.get("parent_body"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "rule": self.rule,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "subject": self.subject,
            "body": self.body,
            "department": self.department,
            "period": self.period,
            "source": self.source,
            "message": self.message,
            "trigger": self.trigger.to_json() if self.trigger else None,
            "fulfilment": self.fulfilment.to_json() if self.fulfilment else None,
            "deadline": iso_text(self.deadline) if self.deadline else None,
            "deadline_text": self.deadline_text,
            "overdue_by": self.overdue_by,
            "explanation": list(self.explanation),
            "awaits_year": self.awaits_year,
            "parent_body": self.parent_body,
        }
