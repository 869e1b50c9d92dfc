"""The exit-code contract a scheduler relies on, through real subprocesses: 0 clean, 1 findings, 2 bad input
or an audit that judged too little, 3 an unexpected failure with its traceback in a crash log."""

import json
import subprocess
import sys

from conftest import ROOT, run_cli

from engine.ruleset.loader import load_rules

QUICKSTART = str(ROOT / "examples" / "quickstart" / "events.jsonl")  # 2 of 12 lines malformed on purpose


def test_too_many_rejected_exits_2_with_one_line_naming_the_rejects_file(tmp_path):
    rejects = tmp_path / "rejects.jsonl"
    result = run_cli("audit", "--events", QUICKSTART, "--as-of", "2024-12-16", "--rejects", str(rejects))
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert "2/12 条记录被拒" in last and "--max-rejected 1.0%" in last and str(rejects) in last
    tolerant = run_cli(
        "audit",
        "--events",
        QUICKSTART,
        "--as-of",
        "2024-12-16",
        "--rejects",
        str(rejects),
        "--max-rejected",
        "17%",
    )
    assert tolerant.returncode == 1  # 2/12 = 16.7% is tolerated; error findings remain
    strict = run_cli(
        "audit",
        "--events",
        QUICKSTART,
        "--as-of",
        "2024-12-16",
        "--rejects",
        str(rejects),
        "--max-rejected",
        "16%",
    )
    assert strict.returncode == 2


def test_nothing_evaluated_exits_2(tmp_path):
    result = run_cli(
        "audit",
        "--events",
        QUICKSTART,
        "--as-of",
        "2024-01-01",
        "--max-rejected",
        "50%",
        "--rejects",
        str(tmp_path / "r.jsonl"),
    )
    assert result.returncode == 2 and "没有评估任何事件" in result.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert run_cli("audit", "--events", str(empty), "--as-of", "2024-12-31").returncode == 2


def test_a_ledger_saved_as_csv_without_mapping_is_not_green(tmp_path):
    """Every row lacks id/type/subject/time/body: before, 未发现问题 and exit 0."""
    csv = ROOT / "examples" / "ledgers" / "shanghai-2024" / "依申请公开登记台账.csv"  # GBK
    result = run_cli(
        "audit", "--events", str(csv), "--as-of", "2024-12-31", "--rejects", str(tmp_path / "r.jsonl")
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "条记录被拒" in result.stderr.strip().splitlines()[-1]


def test_gbk_event_csv_is_read(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(
        "id,type,subject,time,body\r\ne1,request.received,R1,2024-09-27T16:00,临沂市司法局\r\n".encode("gbk")
    )
    result = run_cli("audit", "--events", str(path), "--as-of", "2024-12-31", "--format", "json")
    assert result.returncode == 1, result.stderr  # never replied: overdue
    assert json.loads(result.stdout)["summary"]["events_evaluated"] == 1


def test_unexpected_failure_exits_3_with_a_crash_log(tmp_path):
    script = (
        "import sys, engine.cli.audit_cmd as a\n"
        "def boom(*args, **kwargs):\n    raise RuntimeError('simulated defect')\n"
        "a.run_audit = boom\nfrom engine.cli import main\n"
        f"sys.exit(main(['audit', '--events', {QUICKSTART!r}, '--as-of', '2024-12-31']))\n"
    )
    env = {"SHIXIAN_CRASH_DIR": str(tmp_path / "crashes"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "内部错误" in lines[0] and "simulated defect" in lines[0]
    logs = list((tmp_path / "crashes").glob("shixian-crash-*.log"))
    assert len(logs) == 1 and str(logs[0]) in lines[0]
    assert "Traceback" in logs[0].read_text(encoding="utf-8") and "RuntimeError" in logs[0].read_text(
        encoding="utf-8"
    )


def test_rules_add_to_the_bundled_packs(tmp_path):
    pack = tmp_path / "mine"
    pack.mkdir()
    (pack / "extra.yaml").write_text(
        "pack: mine\nrules:\n  - id: mine.reply-10wd\n    kind: deadline\n    title: 十个工作日内答复\n"
        "    source: {document: 本机关规定, article: 第一条, text: 十个工作日内答复}\n"
        "    trigger: request.received\n    fulfil: request.replied\n    within: 10wd\n",
        encoding="utf-8",
    )
    events = tmp_path / "e.jsonl"
    events.write_text(
        json.dumps(
            {
                "id": "e1",
                "type": "request.received",
                "subject": "R1",
                "time": "2024-09-27T16:00",
                "body": "临沂市司法局",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    both = run_cli(
        "audit", "--events", str(events), "--as-of", "2024-12-31", "--format", "json", "--rules", str(pack)
    )
    assert both.returncode == 1, both.stderr
    rules = {f["rule"] for f in json.loads(both.stdout)["findings"]}
    assert {"mine.reply-10wd", "ogi.request-reply"} <= rules
    bundled = len(load_rules([ROOT / "rules"]).rules)
    assert json.loads(both.stdout)["summary"]["rules"] == bundled + 1
    only = run_cli(
        "audit",
        "--events",
        str(events),
        "--as-of",
        "2024-12-31",
        "--format",
        "json",
        "--rules",
        str(pack),
        "--no-bundled-rules",
    )
    assert {f["rule"] for f in json.loads(only.stdout)["findings"]} == {"mine.reply-10wd"}
    bundled_twice = run_cli(
        "audit",
        "--events",
        str(events),
        "--as-of",
        "2024-12-31",
        "--format",
        "json",
        "--rules",
        str(ROOT / "rules"),
    )
    assert json.loads(bundled_twice.stdout)["summary"]["rules"] == bundled
