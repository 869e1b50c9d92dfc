"""Write the example office ledgers (real .xlsx, and one GBK CSV) from the example event logs, and the blank
templates an office can fill in.

Each example log (examples/<body>/events.jsonl) is laid out as an office keeps it: the requests, documents,
consultations and incidents in four workbooks with Chinese headers under a merged title row, blank lines
between months, dates typed in every way Excel users type them (date cells, 2024/9/27 16:00, 2024年9月27日,
2024.9.27). Events a ledger row cannot hold (annual reports, interviews, task completions, and the few
that differ from their row, e.g. a 印发 record without the 成文日期 its publication lacks) go to
`others.jsonl` beside them, so the four workbooks plus others.jsonl are the same events as the log, and
auditing them gives the same findings (tests/test_ledger_examples.py). Fixed choices, no randomness:
`python examples/ledgers/generate.py` rewrites the same files.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent
BODIES = ["shanghai-2024", "linyi-2021", "binhai-2017", "jiangsu-2018"]
DATE_FORMAT, TIME_FORMAT = "yyyy/m/d", "yyyy/m/d h:mm"

# ledger file name, sheet, title, headers, and the event type of each date column
REQUESTS = (
    "依申请公开登记台账",
    "登记台账",
    [
        "序号",
        "申请编号",
        "机关",
        "申请人",
        "申请方式",
        "收到申请日期",
        "补正告知日期",
        "补正收到日期",
        "征求第三方意见日期",
        "第三方回复日期",
        "是否延期",
        "延期审批日期",
        "延期工作日数",
        "答复日期",
        "答复类型",
        "救济渠道",
        "承办科室",
    ],
    {
        "request.received": "收到申请日期",
        "supplement.requested": "补正告知日期",
        "supplement.received": "补正收到日期",
        "third_party.consulted": "征求第三方意见日期",
        "third_party.replied": "第三方回复日期",
        "extension.approved": "延期审批日期",
        "request.replied": "答复日期",
    },
)
POLICIES = (
    "政策文件发布台账",
    "发布台账",
    [
        "序号",
        "文件编号",
        "文号",
        "机关",
        "文件类型",
        "公开属性",
        "不予公开理由",
        "成文日期",
        "印发日期",
        "发布日期",
        "有效性",
        "起草科室",
        "解读发布日期",
        "解读科室",
        "报送日期",
        "报送科室",
    ],
    {
        "document.issued": "印发日期",
        "document.published": "发布日期",
        "interpretation.published": "解读发布日期",
        "normative.submitted": "报送日期",
    },
)
CONSULTATIONS = (
    "征求意见台账",
    "征求意见台账",
    [
        "序号",
        "征求意见编号",
        "机关",
        "起草科室",
        "征求意见开始日期",
        "征求意见截止日期",
        "采纳情况反馈发布日期",
        "意见收集情况",
        "意见采纳情况",
        "未予采纳的理由",
    ],
    {
        "consultation.opened": "征求意见开始日期",
        "consultation.closed": "征求意见截止日期",
        "feedback.published": "采纳情况反馈发布日期",
    },
)
INCIDENTS = (
    "舆情突发事件台账",
    "舆情突发事件台账",
    [
        "序号",
        "编号",
        "机关",
        "类别",
        "事件等级",
        "责任科室",
        "事件发生时间",
        "发现舆情时间",
        "权威信息发布时间",
        "新闻发布会时间",
        "回应舆情时间",
        "发布科室",
    ],
    {
        "incident.occurred": "事件发生时间",
        "opinion.detected": "发现舆情时间",
        "info.released": "权威信息发布时间",
        "press_conference.held": "新闻发布会时间",
        "opinion.responded": "回应舆情时间",
    },
)
LEDGERS = [REQUESTS, POLICIES, CONSULTATIONS, INCIDENTS]
OWN_DEPARTMENT = {
    "interpretation.published": "解读科室",
    "normative.submitted": "报送科室",
    "info.released": "发布科室",
    "press_conference.held": "发布科室",
    "opinion.responded": "发布科室",
}
DOC_ATTRS = {
    "文号": "文号",
    "doc_type": "文件类型",
    "disclosure": "公开属性",
    "不予公开理由": "不予公开理由",
    "成文日期": "成文日期",
    "发布日期": "发布日期",
    "有效性": "有效性",
}
ISSUED_ATTRS = ("文号", "doc_type", "disclosure", "不予公开理由", "成文日期")
# attributes other events carry in columns of the same name
EVENT_ATTRS = {
    "request.replied": ("救济渠道",),
    "feedback.published": ("意见收集情况", "意见采纳情况", "未予采纳的理由"),
}


def typed(text: str, k: int):
    """An event time as an office types it: the k-th of several forms, all naming the same instant."""
    when = dt.datetime.fromisoformat(text)
    if len(text) == 10:
        return [
            when,
            f"{when.year}/{when.month}/{when.day}",
            f"{when.year}年{when.month}月{when.day}日",
            f"{when.year}.{when.month}.{when.day}",
        ][k % 4]
    hm = f"{when.hour}:{when.minute:02d}"
    return [
        when,
        f"{when.year}/{when.month}/{when.day} {hm}",
        f"{when.year}年{when.month}月{when.day}日 {hm}",
        f"{when:%Y-%m-%d} {hm}",
    ][k % 4]


def split_rows(events: list[dict]) -> tuple[dict[str, list[dict]], list[dict]]:
    """Rows of each ledger (header -> value) and the events no row holds as they are."""
    by_subject: dict[str, dict[str, dict]] = defaultdict(dict)
    for e in events:
        by_subject[e["subject"]][e["type"]] = e
    rows: dict[str, dict[str, dict]] = {name: {} for name, *_ in LEDGERS}
    placed: set[str] = set()
    for name, _, _headers, columns in LEDGERS:
        for e in events:
            subject = e["subject"]
            if e["type"] not in columns or e["id"] in placed:
                continue
            if e["type"] == "interpretation.published":
                if not e.get("policy") or subject != f"{e['policy']}-JD":
                    continue
                subject = e["policy"]
            row = rows[name].setdefault(subject, {"_subject": subject, "_first": e})
            if not _fits(row, e, columns):
                continue
            _put(row, e, columns)
            placed.add(e["id"])
    others = [e for e in events if e["id"] not in placed]
    return {name: list(r.values()) for name, r in rows.items()}, others


def _fits(row: dict, e: dict, columns: dict) -> bool:
    """Whether the row can hold the event exactly (same body, department, attributes as the row gives them)."""
    if row.setdefault("机关", e["body"]) != e["body"] or columns[e["type"]] in row:
        return False
    own = OWN_DEPARTMENT.get(e["type"])
    if own is None and row.setdefault("_dept", e["department"]) != e["department"]:
        return False
    if e["type"] in ("document.issued", "document.published"):
        wanted = ISSUED_ATTRS if e["type"] == "document.issued" else tuple(DOC_ATTRS)
        attrs = {k: e.get(k) for k in wanted}
        if e["type"] == "document.published" and e.get("发布日期") != e["time"][:10]:
            return False  # the ledger's 发布日期 is both the publication's time and its attribute
        if any(row.setdefault(("attr", k), v) != v for k, v in attrs.items()):
            return False
        extra = set(e) - {"id", "type", "subject", "time", "body", "department"} - set(wanted)
        return not extra
    allowed = {
        "incident.occurred": {"level"},
        "extension.approved": {"days"},
        "interpretation.published": {"policy"},
    }.get(e["type"], set()) | set(EVENT_ATTRS.get(e["type"], ()))
    return not (set(e) - {"id", "type", "subject", "time", "body", "department"} - allowed)


def _put(row: dict, e: dict, columns: dict) -> None:
    row[columns[e["type"]]] = e["time"]
    own = OWN_DEPARTMENT.get(e["type"])
    if own:
        row[own] = e["department"]
    if e["type"] == "incident.occurred":
        row["事件等级"], row["类别"] = e.get("level", ""), "突发事件"
    if e["type"] == "opinion.detected":
        row["类别"] = "政务舆情"
    if e["type"] == "extension.approved":
        row["是否延期"], row["延期工作日数"] = "是", e.get("days", "")
    for name in EVENT_ATTRS.get(e["type"], ()):
        row[name] = e.get(name, "")
    for key, header in DOC_ATTRS.items():
        if header == "发布日期":  # the publication's own date column
            continue
        if ("attr", key) in row and row[("attr", key)] is not None:
            row[header] = row[("attr", key)]


def cells(row: dict, headers: list[str], number: int, k: int) -> list:
    """A row's cells in header order, dates typed in mixed forms (k chooses the forms)."""
    out = []
    for j, header in enumerate(headers):
        if header == "序号":
            out.append(number)
        elif header in ("申请编号", "文件编号", "征求意见编号", "编号"):
            out.append(row["_subject"])
        elif header in ("承办科室", "起草科室", "责任科室"):
            out.append(row.get("_dept", ""))
        elif header == "申请人":
            out.append("（略）")
        elif header == "申请方式":
            out.append(["网上申请", "信函", "当面"][number % 3])
        elif header == "答复类型":
            out.append("予以公开" if "答复日期" in row else "")
        elif header == "是否延期":
            out.append(row.get(header, "否"))
        elif header.endswith(("日期", "时间")) and row.get(header):
            out.append(typed(str(row[header]), k + j))
        else:
            out.append(row.get(header, ""))
    return out


