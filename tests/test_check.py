"""Pre-publication checks: each kind of finding from a plan, and the same answer via CLI, Python and HTTP.

Dates: 2021 国庆节 10-01..10-07 off, 09-26 (Sun) and 10-09 (Sat) working (国办发明电〔2020〕27号).
"""

import copy
import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from conftest import ROOT, run_cli, wait_for_http
from pydantic import ValidationError

from engine.check import PlanError
from engine.engine import Engine

LINYI = {
    "subject": "LY-2021-200",
    "body": "临沂市司法局",
    "department": "法制科",
    "doc_type": "政策文件",
    "disclosure": "主动公开",
    "文号": "临司发〔2021〕200号",
    "成文日期": "2021-09-24",
    "发布日期": "2021-10-08",
    "有效性": "有效",
}


@pytest.fixture(scope="module")
def engine():
    return Engine.load()


def plan(**overrides):
    base = {
        "document": {**LINYI, "issued_at": "2021-09-24T10:00"},
        "publish_at": "2021-10-08T10:00",
        "interpretation_at": "2021-10-09T10:00",
    }
    base.update(overrides)
    return base


def kinds(result):
    return sorted((f.rule, f.status) for f in result.findings)


def test_a_good_plan_passes_and_lists_what_it_starts(engine):
    result = engine.check(plan())
    # issued Fri 09-24: 7 days -> 10-01 (国庆节) rolls to 10-08: publishing 10-08 is on time
    assert result.verdict == "pass" and result.findings == []
    starts = {o["rule"]: (o["deadline_text"], o["state"], o["within"]) for o in result.obligations}
    assert starts["linyi-2021.policy-publish-7d"] == ("2021-10-08 24:00", "planned on time", "7d")
    # 3 working days after 10-08: 10-09 (Sat, make-up), 10-11, 10-12
    assert starts["linyi-2021.interpretation-3wd"] == ("2021-10-12 24:00", "planned on time", "3wd")
    assert "3个工作日" in next(o["summary"] for o in result.obligations if o["within"] == "3wd")


def test_open_obligation_is_listed_with_its_deadline(engine):
    result = engine.check(plan(interpretation_at=None))
    starts = {o["rule"]: (o["deadline_text"], o["state"]) for o in result.obligations}
    assert starts["linyi-2021.interpretation-3wd"] == ("2021-10-12 24:00", "open")
    assert result.verdict == "pass"


def test_late_publication(engine):
    result = engine.check(plan(publish_at="2021-10-11T10:00", interpretation_at="2021-10-11T11:00"))
    assert kinds(result) == [("linyi-2021.policy-publish-7d", "late")]
    assert result.verdict == "warn"  # a local target (warning); the statute's 20 working days are not broken


def test_statutory_lateness_fails(engine):
    # 20 working days after 09-24 end 10-29 (10-09 counts): publishing 11-01 breaks the Regulation too
    result = engine.check(plan(publish_at="2021-11-01T10:00", interpretation_at="2021-11-01T11:00"))
    assert kinds(result) == [("linyi-2021.policy-publish-7d", "late"), ("ogi.proactive-disclosure", "late")]
    assert result.verdict == "fail"


def test_comment_period_too_short(engine):
    result = engine.check(plan(comment_period={"open": "2021-08-02", "close": "2021-08-31"}))
    assert kinds(result) == [  # and no feedback by 09-28: see the next test
        ("linyi-2021.consultation-30d", "short"),
        ("linyi-2021.consultation-feedback-due", "overdue"),
    ]


