"""Office ledgers read through a mapping (engine/ledger): dates as Excel users type them, headers under a
merged title row, blank lines, conditions, GBK CSV, and every unreadable cell located in A1 notation."""

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from engine import ledger
from engine.errors import ShixianError, SourceError
from engine.events import read_events
from engine.ledger.dates import read_date
from engine.ruleset.loader import load_rules
from engine.suggest import closest_few
from engine.timeparse import OfficerDateError

VOCABULARY = load_rules([]).event_types
MAPPING = """\
ledger: 测试台账
sheet: 台账
subject: {column: 申请编号}
body: {value: 上海市司法局}
department: {column: 承办科室}
events:
  - {column: 收到申请日期, type: 收到政府信息公开申请, required: true, attributes: []}
  - {column: 延期审批日期, type: extension.approved, when: {column: 是否延期, equals: 是}, attributes: [days]}
  - {column: 答复日期, type: request.replied, attributes: []}
attributes:
  - {column: 延期工作日数, name: days}
"""
HEADERS = ["申请编号", "承办科室", "收到申请日期", "是否延期", "延期审批日期", "延期工作日数", "答复日期"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-09-27", (dt.datetime(2024, 9, 27), True)),
        ("2024/9/27 16:00", (dt.datetime(2024, 9, 27, 16), False)),
        ("2024.9.27", (dt.datetime(2024, 9, 27), True)),
        ("2024年9月27日", (dt.datetime(2024, 9, 27), True)),
        ("2024年9月27日 16:05", (dt.datetime(2024, 9, 27, 16, 5), False)),
        ("2024年9月27日16时30分", (dt.datetime(2024, 9, 27, 16, 30), False)),
        (
            "２０２４/９/２７　１６：００",
            (dt.datetime(2024, 9, 27, 16), False),
        ),  # full-width, as an IME types it
        ("2024-09-27T16:00", (dt.datetime(2024, 9, 27, 16), False)),
        ("20240927", (dt.datetime(2024, 9, 27), True)),
        # Excel serials: 45562 is 2024-09-27 (days since 1899-12-30); .6666667 of a day is 16:00
        ("45562", (dt.datetime(2024, 9, 27), True)),
        (45562.6666667, (dt.datetime(2024, 9, 27, 16), False)),
        (dt.datetime(2024, 9, 27, 16, 0), (dt.datetime(2024, 9, 27, 16), False)),
        (dt.datetime(2024, 9, 27), (dt.datetime(2024, 9, 27), True)),  # a date cell: that day
        (dt.date(2024, 9, 27), (dt.datetime(2024, 9, 27), True)),
        ("", None),
        (None, None),
        ("  ", None),
    ],
)
def test_date_forms(text, expected):
    assert read_date(text) == expected


@pytest.mark.parametrize(
    "text, words",
    [
        ("9/10/2024", ["可能是9月10日，也可能是10月9日", "不予猜测"]),
        ("27/09/2024", ["年份不在前"]),
        ("2024/2/30", ["不存在"]),
        ("2024/9/27 24:30", ["不存在"]),
        ("下周一", ["无法识别的日期"]),
        ("12", ["不是Excel日期序号"]),
        (dt.time(16, 0), ["只有时间没有日期"]),
    ],
)
def test_dates_that_are_refused_say_why(text, words):
    with pytest.raises(OfficerDateError) as caught:
        read_date(text)
    assert all(w in str(caught.value) for w in words)


def _mapping(tmp_path, text=MAPPING):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return ledger.load_mapping(path, VOCABULARY)


def _book(tmp_path, rows, name="t.xlsx"):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "台账"
    ws.append(["上海市司法局依申请公开登记台账"])
    ws.merge_cells("A1:G1")
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _read(path, mapping):
    ledger.attach([path], mapping, {"上海市司法局", "临沂市司法局"})
    try:
        return read_events([path], VOCABULARY)
    finally:
        ledger.detach([path])


def test_a_workbook_row_becomes_its_events(tmp_path):
    path = _book(
        tmp_path,
        [
            ["R1", "办公室", dt.datetime(2024, 9, 27, 16, 0), "是", "2024/10/25", 20, "2024年11月20日 10:00"],
            [],  # a blank line between months
            ["R2", "办公室", "2024.10.8", "否", "2024/10/30", None, None],  # 否: no extension event
        ],
    )
    log = _read(path, _mapping(tmp_path))
    assert log.rejects == []
    got = [
        (e.subject, e.type, e.time.isoformat(), e.date_only, e.attrs, e.origin.rsplit(":", 1)[1])
        for e in log.events
    ]
    assert got == [
        ("R1", "request.received", "2024-09-27T16:00:00+08:00", False, {}, "3"),
        ("R1", "extension.approved", "2024-10-25T00:00:00+08:00", True, {"days": "20"}, "3"),
        ("R1", "request.replied", "2024-11-20T10:00:00+08:00", False, {}, "3"),
        ("R2", "request.received", "2024-10-08T00:00:00+08:00", True, {}, "5"),
    ]
    assert {e.body for e in log.events} == {"上海市司法局"}