def write_book(path: Path, title: str, sheet: str, headers: list[str], rows: list[list]) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=14), Alignment(horizontal="center")
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for k, row in enumerate(rows):
        if k and k % 15 == 0:
            ws.append([])  # offices leave blank lines between months
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = DATE_FORMAT if cell.value.time() == dt.time(0) else TIME_FORMAT
    ws.freeze_panes = "A3"
    for j, header in enumerate(headers):
        ws.column_dimensions[openpyxl.utils.get_column_letter(j + 1)].width = max(10, 2.2 * len(header))
    book.properties.creator, book.properties.created = "shixian examples", dt.datetime(2025, 1, 1)
    book.properties.modified = dt.datetime(2025, 1, 1)
    book.save(path)


def write_csv(path: Path, title: str, headers: list[str], rows: list[list]) -> None:
    """The ledger as Excel on Chinese Windows saves it as CSV: GBK, dates as displayed text."""
    with open(path, "w", encoding="gbk", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([title] + [""] * (len(headers) - 1))
        writer.writerow(headers)
        for row in rows:
            writer.writerow(
                [
                    f"{c.year}/{c.month}/{c.day}"
                    + (f" {c.hour}:{c.minute:02d}" if c.time() != dt.time(0) else "")
                    if isinstance(c, dt.datetime)
                    else c
                    for c in row
                ]
            )


def templates(root: Path) -> None:
    """Blank workbooks: headers, date-formatted columns, lists for 有效性 and 公开属性."""
    out = root / "templates"
    out.mkdir(exist_ok=True)
    for name, sheet, headers, _columns in LEDGERS:
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = sheet
        ws.append([f"（机关名称）{name}"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(headers)
        for j, header in enumerate(headers):
            letter = openpyxl.utils.get_column_letter(j + 1)
            ws.column_dimensions[letter].width = max(10, 2.2 * len(header))
            if header.endswith(("日期", "时间")):
                for r in range(3, 503):
                    ws[f"{letter}{r}"].number_format = TIME_FORMAT if header.endswith("时间") else DATE_FORMAT
            lists = {
                "有效性": "有效,失效,废止,修订",
                "公开属性": "主动公开,依申请公开,不予公开",
                "是否延期": "是,否",
                "类别": "突发事件,政务舆情",
                "事件等级": "特别重大,重大,较大,一般",
            }
            if header in lists:
                check = DataValidation(
                    type="list",
                    formula1=f'"{lists[header]}"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="请从列表中选择",
                    error=f"{header}只能是：{lists[header]}",
                )
                ws.add_data_validation(check)
                check.add(f"{letter}3:{letter}502")
        ws.freeze_panes = "A3"
        book.properties.creator, book.properties.created = "shixian", dt.datetime(2025, 1, 1)
        book.properties.modified = dt.datetime(2025, 1, 1)
        book.save(out / f"{name}模板.xlsx")


def main(root: Path = HERE) -> None:
    for k, body in enumerate(BODIES):
        events = [json.loads(line) for line in open(EXAMPLES / body / "events.jsonl", encoding="utf-8")]
        rows, others = split_rows(events)
        out = root / body
        out.mkdir(parents=True, exist_ok=True)
        for name, sheet, headers, _ in LEDGERS:
            made = [cells(r, headers, n + 1, k + n) for n, r in enumerate(rows[name])]
            title = f"{events[0]['body']}{name}（{body[-4:]}年）"
            write_book(out / f"{name}.xlsx", title, sheet, headers, made)
            if body == "shanghai-2024" and name == REQUESTS[0]:
                write_csv(out / f"{name}.csv", title, headers, made)
        with open(out / "others.jsonl", "w", encoding="utf-8") as stream:
            for e in others:
                stream.write(json.dumps(e, ensure_ascii=False) + "\n")
    templates(root)


if __name__ == "__main__":
    import sys

    main(
        Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    )  # another directory: to compare with the committed files
