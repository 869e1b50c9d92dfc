"""`--format json`: the stable contract documented in docs/findings.md."""

from __future__ import annotations

import json

from .. import __version__
from ..model.findings import json_text
from ..scale_spool import SpooledFindings

SCHEMA_VERSION = 1


def as_dict(report, findings: bool = True) -> dict:
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
            "awaiting_schedule": {str(year): n for year, n in report.awaiting().items()},
            "notices": list(report.notices),
            "obligations": {
                "total": report.obligations.total().to_json(),
                "by_body": {
                    body: t.to_json() for body, t in sorted(report.obligations.by(lambda k: k[0]).items())
                },
            },
        },
    }
    if findings:
        out["findings"] = [report.finding_json(f) for f in report.findings]
    if report.run_id is not None:
        out["run"] = {"id": report.run_id, "repeated": report.repeated, **report.lifecycle_counts()}
        if report.run_kind:
            out["run"]["kind"] = report.run_kind
            out["run"]["kind_text"] = report.run_kind_text()
        out["resolved"] = report.resolved
    return out


def _indented(key: str, value) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    return f'  "{key}": {text}'


def write(report, stream) -> None:
    """The report as JSON, one finding per line (written as it goes: large audits stream their findings)."""
    head = as_dict(report, findings=False)
    tail = {k: head.pop(k) for k in ("run", "resolved") if k in head}
    stream.write((json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "findings": [').encode("utf-8"))
    if isinstance(report.findings, SpooledFindings) and report.run_id is None:  # JSON texts as they are
        blocks = (block[:-1] for block in report.findings.blocks())
    else:
        blocks = (json_text(report.finding_json(f)) for f in report.findings)
    first = True
    for block in blocks:
        stream.write((b"\n    " if first else b",\n    ") + block.replace(b"\n", b",\n    "))
        first = False
    stream.write(b"\n  ]" if not first else b"]")
    end = "".join(",\n" + _indented(key, value) for key, value in tail.items()) + "\n}\n"
    stream.write(end.encode("utf-8"))
