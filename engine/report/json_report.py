"""`--format json`: the stable contract documented in docs/findings.md."""
from __future__ import annotations

import json
from typing import TextIO

from .. import __version__

SCHEMA_VERSION = 1


def as_dict(report) -> dict:
    return {
        "shixian": __version__,
        "schema_version": SCHEMA_VERSION,
        "as_of": report.as_of.isoformat(),
        "calendar": report.calendar,
        "rules_revision": report.rules_revision,
        "summary": {
            "rules": report.rule_count,
            "events_read": report.events_read,
            "events_evaluated": report.events_evaluated,
            "events_rejected": report.events_rejected,
            "duplicates_ignored": report.duplicates,
            "rejects_file": report.rejects_file,
            "findings": len(report.findings),
            "by_status": report.counts(),
        },
        "findings": [f.to_json() for f in report.findings],
    }


def render(report, stream: TextIO) -> None:
    json.dump(as_dict(report), stream, ensure_ascii=False, indent=2)
    stream.write("\n")
