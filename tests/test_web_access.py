"""The workbench over HTTP: who may read and write, CSRF, the list's search, filters and exports, /docs
served locally. Against a real server (`shixian serve --db`) over a real audit of the bundled examples."""

import csv
import io
import sqlite3
import urllib.parse

import pytest
from openpyxl import load_workbook
from webserver import SHARED, TOKENS, Client, demo_db, start


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    db = demo_db(folder)
    port, proc = start(db, folder)
    yield port, db
    proc.terminate()
    proc.wait(timeout=10)


def test_nothing_readable_without_login(served):
    port, _ = served
    client = Client(port)
    for path in (
        "/",
        "/findings",
        "/findings.csv",
        "/findings.xlsx",
        "/tasks",
        "/check",
        "/rules",
        "/calendar",
        "/runs",
        "/runs/1/rejects.jsonl",
    ):
        status, location, _ = client.get(path)
        assert status == 303 and location.startswith("/login"), path
    assert (
        client.post("/findings/0000/waive", {"reason": "x"})[0] == 303
    )  # to the login page, nothing written


def test_wrong_token_refused(served):
    port, _ = served
    client = Client(port)
    assert client.login("not-a-token", "某人") == 401
    assert client.get("/findings")[0] == 303
    # the shared API token needs a name (who is acting); with it, it logs in
    assert client.login(SHARED, "") == 401
    assert client.login(SHARED, "赵六") == 303
    assert "赵六" in client.get("/")[2].decode()


def test_read_role_cannot_waive_and_csrf_is_checked(served):
    port, db = served
    fingerprint = (
        sqlite3.connect(db).execute("SELECT fingerprint FROM findings ORDER BY fingerprint").fetchone()[0]
    )
    reader = Client(port)
    assert reader.login(TOKENS["reader"]) == 303
    csrf = reader.csrf(f"/findings/{fingerprint}")
    status, _, page = reader.post(f"/findings/{fingerprint}/waive", {"csrf": csrf, "reason": "试图豁免"})
    assert status == 403 and "可豁免" in page.decode()
    officer = Client(port)
    assert officer.login(TOKENS["officer"]) == 303
    assert officer.post(f"/findings/{fingerprint}/waive", {"reason": "无令牌"})[0] == 403  # no CSRF token
    assert (
        officer.post(f"/findings/{fingerprint}/waive", {"reason": "错令牌", "csrf": csrf})[0] == 403
    )  # another's
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM waivers").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM actions").fetchone()[0] == 0


def test_waive_and_revoke_carry_the_user(served):
    port, db = served
    with sqlite3.connect(db) as conn:
        fingerprint = conn.execute(
            "SELECT fingerprint FROM findings WHERE body = '临沂市司法局' ORDER BY fingerprint"
        ).fetchone()[0]
    officer = Client(port)
    officer.login(TOKENS["officer"])
    csrf = officer.csrf(f"/findings/{fingerprint}")
    status, location, _ = officer.post(
        f"/findings/{fingerprint}/waive",
        {"csrf": csrf, "by": "主任 陈七", "reason": "申请人撤回", "until": "2025-03-31"},
    )
    assert status == 303 and location.endswith("done=waived")
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT by, reason, until FROM waivers WHERE fingerprint = ?", (fingerprint,)
        ).fetchone() == ("主任 陈七", "申请人撤回", "2025-03-31")
        assert conn.execute(
            "SELECT user, action FROM actions WHERE target = ?", (fingerprint,)
        ).fetchall() == [("张三", "waive")]
    listed = officer.get("/findings?" + urllib.parse.urlencode({"lifecycle": "waived"}))[2].decode()
    assert fingerprint in listed
    officer.post(f"/findings/{fingerprint}/revoke", {"csrf": csrf, "reason": "误操作"})
    with sqlite3.connect(db) as conn:
        assert (
            conn.execute("SELECT count(*) FROM waivers WHERE fingerprint = ?", (fingerprint,)).fetchone()[0]
            == 0
        )
        assert conn.execute(
            "SELECT user, action FROM actions WHERE target = ? ORDER BY id", (fingerprint,)
        ).fetchall() == [("张三", "waive"), ("张三", "revoke")]
    page = officer.get(f"/findings/{fingerprint}")[2].decode()
    assert "撤销豁免" in page and "申请人撤回" in page  # the record shows both actions


