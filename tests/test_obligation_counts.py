"""Every obligation an audit judges is counted (engine/tally.py, ObligationCounts), met on time or not,
whatever the pipeline's input: a log read into columns (whose on-time subjects the screen sets aside without
building them), the same events given as objects, the audit database and Dask shards (tests/test_scale.py
compares the JSON summary); the counts equal a tally of a judgement that keeps every outcome, and the HTML
and xlsx reports show them."""

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import openpyxl
import pytest
from conftest import ROOT, run_cli
from test_reports import _chromium

from engine.calendar import SHANGHAI, Period
from engine.engine import Engine
from engine.events import read_events
from engine.pipeline import judge, read
from engine.tally import ObligationCounts, deadline_month

EXAMPLES = [str(p) for p in sorted((ROOT / "examples").glob("*-20*/events.jsonl"))]
WARN = Period(2, "wd")


@pytest.fixture(scope="module")
def engine():
    return Engine.load()


def every_path(engine, paths, as_of):
    """(kept, objects, columns): a tally of every outcome of a judgement that keeps them all, and the counts
    of the pipeline over the events given as objects and over the log read into columns."""
    log = read_events(paths, engine.ruleset.event_types)
    kept = ObligationCounts()
    for o in engine.evaluate(log.events, as_of, WARN, keep_outcomes=True).outcomes:
        kept.add(o.body, o.department, o.rule, deadline_month(o.deadline_text), o.status)
    objects = engine.evaluate(log.events, as_of, WARN).obligations
    columns = judge(engine.ruleset, engine.calendar, read(engine.ruleset, paths), as_of, WARN)
    return kept, objects, columns.obligations


def test_hand_checked_requests(engine, tmp_path):
    """Three information requests to a body no local pack names, 20 working days each (条例 2019 第三十三条),
    2024 calendar (国办发明电〔2023〕7号: 09-14 and 09-29 worked, 09-16/17 and 10-01..07 off): R1 received
    09-27, due 10-30, answered 10-08: on time, October; R2 received 09-02, due 09-30, never answered: overdue,
    September; R3 received 12-20, due in January 2025, open at 12-31. One of each, on every path."""
    log = tmp_path / "events.jsonl"
    rows = [
        ("R1-a", "request.received", "R1", "2024-09-27T10:00"),
        ("R1-b", "request.replied", "R1", "2024-10-08T10:00"),
        ("R2-a", "request.received", "R2", "2024-09-02T10:00"),
        ("R3-a", "request.received", "R3", "2024-12-20T10:00"),
    ]
    log.write_text(
        "".join(
            json.dumps(
                {"id": i, "type": t, "subject": s, "time": w, "body": "测试局", "department": "办公室"},
                ensure_ascii=False,
            )
            + "\n"
            for i, t, s, w in rows
        ),
        encoding="utf-8",
    )
    as_of = dt.datetime(2024, 12, 31, 23, 59, tzinfo=SHANGHAI)
    for counts in every_path(engine, [log], as_of):
        mine = {k[3]: t for k, t in counts.items() if k[2] == "ogi.request-reply"}
        assert sorted(mine) == ["2024-09", "2024-10", "2025-01"], mine
        assert (mine["2024-10"].on_time, mine["2024-10"].judged) == (1, 1)
        assert (mine["2024-09"].overdue, mine["2024-09"].judged) == (1, 1)
        assert (mine["2025-01"].open, mine["2025-01"].judged) == (1, 0)
        total = counts.by(lambda k: k[2])["ogi.request-reply"]
        assert (total.rate, total.rate_text) == (0.5, "50.0%（1/2）")


def test_examples_counted_as_every_outcome_kept(engine):
    kept, objects, columns = every_path(engine, EXAMPLES, dt.datetime(2024, 12, 31, 23, 59, tzinfo=SHANGHAI))
    assert objects.rows() == kept.rows()
    assert columns.rows() == kept.rows()
    total = kept.total()
    assert total.on_time > 500 and total.late > 0 and total.overdue > 0 and total.open > 0


def test_generated_log_counted_as_every_outcome_kept(engine, tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--events", "20000", "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=600,
    )
    as_of = dt.datetime(2025, 6, 30, 12, 0, tzinfo=SHANGHAI)  # obligations of every class, open ones too
    kept, objects, columns = every_path(engine, [tmp_path / "events-20000.jsonl"], as_of)
    assert objects.rows() == kept.rows()
    assert columns.rows() == kept.rows()
    total = kept.total()
    assert total.on_time > 5000 and total.late > 0 and total.overdue > 0 and total.open > 0
    assert len({k[0] for k in kept}) > 5  # many bodies


