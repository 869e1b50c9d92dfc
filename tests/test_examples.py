"""The example logs: reproducible from their script, clean, and the showcase cases come out as documented."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT, run_cli

BODIES = ["shanghai-2024", "linyi-2021", "binhai-2017", "jiangsu-2018"]


def test_generator_reproduces_the_committed_logs(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "generate.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    for body in BODIES:
        assert (tmp_path / body / "events.jsonl").read_bytes() == (
            ROOT / "examples" / body / "events.jsonl"
        ).read_bytes(), body


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    out = {}
    for body in BODIES:
        result = run_cli(
            "audit",
            "--events",
            str(ROOT / "examples" / body / "events.jsonl"),
            "--as-of",
            "2024-12-31",
            "--format",
            "json",
            "--rejects",
            str(tmp_path_factory.mktemp(body) / "r.jsonl"),
        )
        report = json.loads(result.stdout)
        assert report["summary"]["events_rejected"] == 0
        out[body] = report["findings"]
    return out


def pick(findings, subject, rule):
    return [
        (f["status"], f["deadline_text"], f["overdue_by"])
        for f in findings
        if f["subject"] == subject and f["rule"] == rule
    ]


def test_showcase_cases(findings):
    # 2024 国庆节: 09-29 and 10-12 are make-up working days; 20 wd from Fri 09-27 ends Wed 10-30
    assert pick(findings["shanghai-2024"], "SH-YSQ-2024-SHOW", "ogi.request-reply") == [
        ("late", "2024-10-30 24:00", "1wd")
    ]
    # 2021 国庆节: 10-09 (Sat) is a make-up day; 3 wd after Fri 10-08 are 10-09, 10-11, 10-12
    assert pick(findings["linyi-2021"], "LY-2021-SHOW", "linyi-2021.interpretation-3wd") == [
        ("late", "2021-10-12 24:00", "1wd")
    ]
    assert pick(findings["linyi-2021"], "LY-2021-SHOW", "linyi-2021.policy-publish-7d") == []
    assert pick(findings["linyi-2021"], "LY-2021-SHOW2", "linyi-2021.policy-fields")[0][0] == "missing_fields"
    # 2018 国庆节: 09-29 (Sat) and 09-30 (Sun) are make-up days; 3 wd after Fri 09-28 end Mon 10-08
    assert pick(findings["jiangsu-2018"], "JS-2018-SHOW", "jiangsu-2018.interpretation-3wd") == [
        ("late", "2018-10-08 24:00", "1wd")
    ]
    # 5 hours run through the 2017 National Day holiday: 08:00 + 5 h = 13:00; both the national and the plan rule
    assert pick(findings["binhai-2017"], "BH-TF-2017-SHOW", "opinion.major-incident.authoritative-info") == [
        ("late", "2017-10-03 13:00", "2h")
    ]
    assert pick(findings["binhai-2017"], "BH-TF-2017-SHOW", "binhai-2017.incident-authoritative-info") == [
        ("late", "2017-10-03 13:00", "2h")
    ]


def test_every_log_has_late_and_overdue_findings(findings):
    for body, items in findings.items():
        statuses = {f["status"] for f in items}
        assert {"late", "overdue"} <= statuses, body


def test_each_version_of_a_rule_cites_its_own_text(tmp_path):
    """ogi.request-reply exists twice: the 2008 条例 (国务院令第492号, 15 working days) for requests until
    2019-05-14 and the 2019 条例 (第711号, 20 working days) after; in one audit of logs of both periods, a
    finding cites the version that judged it."""
    result = run_cli(
        "audit",
        "--events",
        *(str(ROOT / "examples" / b / "events.jsonl") for b in BODIES),
        "--as-of",
        "2024-12-31",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--rejects",
        str(tmp_path / "r.jsonl"),
    )
    cited = {
        (f["source"]["document"], f["title"])
        for f in json.loads(result.stdout)["findings"]
        if f["rule"] == "ogi.request-reply"
    }
    assert cited == {
        (
            "《中华人民共和国政府信息公开条例》（国务院令第492号）",
            "依申请公开应自收到申请之日起15个工作日内答复，延长不超过15个工作日",
        ),
        (
            "《中华人民共和国政府信息公开条例》（国务院令第711号）",
            "依申请公开应自收到申请之日起20个工作日内答复，延长不超过20个工作日",
        ),
    }
