"""`--format xlsx`: a findings sheet with filters and a summary sheet."""
from __future__ import annotations

import io
from collections import Counter

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..model.findings import STATUS_ZH
from . import COLUMNS, flat_rows


def render(report) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "问题清单"
    sheet.append([zh for _, zh in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in flat_rows(report):
        sheet.append(row)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 1)}"
    sheet.freeze_panes = "A2"
    for index, (key, _) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 60 if key in ("message", "title") else 18

    summary = book.create_sheet("汇总")
    summary.append(["截至", report.as_of.strftime("%Y-%m-%d %H:%M")])
    summary.append(["规则版本", report.rules_revision])
    summary.append(["读取事件", report.events_read])
    summary.append(["拒收事件", report.events_rejected])
    summary.append(["问题总数", len(report.findings)])
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
            summary.append([key, value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