@pytest.fixture(scope="module")
def recorded(engine, tmp_path_factory):
    """The examples audited into a database, the run's reports in xlsx, HTML and JSON."""
    tmp = tmp_path_factory.mktemp("counted")
    db = tmp / "audit.sqlite"
    out = {}
    for fmt in ("xlsx", "html", "json"):
        out[fmt] = tmp / f"report.{fmt}"
        result = run_cli(
            "audit",
            "--events",
            *EXAMPLES,
            "--as-of",
            "2024-12-31",
            "--db",
            str(db),
            "--format",
            fmt,
            "-o",
            str(out[fmt]),
            "--fail-on",
            "never",
            "--rejects",
            str(tmp / "rejects.jsonl"),
        )
        assert result.returncode == 0, result.stderr
    kept, _, _ = every_path(engine, EXAMPLES, dt.datetime(2024, 12, 31, 23, 59, 59, tzinfo=SHANGHAI))
    return db, out, kept


def test_stored_with_the_run(recorded):
    db, _, kept = recorded
    with sqlite3.connect(db) as conn:
        (run_id,) = conn.execute("SELECT max(id) FROM runs").fetchone()
        stored = conn.execute(
            "SELECT body, department, rule, month, on_time, late, overdue, open, undetermined "
            "FROM obligation_counts WHERE run_id = ? ORDER BY 1, 2, 3, 4",
            (run_id,),
        ).fetchall()
    assert [list(r) for r in stored] == kept.rows()


def test_json_summary(recorded):
    _, out, kept = recorded
    summary = json.loads(out["json"].read_text(encoding="utf-8"))["summary"]["obligations"]
    total = kept.total()
    assert summary["total"]["judged"] == total.judged == total.on_time + total.late + total.overdue
    assert summary["total"]["on_time_rate"] == round(total.on_time / total.judged, 6)
    for body, t in kept.by(lambda k: k[0]).items():
        assert summary["by_body"][body]["on_time"] == t.on_time
        assert summary["by_body"][body]["judged"] == t.judged


def test_xlsx_rates_are_numbers(recorded):
    _, out, kept = recorded
    book = openpyxl.load_workbook(out["xlsx"])
    sheet = book["按期率"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["机关", "部门", "已判定"] and header[-1] == "按期率"
    bodies = {row[0].value: row for row in sheet.iter_rows(min_row=2) if row[1].value == "合计"}
    want = kept.by(lambda k: k[0])
    assert sorted(bodies) == sorted(want)
    for body, t in want.items():
        row = bodies[body]
        assert [c.value for c in row[2:8]] == [t.judged, t.on_time, t.late, t.overdue, t.open, t.undetermined]
        assert isinstance(row[8].value, (int, float)) and row[8].value == pytest.approx(t.on_time / t.judged)
        assert row[8].number_format == "0.0%"
    departments = {
        (row[0].value, row[1].value): row[2].value
        for row in sheet.iter_rows(min_row=2)
        if row[1].value != "合计"
    }
    by_department = kept.by(lambda k: (k[0], k[1] or "（未填）"))
    assert departments == {key: t.judged for key, t in by_department.items()}
    summary = {row[0].value: row[1] for row in book["汇总"].iter_rows() if row and row[0].value}
    assert summary["已判定义务"].value == kept.total().judged
    assert (
        summary["按期率"].value == pytest.approx(kept.total().rate)
        and summary["按期率"].number_format == "0.0%"
    )


def test_html_rates_in_a_real_browser(recorded, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    _, out, kept = recorded
    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        browser.get(out["html"].resolve().as_uri())
        cards = {
            c.get_attribute("data-class"): c.find_element(By.TAG_NAME, "b").text
            for c in browser.find_elements(By.CSS_SELECTOR, "#on-time .card")
        }
        total = kept.total()
        assert cards["judged"] == str(total.judged) and cards["on_time"] == str(total.on_time)
        assert cards["rate"] == total.rate_text
        shown = {}
        for row in browser.find_elements(By.CSS_SELECTOR, "table.on-time-rates tbody tr"):
            cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
            if cells[1] == "合计":
                shown[cells[0]] = cells[2:]
        want = {
            body: [str(n) for n in (t.judged, t.on_time, t.late, t.overdue, t.open, t.undetermined)]
            + [t.rate_text]
            for body, t in kept.by(lambda k: k[0]).items()
        }
        assert shown == want
        # at phone width the page itself does not scroll sideways: wide tables scroll inside themselves
        browser.set_window_size(400, 900)
        browser.get(out["html"].resolve().as_uri())
        assert browser.execute_script(
            "return document.documentElement.scrollWidth"
        ) <= browser.execute_script("return window.innerWidth")
    finally:
        browser.quit()
