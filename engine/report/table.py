"""`--format table`: for a person at a terminal, Chinese where the rules are."""

from __future__ import annotations

import io
import unicodedata

from ..model.findings import STATUS_ZH

ORDER = (
    "overdue",
    "late",
    "late_extension",
    "gap_exceeded",
    "short",
    "below_count",
    "below_ratio",
    "out_of_order",
    "missing_fields",
    "unlinked",
    "undetermined",
    "due_soon",
)
STATE_ZH = {"new": "新增", "open": "持续", "resolved": "已解决"}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _rows(report, findings, out: io.StringIO) -> None:
    header = ["状态", "级别", "期限", "对象", "规则"] + (["跟踪"] if report.run_id is not None else [])
    rows = []
    for f in findings:
        row = [STATUS_ZH.get(f.status, f.status), f.severity, f.deadline_text or "-", f.subject, f.rule]
        if report.run_id is not None:
            row.append(STATE_ZH.get((report.lifecycle.get(f.fingerprint) or {}).get("state"), "-"))
        rows.append(row)
    widths = [max(_width(r[i]) for r in rows + [header]) for i in range(len(header))]
    out.write("  ".join(_pad(h, w) for h, w in zip(header, widths)).rstrip() + "\n")
    for f, row in zip(findings, rows):
        out.write("  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() + "\n")
        out.write(f"    {f.message}\n")
        out.write(f"    依据：{f.source.get('document', '')} {f.source.get('article', '')}\n")
        waiver = report.waived(f)
        if waiver:
            out.write(
                f"    已豁免：{waiver['by']}，{waiver['reason']}"
                + (f"，至{waiver['until']}" if waiver["until"] else "")
                + "\n"
            )


def reading_order(finding) -> tuple:
    """The order a person reads findings in, in every report: by status (ORDER), then deadline, subject."""
    return (
        ORDER.index(finding.status) if finding.status in ORDER else 99,
        finding.deadline.isoformat() if finding.deadline else "",
        finding.subject,
    )


def write(report, stream) -> None:
    out = io.StringIO()
    findings = sorted(
        report.findings,
        key=reading_order,
    )
    open_items = [f for f in findings if not report.waived(f)]
    waived = [f for f in findings if report.waived(f)]
    if open_items:
        _rows(report, open_items, out)
    else:
        out.write("未发现问题 (no findings)\n")
    if waived:
        out.write(f"\n已豁免 (waived) {len(waived)} 项：\n")
        _rows(report, waived, out)
    if report.resolved:
        out.write(f"\n本次已解决 (resolved) {len(report.resolved)} 项：\n")
        for item in report.resolved:
            out.write(
                f"  {item['subject']}  {item['rule']}  首次发现 {item['lifecycle']['first_seen'][:10]}\n"
            )
    counts = report.counts()
    parts = [f"{STATUS_ZH[s]} {counts[s]}" for s in ORDER if counts.get(s)]
    out.write(
        f"\n截至 {report.as_of:%Y-%m-%d %H:%M}：共 {len(findings)} 项"
        + (f"（{'，'.join(parts)}）" if parts else "")
        + "\n"
    )
    for note in report.headline_notes():
        out.write(f"注意：{note}\n")
    for parent, bodies in report.rolled_up():
        out.write(
            f"下级机关汇总到 {parent}：共 {sum(bodies.values())} 项（"
            + "，".join(f"{body} {n}" for body, n in bodies.items())
            + "）\n"
        )
    if report.run_id is not None:
        lc = report.lifecycle_counts()
        again = "，与上次相同的输入，未写入" if report.repeated else ""
        out.write(
            f"运行 #{report.run_id}：新增 {lc['new']}，持续 {lc['open']}，已解决 {lc['resolved']}，"
            f"已豁免 {lc['waived']}{again}\n"
        )
        if report.run_kind:
            out.write(f"{report.run_kind_text()}\n")
    line = (
        f"{report.rule_count} rules, {report.events_read} events read, {report.events_evaluated} evaluated, "
        f"{report.events_rejected} rejected"
    )
    if report.duplicates:
        line += f", {report.duplicates} duplicates ignored"
    if report.rejects_file:
        line += f" (kept in {report.rejects_file})"
    out.write(line + "\n")
    stream.write(out.getvalue().encode("utf-8"))