def test_partial_chinese_search_and_exports_match_the_database(served):
    port, db = served
    client = Client(port)
    client.login(TOKENS["reader"])
    with sqlite3.connect(db) as conn:
        jiangsu = conn.execute("SELECT count(*) FROM findings WHERE body LIKE '%江苏%'").fetchone()[0]
        late_linyi = conn.execute(
            "SELECT count(*) FROM findings WHERE body = '临沂市司法局' AND status = 'late'"
        ).fetchone()[0]
        everyone = conn.execute("SELECT count(*) FROM findings").fetchone()[0]
        # what 司法 matches: subjects, bodies, departments, and rules by their titles (not 江苏省戒毒管理局's own)
        judicial = conn.execute(
            "SELECT count(*) FROM findings WHERE subject LIKE '%司法%' OR body LIKE '%司法%' "
            "OR department LIKE '%司法%' OR json_extract(data, '$.title') LIKE '%司法%'"
        ).fetchone()[0]
    page = client.get("/findings?" + urllib.parse.urlencode({"q": "江苏"}))[2].decode()
    assert f"共 <b>{jiangsu}</b> 条" in page
    _, _, data = client.get("/findings.csv?" + urllib.parse.urlencode({"q": "江苏"}))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    # 江苏省司法厅 and the subordinate bodies its pack declares (江苏省戒毒管理局 ...) whose names hold 江苏
    assert len(rows) == jiangsu + 1 and "江苏省司法厅" in {r[8] for r in rows[1:]}
    assert all("江苏" in r[8] for r in rows[1:])
    assert everyone > 50  # more than one page: the export must not stop at the page
    _, _, data = client.get("/findings.csv?" + urllib.parse.urlencode({"q": "司法", "page": 2}))
    assert len(data.decode("utf-8-sig").splitlines()) == judicial + 1 and judicial > 50
    query = urllib.parse.urlencode({"body": "临沂市司法局", "status": "late"})
    _, _, data = client.get("/findings.xlsx?" + query)
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == late_linyi + 1
    assert {v[2] for v in values[1:]} == {"逾期完成"}
    deadline = values[1][10]
    assert deadline.year in (2021, 2022) and sheet.cell(2, 11).number_format == "yyyy-mm-dd"  # a real date


def test_api_docs_are_served_locally(served):
    port, _ = served
    client = Client(port)
    status, _, page = client.get("/docs")
    text = page.decode()
    assert status == 200 and "https://" not in text and "http://" not in text
    assert client.get("/swagger-ui/swagger-ui-bundle.js")[0] == 200
    assert client.get("/swagger-ui/swagger-ui.css")[0] == 200
    # the API still needs its bearer token
    assert client.request("POST", "/v1/check", headers={"Content-Type": "application/json"})[0] == 401


