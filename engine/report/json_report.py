"""`--format json`: the stable contract documented in docs/findings.md."""
from __future__ import annotations

import json

from .. import __version__

SCHEMA_VERSION = 1


def as_dict(report) -> dict:
    out = {
        "shixian": __version__,
        "schema_version": SCHEMA_VERSION,
        "as_of": report.as_of.isoformat(),
        "calendar": report.calendar,
        "rules_revision": report.rules_revision,
        "summary": {
            "rules": report.rule_count,
            "events_read": report.events_read,
            "events_evaluated": report.events_evaluated,
            "events_after_as_of": report.events_after_as_of,
            "events_rejected": report.events_rejected,
            "duplicates_ignored": report.duplicates,
            "rejects_file": report.rejects_file,
            "findings": len(report.findings),
            "by_status": report.counts(),
        },
        "findings": [report.finding_json(f) for f in report.findings],
    }
    if report.run_id is not None:
        out["run"] = {"id": report.run_id, "repeated": report.repeated, **report.lifecycle_counts()}
        out["resolved"] = report.resolved
    return out


def render(report) -> bytes:
    return (json.dumps(as_dict(report), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