def test_comment_period_without_its_feedback(engine):
    """临沂2021 第2项 及时进行结果反馈, read as 20 working days from the close (rules/linyi-2021/plan.yaml): closed
    Tue 08-31, the 20 are 09-01..03, 09-06..10, 09-13..17, 09-18 (Sat, worked), 09-22..24, 09-26 (Sun, worked),
    09-27, 09-28 (中秋 09-19..21 off). A plan publishing on 10-08 with no feedback has passed 09-28 24:00; one
    that publishes the feedback on 09-28 is on time, on 09-29 late by one working day."""
    period = {"open": "2021-08-02", "close": "2021-08-31"}
    result = engine.check(plan(comment_period=period))
    found = [(f.status, f.deadline_text) for f in result.findings if f.rule.endswith("feedback-due")]
    assert found == [("overdue", "2021-09-28 24:00")]
    assert not [
        f
        for f in engine.check(plan(comment_period={**period, "feedback": "2021-09-28"})).findings
        if f.rule.endswith("feedback-due")
    ]
    late = engine.check(plan(comment_period={**period, "feedback": "2021-09-29T09:00"})).findings
    assert [(f.status, f.overdue_by) for f in late if f.rule.endswith("feedback-due")] == [("late", "1wd")]


def test_required_fields_missing(engine):
    doc = {k: v for k, v in LINYI.items() if k not in ("有效性", "成文日期")}
    result = engine.check(plan(document={**doc, "issued_at": "2021-09-24T10:00"}))
    assert kinds(result) == [("linyi-2021.policy-fields", "missing_fields")]
    assert "成文日期、有效性" in result.findings[0].message


def test_interpretation_not_linked(engine):
    unlinked = {
        "id": "jd-x",
        "type": "interpretation.published",
        "subject": "LY-2021-200-JD2",
        "time": "2021-10-08T12:00",
    }
    result = engine.check(plan(events=[unlinked]))
    assert kinds(result) == [("linyi-2021.interpretation-link", "unlinked")]


def test_bad_plans(engine):
    with pytest.raises(PlanError) as err:
        engine.check(plan(packs=["nowhere-2099"]))
    assert err.value.loc == ("packs", 0)
    with pytest.raises(PlanError):
        engine.check({"document": LINYI})
    with pytest.raises(ValidationError):
        engine.check({"document": {"body": "x"}})


# ---- the three ways in give the same JSON -------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    token_file = tmp_path_factory.mktemp("tok") / "token"
    token_file.write_text("s3cret\n", encoding="utf-8")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine",
            "serve",
            "--port",
            str(port),
            "--token-file",
            str(token_file),
            "--max-body",
            "20000",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if not wait_for_http(port):
        proc.kill()
        raise AssertionError(proc.stderr.read().decode())
    yield port, proc
    proc.terminate()
    proc.wait(timeout=10)


def call(port, method, path, body=None, token="s3cret", raw=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = (
        raw
        if raw is not None
        else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
    )
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    return response.status, (json.loads(payload) if payload else None)


def test_cli_python_and_http_agree(engine, server, tmp_path):
    port, _ = server
    the_plan = plan(
        publish_at="2021-10-11T10:00", comment_period={"open": "2021-08-02", "close": "2021-08-31"}
    )
    python_json = json.loads(json.dumps(engine.check(copy.deepcopy(the_plan)).to_json(), ensure_ascii=False))
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(the_plan, ensure_ascii=False), encoding="utf-8")
    cli = run_cli("check", str(path), "--format", "json")
    assert cli.returncode == 0  # warn
    stdin = run_cli("check", "-", "--format", "json", stdin=json.dumps(the_plan, ensure_ascii=False))
    status, http_json = call(port, "POST", "/v1/check", the_plan)
    assert status == 200
    assert json.loads(cli.stdout) == python_json == http_json == json.loads(stdin.stdout)
    assert python_json["verdict"] == "warn"


def test_cli_exit_codes(tmp_path):
    failing = tmp_path / "fail.yaml"
    failing.write_text(json.dumps(plan(publish_at="2021-11-01T10:00"), ensure_ascii=False), encoding="utf-8")
    assert run_cli("check", str(failing)).returncode == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run_cli("check", str(bad))
    assert result.returncode == 2 and "bad JSON" in result.stderr