def test_every_unreadable_cell_is_located_and_the_row_is_rejected_whole(tmp_path):
    path = _book(
        tmp_path,
        [
            ["R1", "办公室", "9/10/2024", "否", None, None, "2024/13/01"],
            ["", "办公室", "2024/9/27", "否", None, None, None],
            ["R3", "办公室", None, "否", None, None, "2024/10/9"],
            ["R4", "办公室", "2024/9/27", "否", None, None, "2024/10/9"],
        ],
    )
    log = _read(path, _mapping(tmp_path))
    assert [e.subject for e in log.events] == ["R4", "R4"]
    reasons = {r.line: r.reason for r in log.rejects}
    assert set(reasons) == {3, 4, 5}
    assert (
        "工作表「台账」 第3行" in reasons[3]
        and "C3「收到申请日期」" in reasons[3]
        and "G3「答复日期」" in reasons[3]
    )
    assert "A4「申请编号」为空" in reasons[4]
    assert "C5「收到申请日期」为空（该日期必填）" in reasons[5]
    raw = json.loads(log.rejects[0].raw)
    assert raw["sheet"] == "台账" and raw["row"] == 3 and raw["cells"]["收到申请日期"] == "9/10/2024"


@pytest.mark.parametrize("encoding, name", [("gbk", "GB18030"), ("utf-8-sig", "UTF-8"), ("utf-8", "UTF-8")])
def test_csv_in_gbk_or_utf8(tmp_path, encoding, name):
    path = tmp_path / "台账.csv"
    lines = [
        "上海市司法局依申请公开登记台账,,,,,,",
        ",".join(HEADERS),
        "R1,办公室,2024/9/27 16:00,否,,,2024年10月8日",
        ",,,,,,",
        "R2,办公室,9/10/2024,否,,,",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    log = _read(path, _mapping(tmp_path))
    assert [(e.subject, e.type) for e in log.events] == [
        ("R1", "request.received"),
        ("R1", "request.replied"),
    ]
    assert log.rejects[0].line == 5 and f"按 {name} 编码读取" in log.rejects[0].reason
    assert "C5「收到申请日期」" in log.rejects[0].reason


def test_missing_column_says_which_and_suggests(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "台账"
    book.active.append([h.replace("答复日期", "答复时间") for h in HEADERS])
    path = tmp_path / "t.xlsx"
    book.save(path)
    with pytest.raises(ShixianError) as caught:
        _read(path, _mapping(tmp_path))
    assert "缺少列「答复日期」" in str(caught.value) and "是否指「答复时间」" in str(caught.value)


def test_mapping_mistakes_are_located(tmp_path):
    with pytest.raises(SourceError) as caught:
        _mapping(tmp_path, MAPPING.replace("type: 收到政府信息公开申请", "type: 收到信息公开申请"))
    assert (
        caught.value.line == 7
        and "未知的事件类型" in str(caught.value)
        and "收到政府信息公开申请" in str(caught.value)
    )
    with pytest.raises(SourceError) as caught:
        _mapping(tmp_path, MAPPING.replace("department:", "departmant:"))
    assert caught.value.line == 5 and "是否指「department」" in str(caught.value)
    with pytest.raises(SourceError) as caught:
        _mapping(tmp_path, MAPPING.replace("body: {value: 上海市司法局}", "body: {}"))
    assert caught.value.line == 4


def test_a_body_the_rules_do_not_know_gets_a_did_you_mean(tmp_path):
    mapping = _mapping(tmp_path, MAPPING.replace("上海市司法局", "临沂司法局"))
    path = _book(tmp_path, [["R1", "办公室", "2024/9/27", "否", None, None, None]])
    ledger.attach([path], mapping, {"上海市司法局", "临沂市司法局"})
    try:
        read_events([path], VOCABULARY)
        assert "是否指「临沂市司法局」" in ledger.notes([path])[0]
    finally:
        ledger.detach([path])
    assert closest_few("临沂司法局", ["临沂市司法局", "江苏省司法厅"]) == ["临沂市司法局"]


def test_a_workbook_without_a_mapping_is_a_clear_error(tmp_path):
    path = _book(tmp_path, [])
    with pytest.raises(ShixianError, match="--mapping"):
        read_events([path], VOCABULARY)


def test_bundled_mappings_load_by_name():
    for name in ("requests", "policies", "consultations", "incidents"):
        assert ledger.load_mapping(name, VOCABULARY).events


def test_the_published_schema_is_the_model_s():
    from conftest import ROOT

    assert (
        json.loads((ROOT / "docs" / "ledger-mapping-schema.json").read_text(encoding="utf-8"))
        == ledger.schema()
    )


def test_a_subject_on_two_rows_is_rejected_as_a_conflicting_repeat(tmp_path):
    """The reader takes a ledger as one table (engine/ledger.parts): the second row's received date conflicts
    with the first's, so that row's event is rejected as a repeated id with different content."""
    from conftest import run_cli

    path = _book(
        tmp_path,
        [
            ["R1", "办公室", "2024/9/27 16:00", "否", None, None, None],
            ["R1", "办公室", "2024/9/30 9:00", "否", None, None, "2024/10/8"],
        ],
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    result = run_cli(
        "audit",
        "--events",
        str(path),
        "--mapping",
        str(mapping),
        "--as-of",
        "2024-12-31",
        "--format",
        "json",
        "--max-rejected",
        "50%",
        "--rejects",
        str(tmp_path / "rejects.jsonl"),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    kept = [
        json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [(r["line"], "duplicate id 'R1:request.received'" in r["reason"]) for r in kept] == [(4, True)]
    # received Fri 2024-09-27 16:00 (the first row stands), replied 10-08 (the second row's reply): within 20
    # working days (due 2024-10-30, 国办发明电〔2023〕7号): no finding about R1 (the body's yearly duties remain)
    assert report["summary"]["events_rejected"] == 1 and report["summary"]["events_read"] == 3
    assert [f for f in report["findings"] if f["subject"] == "R1"] == []


def test_an_optional_column_is_read_when_the_ledger_has_it(tmp_path):
    """滨海新区2017 第16项 asks replies to state 救济渠道: a ledger with that column carries it on the reply; a ledger
    without it (most offices) is read as before, its replies without the attribute."""
    mapping = _mapping(
        tmp_path,
        MAPPING.replace(
            "  - {column: 答复日期, type: request.replied, attributes: []}",
            "  - {column: 答复日期, type: request.replied, attributes: [救济渠道]}",
        )
        + "  - {column: 救济渠道, optional: true}\n",
    )
    without = _book(tmp_path, [["R1", "办公室", "2024/9/27", "否", None, None, "2024/10/8"]])
    assert [(e.type, e.attrs) for e in _read(without, mapping).events] == [
        ("request.received", {}),
        ("request.replied", {}),
    ]
    book = openpyxl.Workbook()
    book.active.title = "台账"
    book.active.append(HEADERS + ["救济渠道"])
    book.active.append(["R1", "办公室", "2024/9/27", "否", None, None, "2024/10/8", "可于60日内申请行政复议"])
    book.save(tmp_path / "with.xlsx")
    assert [(e.type, e.attrs) for e in _read(tmp_path / "with.xlsx", mapping).events] == [
        ("request.received", {}),
        ("request.replied", {"救济渠道": "可于60日内申请行政复议"}),
    ]


def _sheet(path, title, headers, rows):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = title
    ws.append([f"{title}（2024年）"])  # a merged title row above the headers, as offices keep them
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    book.save(path)
    return path


def _audit(path, mapping, as_of):
    from helpers import end_of

    from engine.calendar import load_calendar
    from engine.engine import Engine

    engine = Engine(
        load_rules([Path(__file__).resolve().parent.parent / "rules" / "national"]), load_calendar()
    )
    log = _read(path, ledger.load_mapping(mapping, VOCABULARY))  # a bundled mapping, by name
    assert log.rejects == []
    return log.events, engine.evaluate(log.events, end_of(as_of)).findings


REQUEST_HEADERS = [
    "申请编号",
    "机关",
    "承办科室",
    "收到申请日期",
    "补正告知日期",
    "补正收到日期",
    "征求第三方意见日期",
    "第三方回复日期",
    "征求其他机关意见日期",
    "其他机关回复日期",
    "是否延期",
    "延期审批日期",
    "延期工作日数",
    "延期告知日期",
    "答复日期",
    "当场答复日期",
]


def test_the_request_ledger_carries_other_organs_the_extension_notice_and_on_the_spot_answers(tmp_path):
    """The bundled 依申请公开登记台账 mapping reads the columns added for 条例 (2019) 第三十三条, in a real .xlsx:
    A1 consulted a third party 09-10..09-19 and another organ 09-12..09-24 (第三十三条第二款): the working days
    after 09-10 through 09-24 are not counted once (09-11..13, 09-14 Sat worked, 09-18..20, 09-23, 09-24 = 9;
    中秋 09-15..17 off), so 20 working days from 09-02 (due 09-30) become due 10-17 (10-08..11, 10-12 Sat, 10-14..17)
    and the reply of 10-18 is late by one working day.
    A2's extension was approved 09-27 but told to the applicant only 10-08, after the period ended 09-30 24:00: it
    does not count (逾期延期), and the reply of 10-28 is late by 10-08..11, 10-12, 10-14..18, 10-21..25, 10-28 = 16.
    A3 was answered on the spot the day it came (第三十三条第一款): closed, no finding.
    Holidays: 国办发明电〔2023〕7号 (国庆 10-01..07 off, 09-29 Sun and 10-12 Sat worked)."""
    body = {"机关": "上海市司法局", "承办科室": "办公室", "收到申请日期": "2024/9/2"}
    path = _sheet(
        tmp_path / "依申请公开登记台账.xlsx",
        "登记台账",
        REQUEST_HEADERS,
        [
            {
                **body,
                "申请编号": "A1",
                "征求第三方意见日期": "2024/9/10",
                "第三方回复日期": "2024/9/19",
                "征求其他机关意见日期": dt.datetime(2024, 9, 12),
                "其他机关回复日期": "2024年9月24日",
                "是否延期": "否",
                "答复日期": "2024/10/18",
            },
            {
                **body,
                "申请编号": "A2",
                "是否延期": "是",
                "延期审批日期": "2024/9/27",
                "延期工作日数": 20,
                "延期告知日期": "2024/10/8",
                "答复日期": "2024/10/28",
            },
            {**body, "申请编号": "A3", "当场答复日期": "2024/9/2"},
        ],
    )
    events, findings = _audit(path, "requests", "2024-12-31")
    assert sorted((e.subject, e.type) for e in events if e.subject != "A1" or "agency" in e.type) == [
        ("A1", "agency.consulted"),
        ("A1", "agency.replied"),
        ("A2", "extension.approved"),
        ("A2", "extension.notified"),
        ("A2", "request.received"),
        ("A2", "request.replied"),
        ("A3", "request.answered_on_spot"),
        ("A3", "request.received"),
    ]
    judged = [
        (f.subject, f.status, f.deadline_text, f.overdue_by)
        for f in findings
        if f.rule == "ogi.request-reply"
    ]
    assert sorted(judged) == [
        ("A1", "late", "2024-10-17 24:00", "1wd"),
        ("A2", "late", "2024-09-30 24:00", "16wd"),
        ("A2", "late_extension", "2024-09-30 24:00", None),
    ]


def test_the_policy_ledger_carries_a_change_of_a_published_document(tmp_path):
    """条例 (2019) 第二十六条: information is published within 20 working days of being formed *or changed*. In a
    real .xlsx through the bundled 政策文件发布台账 mapping, P1 and P2 were changed on Fri 2024-09-27; the changed
    version is followed as its own subject (P1-BG), due 20 working days later: 09-29 Sun worked, 09-30, 10-08..11,
    10-12 Sat worked, 10-14..18, 10-21..25, 10-28..30 = 20, so 10-30 24:00. P1 republished 10-28 is on time; P2
    republished 10-31 is late by one working day. A ledger without the two columns reads as before (the example
    ledgers' test)."""
    headers = [
        "文件编号",
        "机关",
        "起草科室",
        "印发日期",
        "发布日期",
        "文号",
        "文件类型",
        "公开属性",
        "成文日期",
    ]
    headers += ["有效性", "解读发布日期", "解读科室", "报送日期", "报送科室", "变更日期", "变更后发布日期"]
    row = {
        "机关": "上海市司法局",
        "起草科室": "办公室",
        "印发日期": "2024/9/2",
        "发布日期": "2024/9/10",
        "文件类型": "工作文件",
        "公开属性": "主动公开",
        "成文日期": "2024/9/2",
        "有效性": "有效",
        "变更日期": "2024/9/27",
    }
    path = _sheet(
        tmp_path / "政策文件发布台账.xlsx",
        "发布台账",
        headers,
        [
            {**row, "文件编号": "P1", "文号": "沪司发〔2024〕1号", "变更后发布日期": "2024/10/28"},
            {**row, "文件编号": "P2", "文号": "沪司发〔2024〕2号", "变更后发布日期": "2024/10/31"},
        ],
    )
    events, findings = _audit(path, "policies", "2024-12-31")
    changed = [(e.subject, e.type, e.time.date().isoformat(), e.attrs) for e in events if "-BG" in e.subject]
    assert changed == [
        ("P1-BG", "document.changed", "2024-09-27", {"disclosure": "主动公开"}),
        ("P1-BG", "document.published", "2024-10-28", {"disclosure": "主动公开"}),
        ("P2-BG", "document.changed", "2024-09-27", {"disclosure": "主动公开"}),
        ("P2-BG", "document.published", "2024-10-31", {"disclosure": "主动公开"}),
    ]
    assert [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in findings] == [
        ("P2-BG", "late", "2024-10-30 24:00", "1wd")
    ]
