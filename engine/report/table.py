"""`--format table`: for a person at a terminal, Chinese where the rules are."""
from __future__ import annotations

import unicodedata
from typing import TextIO

from ..model.findings import STATUS_ZH

ORDER = ("overdue", "late", "short", "below_count", "missing_fields", "unlinked", "undetermined", "due_soon")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def render(report, stream: TextIO) -> None:
    findings = sorted(report.findings, key=lambda f: (ORDER.index(f.status) if f.status in ORDER else 99,
                                                      f.deadline.isoformat() if f.deadline else "", f.subject))
    if findings:
        header = ["状态", "级别", "期限", "对象", "规则"]
        rows = [[STATUS_ZH.get(f.status, f.status), f.severity, f.deadline_text or "-", f.subject, f.rule]
                for f in findings]
        widths = [max(_width(r[i]) for r in rows + [header]) for i in range(len(header))]
        stream.write("  ".join(_pad(h, w) for h, w in zip(header, widths)).rstrip() + "\n")
        for f, row in zip(findings, rows):
            stream.write("  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() + "\n")
            stream.write(f"    {f.message}\n")
            stream.write(f"    依据：{f.source.get('document', '')} {f.source.get('article', '')}\n")
    else:
        stream.write("未发现问题 (no findings)\n")
    counts = report.counts()
    parts = [f"{STATUS_ZH[s]} {counts[s]}" for s in ORDER if counts.get(s)]
    stream.write(f"\n截至 {report.as_of:%Y-%m-%d %H:%M}：共 {len(findings)} 项" + (f"（{'，'.join(parts)}）" if parts else "")
                 + "\n")
    line = (f"{report.rule_count} rules, {report.events_read} events read, {report.events_evaluated} evaluated, "
            f"{report.events_rejected} rejected")
    if report.duplicates:
        line += f", {report.duplicates} duplicates ignored"
    if report.rejects_file:
        line += f" (kept in {report.rejects_file})"
    stream.write(line + "\n")