def test_http_errors(server):
    port, _ = server
    assert call(port, "GET", "/v1/rules", token=None)[0] == 401
    assert call(port, "GET", "/v1/rules", token="wrong")[0] == 401
    status, rules = call(port, "GET", "/v1/rules")
    assert status == 200 and {"id", "title", "source", "pack"} <= set(rules[0])
    status, body = call(port, "POST", "/v1/check", raw=b"{not json")
    assert status == 422 and body["detail"][0]["type"] == "json_invalid"
    status, body = call(port, "POST", "/v1/check", {"document": {"subject": "x"}})
    assert status == 422 and body["detail"][0]["loc"] == ["body", "document", "body"]
    status, body = call(port, "POST", "/v1/check", plan(packs=["nowhere-2099"]))
    assert status == 422 and body["detail"][0]["loc"] == ["body", "packs", 0]
    status, _ = call(port, "POST", "/v1/check", raw=b'{"document": {"subject": "' + b"x" * 30000 + b'"}}')
    assert status == 413
    assert call(port, "GET", "/healthz", token=None)[0] == 200
    assert call(port, "GET", "/openapi.json", token=None)[0] == 200


def test_http_audit_batch(server):
    port, _ = server
    events = [
        {"id": "1", "type": "request.received", "subject": "R", "time": "2024-09-27T16:00", "body": "局"}
    ]
    status, report = call(port, "POST", "/v1/audit", {"events": events, "as_of": "2024-10-31T23:00:00"})
    assert status == 200
    assert [(f["subject"], f["status"], f["deadline_text"]) for f in report["findings"]] == [
        ("R", "overdue", "2024-10-30 24:00")
    ]
    status, body = call(port, "POST", "/v1/audit", {"events": [{"id": "1"}]})
    assert status == 422 and body["detail"][0]["loc"] == ["body", "events", 0]


def test_reload_under_load_loses_no_request(server):
    port, proc = server
    results, stop = [], threading.Event()

    def hammer():
        conn_plan = plan()
        while not stop.is_set():
            results.append(call(port, "POST", "/v1/check", conn_plan)[0])

    workers = [threading.Thread(target=hammer) for _ in range(4)]
    for w in workers:
        w.start()
    for i in range(6):
        time.sleep(0.15)
        if i % 2:
            proc.send_signal(signal.SIGHUP)
        else:
            assert call(port, "POST", "/v1/admin/reload")[0] == 200
    time.sleep(0.3)
    stop.set()
    for w in workers:
        w.join()
    assert len(results) > 20 and set(results) == {200}
    assert call(port, "GET", "/healthz")[0] == 200


def test_a_plan_past_the_calendar_is_judged_not_refused(engine, server):
    # issued 2026-12-21, 20 working days (条例第二十六条): 2027 is not published; by law 2027-01-01 rests and
    # 01-02/03 may be make-up days, so the deadline is 2027-01-15 24:00 at the earliest, 01-19 24:00 at the
    # latest. Published 2027-01-17: undetermined, which warns and does not fail the plan.
    port, _ = server
    doc = {
        "subject": "X-2026-1",
        "body": "某市司法局",
        "department": "法制科",
        "doc_type": "政策文件",
        "disclosure": "主动公开",
        "文号": "某司发〔2026〕1号",
        "成文日期": "2026-12-21",
        "发布日期": "2027-01-17",
        "有效性": "有效",
        "issued_at": "2026-12-21T10:00",
    }
    the_plan = {"document": doc, "publish_at": "2027-01-17T10:00", "interpretation_at": "2027-01-18T10:00"}
    status, body = call(port, "POST", "/v1/check", the_plan)
    assert status == 200 and body["verdict"] == "warn"
    found = {f["rule"]: (f["status"], f["deadline_text"], f["awaits_year"]) for f in body["findings"]}
    assert found["ogi.proactive-disclosure"] == ("undetermined", "2027-01-15 24:00 至 2027-01-19 24:00", 2027)
    # published on 2027-01-14 instead: on time by the earliest possible deadline, so the plan passes
    status, body = call(
        port,
        "POST",
        "/v1/check",
        {**the_plan, "publish_at": "2027-01-14T10:00", "document": {**doc, "发布日期": "2027-01-14"}},
    )
    assert status == 200 and "ogi.proactive-disclosure" not in {f["rule"] for f in body["findings"]}