def test_open_mode_login_by_name_and_rejects_download(tmp_path):
    """Without a token, anyone who reaches the port logs in by name; a run's refused lines download as
    JSON Lines with their file, line and reason; the overview says when the rules changed since the run."""
    import json

    from conftest import run_cli
    from webserver import EXAMPLES

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x1", "type": "request.received"}\nnot json\n', encoding="utf-8")
    db = tmp_path / "audit.sqlite"
    result = run_cli(
        "audit",
        "--events",
        EXAMPLES[0],
        str(bad),
        "--as-of",
        "2024-12-31",
        "--db",
        str(db),
        "--fail-on",
        "never",
        "--rejects",
        str(tmp_path / "rejects.jsonl"),
    )
    assert result.returncode == 0, result.stderr
    port, proc = start(db, tmp_path, users=False)
    try:
        client = Client(port)
        assert client.get("/runs")[0] == 303  # even open, a name first: every write must carry one
        assert client.login(name="") == 401
        assert client.login(name="值班员") == 303
        page = client.get("/runs")[2].decode()
        assert "/runs/1/rejects.jsonl" in page
        status, _, data = client.get("/runs/1/rejects.jsonl")
        lines = [json.loads(line) for line in data.decode("utf-8").splitlines()]
        assert status == 200 and [(r["line"], r["file"].endswith("bad.jsonl")) for r in lines] == [
            (1, True),
            (2, True),
        ]
        kept = [
            json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        assert [r["reason"] for r in lines] == [r["reason"] for r in kept]
        assert "规则已更新" not in client.get("/")[2].decode()  # the run's rules are today's
        with sqlite3.connect(db) as conn:  # as if the rules had changed since the run
            conn.execute("UPDATE runs SET rules_revision = 'a0b1c2d3e4f5'")
        page = client.get("/")[2].decode()
        assert "规则已更新：该次运行用的是版本 a0b1c2d3e4f5" in page
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_rules_page_shows_every_rule_with_its_last_test_result(served):
    """规则: every bundled rule, each with as many of its test cases passed as `shixian test rules` says."""
    import re
    import xml.etree.ElementTree as ET

    import yaml
    from conftest import ROOT, run_cli

    from engine.engine import Engine

    port, _ = served
    client = Client(port)
    client.login(TOKENS["reader"])
    page = client.get("/rules")[2].decode()
    junit = ET.fromstring(run_cli("test", "rules", "--format", "junit").stdout)
    expected: dict[str, list[int]] = {}
    for case in junit.iter("testcase"):
        where = case.get("classname")
        if where.endswith(".test.yaml"):  # a test file's case counts for each rule it names
            cases = yaml.safe_load((ROOT / where).read_text(encoding="utf-8"))["cases"]
            rules = next(c["rules"] for c in cases if c["name"] == case.get("name"))
        else:  # "path:line rule-id": a case written in the rule
            rules = [where.split()[-1]]
        for rule in rules:
            counts = expected.setdefault(rule, [0, 0])
            counts[1] += 1
            counts[0] += case.find("failure") is None and case.find("error") is None
    shown = {}
    for section in page.split('<section class="panel rule"')[1:]:
        rule = re.match(r' data-rule="([^"]+)"', section).group(1)
        result = re.search(r"测试用例 (\d+)/(\d+) 通过", section)
        shown[rule] = [int(result.group(1)), int(result.group(2))] if result else [0, 0]
    assert set(shown) == {r.id for r in Engine.load().ruleset.rules}
    assert {rule: counts for rule, counts in shown.items() if counts[1]} == expected


def test_rates_need_no_inputs_once_the_run_stored_them(tmp_path):
    """The run's input file is gone when the server starts: the on-time rates are still shown (the run
    stored them), and only what falls due, which needs the obligations themselves, says why it is missing."""
    import shutil

    from conftest import ROOT, run_cli
    from webserver import EXAMPLES

    log = tmp_path / "events.jsonl"
    shutil.copy(ROOT / EXAMPLES[0], log)
    db = tmp_path / "audit.sqlite"
    result = run_cli(
        "audit", "--events", str(log), "--as-of", "2024-12-31", "--db", str(db), "--fail-on", "never",
        "--rejects", str(tmp_path / "rejects.jsonl"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    log.unlink()
    port, proc = start(db, tmp_path, users=False)
    try:
        client = Client(port)
        assert client.login(name="值班员") == 303
        page = client.get("/")[2].decode()
        with sqlite3.connect(db) as conn:
            on_time, judged = conn.execute(
                "SELECT sum(on_time), sum(on_time + late + overdue) FROM obligation_counts"
            ).fetchone()
        assert judged > 100
        assert f'<b id="rate">{100 * on_time / judged:.1f}%（{on_time}/{judged}）</b>' in page
        assert 'id="no-evaluation"' in page and "文件不在" in page
    finally:
        proc.terminate()
        proc.wait(timeout=10)
