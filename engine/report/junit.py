"""`--format junit`: one test suite per rule, one test case per finding, for CI dashboards.

A violation is a <failure>; a due-soon warning or a waived finding passes with its message in
<system-out>; an undetermined finding is an <error>. The fingerprint is the test case name, so
dashboards track the same obligation across runs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict


def write(report, stream) -> None:
    by_rule = defaultdict(list)
    for f in report.findings:
        by_rule[f.rule].append(f)
    root = ET.Element("testsuites", name="shixian", tests=str(len(report.findings)))
    total_fail = total_err = 0
    for rule, findings in sorted(by_rule.items()):
        suite = ET.SubElement(
            root,
            "testsuite",
            name=rule,
            tests=str(len(findings)),
            timestamp=report.as_of.replace(tzinfo=None).isoformat(timespec="seconds"),
        )
        failures = errors = 0
        for f in findings:
            case = ET.SubElement(suite, "testcase", name=f"{f.subject} [{f.fingerprint}]", classname=rule)
            text = (
                f"{f.message}\n依据：{f.source.get('document', '')} {f.source.get('article', '')}\n"
                + "\n".join(f.explanation)
            )
            if f.status == "undetermined":
                errors += 1
                ET.SubElement(case, "error", message=f.message, type=f.status).text = text
            elif f.status == "due_soon" or report.waived(f):
                ET.SubElement(case, "system-out").text = text
            else:
                failures += 1
                ET.SubElement(case, "failure", message=f.message, type=f.status).text = text
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        total_fail += failures
        total_err += errors
    root.set("failures", str(total_fail))
    root.set("errors", str(total_err))
    ET.indent(root)
    stream.write(b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n")
