"""`--format sarif`: SARIF 2.1.0 for code-scanning dashboards, with stable fingerprints."""

from __future__ import annotations

import json

from .. import __version__

LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def write(report, stream) -> None:
    rules, seen = [], set()
    for f in report.findings:
        if f.rule not in seen:
            seen.add(f.rule)
            rules.append(
                {
                    "id": f.rule,
                    "name": f.rule,
                    "shortDescription": {"text": f.title},
                    "fullDescription": {
                        "text": f"{f.source.get('document', '')} {f.source.get('article', '')}："
                        f"{f.source.get('text', '')}"
                    },
                    "defaultConfiguration": {"level": LEVEL.get(f.severity, "warning")},
                }
            )
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for f in report.findings:
        result = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": "note" if f.status == "due_soon" else LEVEL.get(f.severity, "warning"),
            "kind": "review"
            if f.status == "undetermined"
            else ("informational" if f.status == "due_soon" else "fail"),
            "message": {"text": f.message},
            "partialFingerprints": {"shixian/v1": f.fingerprint},
            "locations": [
                {
                    "logicalLocations": [
                        {"name": f.subject, "fullyQualifiedName": f"{f.body}/{f.subject}", "kind": "object"}
                    ]
                }
            ],
            "properties": {
                "status": f.status,
                "subject": f.subject,
                "body": f.body,
                "department": f.department,
                "deadline": f.deadline_text,
                "overdue_by": f.overdue_by,
                "explanation": f.explanation,
            },
        }
        if report.waived(f):
            waiver = report.waived(f)
            result["suppressions"] = [
                {"kind": "external", "justification": f"{waiver['by']}: {waiver['reason']}"}
            ]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "shixian", "version": __version__, "rules": rules}},
                "results": results,
                "properties": {"as_of": report.as_of.isoformat(), "rules_revision": report.rules_revision},
            }
        ],
    }
    stream.write((json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
