"""When an open obligation's alarms go off, and what each alert says. The instants come from the batch
audit's own code: the deadline from the one home of clock controls (engine/evaluate/clock.py), "approaching"
from the moment the audit would call the obligation due soon (engine/evaluate/verdict.py), so the monitor
and the audit agree (tests replay logs through both).
"""

from __future__ import annotations

from ..calendar import Deadline, Period, WorkCalendar
from ..errors import CalendarCoverageError
from ..evaluate.verdict import warning_instant
from ..model.events import Event
from ..model.findings import Finding
from ..model.rules import DeadlineRule

# "approaching" by the rule's unit, unless its warn_within or the monitor's says otherwise: an hour before,
# or from the start of the last day
DEFAULT_WARNING = {
    "h": Period(1, "h"),
    "wd": Period(0, "wd"),
    "d": Period(0, "d"),
    "m": Period(0, "d"),
    "y": Period(0, "d"),
}
ALERT_FIELDS = ("alert", "rule", "subject", "body", "department", "trigger", "due", "deadline_text")


def alarm_facts(
    rule: DeadlineRule, calendar: WorkCalendar, deadline: Deadline, trigger: Event, key: str, warn: Period
) -> list[dict]:
    """The alarms of one running clock whose deadline is `deadline` (evaluate/clock.py): "approaching"
    (when the warning window opens, if before the deadline) and "passed", each with its instant `at` in
    epoch seconds."""
    warn_at = warning_instant(calendar, deadline, warn)  # when the audit would say due soon
    base = {
        "kind": "alarm",
        "rule": rule.id,
        "key": key,
        "subject": trigger.subject,
        "body": trigger.body,
        "department": trigger.department,
        "trigger": trigger.id,
        "due": deadline.due.isoformat(),
        "deadline_text": deadline.due_text,
    }
    facts = []
    if warn_at < deadline.due:
        facts.append({**base, "alert": "approaching", "at": warn_at.timestamp()})
    facts.append({**base, "alert": "passed", "at": deadline.due.timestamp()})
    return facts


def rung_alert(fact: dict) -> dict:
    """What an alarm that went off says."""
    return {k: fact[k] for k in ALERT_FIELDS}


def undetermined_alert(rule: DeadlineRule, trigger: Event, exc: CalendarCoverageError) -> dict:
    """Never a guess: the deadline cannot be computed (the calendar lacks a year), said once."""
    return {
        "alert": "undetermined",
        "rule": rule.id,
        "subject": trigger.subject,
        "body": trigger.body,
        "department": trigger.department,
        "trigger": trigger.id,
        "due": None,
        "deadline_text": None,
        "message": exc.chinese,
    }


def late_alert(finding: Finding) -> dict:
    """A fulfilment that came after its deadline, as the batch code judged it."""
    return {
        "alert": "fulfilled_late",
        "rule": finding.rule,
        "subject": finding.subject,
        "body": finding.body,
        "department": finding.department,
        "trigger": finding.trigger.id if finding.trigger else None,
        "due": finding.deadline.isoformat() if finding.deadline else None,
        "deadline_text": finding.deadline_text,
        "overdue_by": finding.overdue_by,
        "message": finding.message,
    }
