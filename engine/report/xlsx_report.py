"""`--format xlsx`: a findings sheet with filters (deadlines and first-seen days as real Excel dates), a
summary sheet, a sheet per body with its findings by status, and the on-time rates per body and
department (按期率: numbers and a percentage cell, the figures of the HTML report and the workbench)."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..calendar.period import UNITS, Period
from ..model.findings import SEVERITIES, SEVERITY_ZH, STATUS_ZH
from .rows import COLUMNS, flat_rows
from .table import STATE_ZH


def write_findings_sheet(
    sheet, headers: list[str], rows, date_columns: list[int], period_columns: list[int] = ()
) -> None:
    """Findings as Excel users expect them, for the report and the workbench's export alike: a bold header,
    the given columns as real date cells (the first ten characters of an ISO text: a deadline's
    '2024-10-08 24:00' is 2024-10-08), periods ('3wd') as numbers shown with their unit (3个工作日, a
    number to sort and sum), filters and a frozen header row."""
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        row = list(row)
        units = {}
        for col in date_columns:
            row[col] = dt.date.fromisoformat(row[col][:10]) if row[col] else None
        for col in period_columns:
            if row[col]:
                period = Period.parse(row[col])
                row[col], units[col] = period.amount, UNITS[period.unit]
            else:
                row[col] = None
        sheet.append(row)
        cells = sheet[sheet.max_row]
        for col in date_columns:
            cells[col].number_format = "yyyy-mm-dd"
        for col, unit in units.items():
            cells[col].number_format = f'0"{unit}"'
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"
    sheet.freeze_panes = "A2"


RATE_HEADERS = ["机关", "部门", "已判定", "按期", "逾期完成", "逾期未完成", "未到期", "待定", "按期率"]


def _on_time_sheet(sheet, counts) -> None:
    """Per body (部门 合计) then its departments: the classes and the denominator as numbers, the rate as
    a number formatted as a percentage (empty when nothing was judged)."""
    sheet.append(RATE_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    departments = counts.by(lambda k: (k[0], k[1] or "（未填）"))
    for body, total in sorted(counts.by(lambda k: k[0]).items()):
        rows = [(body, "合计", total)] + [(b, d, t) for (b, d), t in sorted(departments.items()) if b == body]
        for b, d, t in rows:
            sheet.append([b, d, t.judged, t.on_time, t.late, t.overdue, t.open, t.undetermined, t.rate])
            sheet.cell(sheet.max_row, len(RATE_HEADERS)).number_format = "0.0%"
            if d == "合计":
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(RATE_HEADERS))}{sheet.max_row}"
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 18


def write(report, stream) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "问题清单"
    keys = [key for key, _ in COLUMNS]
    write_findings_sheet(
        sheet,
        [zh for _, zh in COLUMNS],
        flat_rows(report),
        [keys.index("deadline_text"), keys.index("first_seen")],
        [keys.index("overdue_by")],
    )
    for index, (key, _) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 60 if key in ("message", "title") else 18

    summary = book.create_sheet("汇总")
    summary.append(["截至", report.as_of.strftime("%Y-%m-%d %H:%M")])
    summary.append(["规则版本", report.rules_revision])
    summary.append(["读取事件", report.events_read])
    summary.append(["拒收事件", report.events_rejected])
    summary.append(["问题总数", len(report.findings)])
    if report.obligations:  # every obligation judged, met on time or not (sheet 按期率)
        total = report.obligations.total()
        summary.append(["已判定义务", total.judged])
        summary.append(["按期率", total.rate])
        summary.cell(summary.max_row, 2).number_format = "0.0%"
    for year, count in report.awaiting().items():
        summary.append([f"等待{year}年调休安排", count])
    for note in report.notices:
        summary.append(["注意", note])
    summary.append([])
    summary.append(["状态", "数量"])
    for status, count in sorted(Counter(f.status for f in report.findings).items()):
        summary.append([STATUS_ZH.get(status, status), count])
    summary.append([])
    summary.append(["部门", "数量"])
    for dept, count in Counter(f.department or "（未填）" for f in report.findings).most_common():
        summary.append([dept, count])
    if report.run_id is not None:
        summary.append([])
        for key, value in report.lifecycle_counts().items():
            summary.append([STATE_ZH.get(key, "已豁免"), value])
    by_body = book.create_sheet("按机关")
    statuses = sorted({f.status for f in report.findings})
    by_body.append(
        ["机关", "问题总数", *[STATUS_ZH.get(s, s) for s in statuses], *[SEVERITY_ZH[s] for s in SEVERITIES]]
    )
    for cell in by_body[1]:
        cell.font = Font(bold=True)
    counts = Counter((f.body, f.status) for f in report.findings)
    severities = Counter((f.body, f.severity) for f in report.findings)
    for body in sorted({f.body for f in report.findings}):
        by_body.append(
            [
                body,
                sum(counts[(body, s)] for s in statuses),
                *[counts[(body, s)] for s in statuses],
                *[severities[(body, s)] for s in SEVERITIES],
            ]
        )
    rolled = report.rolled_up()
    if rolled:  # subordinate bodies (packs' `bodies:`) rolled up to their parent
        by_body.append([])
        by_body.append(["上级机关（下级机关汇总）", "问题总数", "下级机关"])
        for parent, bodies in rolled:
            by_body.append([parent, sum(bodies.values()), "，".join(f"{b} {n}" for b, n in bodies.items())])
    by_body.column_dimensions["A"].width = 24
    if report.obligations:
        _on_time_sheet(book.create_sheet("按期率"), report.obligations)
    buffer = io.BytesIO()  # zipped in memory first: a pipe (stdout) cannot seek
    book.save(buffer)
    stream.write(buffer.getvalue())
