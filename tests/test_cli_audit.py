"""`shixian audit` and `shixian explain` through the real command, on examples/quickstart."""

import json

from conftest import ROOT, run_cli

EVENTS = str(ROOT / "examples" / "quickstart" / "events.jsonl")
TOLERATE = ("--max-rejected", "20%")  # two of its twelve lines are malformed on purpose (default 1%: exit 2)


def test_audit_json_contract_and_exit_code(tmp_path):
    rejects = tmp_path / "rejects.jsonl"
    result = run_cli(
        "audit",
        "--events",
        EVENTS,
        "--as-of",
        "2024-12-16",
        "--format",
        "json",
        "--rejects",
        str(rejects),
        *TOLERATE,
    )
    assert result.returncode == 1  # error-severity violations were found
    report = json.loads(result.stdout)
    assert report["summary"]["events_read"] == 12
    assert report["summary"]["events_rejected"] == 2
    assert report["summary"]["rejects_file"] == str(rejects)
    got = {(f["rule"], f["subject"], f["status"], f["deadline_text"]) for f in report["findings"]}
    assert got == {
        # incident at 2024-11-02 03:10: 5 h -> 08:10, released 09:30
        ("opinion.major-incident.authoritative-info", "INC-1", "late", "2024-11-02 08:10"),
        # 24 h -> 2024-11-03 03:10, no press conference
        ("opinion.major-incident.press-conference", "INC-1", "overdue", "2024-11-03 03:10"),
        # received Fri 2024-10-25: 20 wd -> 11-22
        ("ogi.request-reply", "REQ-2", "overdue", "2024-11-22 24:00"),
        # received 2024-11-20: 20 wd -> 12-18; as of 12-16 two working days are left
        ("ogi.request-reply", "REQ-3", "due_soon", "2024-12-18 24:00"),
    }
    finding = report["findings"][0]
    assert set(finding) == {
        "fingerprint",
        "rule",
        "title",
        "severity",
        "status",
        "subject",
        "body",
        "department",
        "period",
        "source",
        "message",
        "trigger",
        "fulfilment",
        "deadline",
        "deadline_text",
        "overdue_by",
        "explanation",
        "awaits_year",
        "parent_body",
    }
    kept = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["raw"]) for r in kept] == [(11, "this is not json"), (12, kept[1]["raw"])]
    assert "rejected" in result.stderr and ":11:" in result.stderr


def test_fail_on_never_and_table(tmp_path):
    result = run_cli(
        "audit",
        "--events",
        EVENTS,
        "--as-of",
        "2024-12-16",
        "--fail-on",
        "never",
        "--rejects",
        str(tmp_path / "r.jsonl"),
        *TOLERATE,
    )
    assert result.returncode == 0
    assert "截至 2024-12-16 23:59：共 4 项（已逾期未完成 2，逾期完成 1，即将到期 1）" in result.stdout


def test_nothing_found_exits_0(tmp_path):
    result = run_cli(
        "audit",
        "--events",
        EVENTS,
        "--as-of",
        "2024-09-30",
        "--rejects",
        str(tmp_path / "r.jsonl"),
        *TOLERATE,
    )
    assert result.returncode == 0, result.stdout
    assert "未发现问题" in result.stdout


def test_bad_usage_exits_2(tmp_path):
    assert run_cli("audit", "--events", str(tmp_path / "missing.jsonl")).returncode == 2
    assert run_cli("audit", "--events", EVENTS, "--as-of", "yesterday").returncode == 2
    assert run_cli("audit", "--events", EVENTS, "--warn-within", "2 weeks").returncode == 2
    bad_rules = run_cli("audit", "--events", EVENTS, "--rules", str(ROOT / "tests" / "broken_rules"))
    assert bad_rules.returncode == 2 and "run 'shixian validate'" in bad_rules.stderr


def test_explain_shows_pause_and_verdict():
    result = run_cli(
        "explain",
        "--events",
        EVENTS,
        "--as-of",
        "2024-12-16",
        "--subject",
        "REQ-1",
        "--rule",
        "ogi.request-reply",
    )
    assert result.returncode == 0
    out = result.stdout
    assert "2024-10-09 10:00  third_party.consulted" in out
    assert "暂停 2024-10-09 至 2024-10-16（third_party.consulted e4），不计 6 个工作日" in out
    assert "结论：按期完成" in out and "期限 2024-11-07 24:00" in out


def test_order_of_the_log_does_not_matter_and_sorted_is_only_noted(tmp_path):
    """One pipeline for every log: a log in time order, the same log shuffled, and the retired --sorted
    (still accepted, so that existing cron scripts run, with a note) all give the same findings and counts."""
    records = []
    for path in sorted((ROOT / "examples").glob("*-20*/events.jsonl")):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    from engine.timeparse import parse_instant

    records.sort(key=lambda r: parse_instant(r["time"])[0])
    ordered = tmp_path / "ordered.jsonl"
    ordered.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records) + "not json\n", encoding="utf-8"
    )
    common = [
        "--as-of",
        "2024-12-31",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--rejects",
        str(tmp_path / "r.jsonl"),
    ]
    whole = json.loads(run_cli("audit", "--events", str(ordered), *common).stdout)
    noted = run_cli("audit", "--events", str(ordered), "--sorted", *common)
    assert "--sorted 已不再需要" in noted.stderr
    sorted_flag = json.loads(noted.stdout)
    assert sorted_flag["findings"] == whole["findings"] and sorted_flag["summary"] == whole["summary"]
    assert whole["summary"]["events_rejected"] == 1 and len(whole["findings"]) > 100
    shuffled = tmp_path / "shuffled.jsonl"
    lines = ordered.read_text(encoding="utf-8").splitlines()
    lines.reverse()
    shuffled.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reversed_log = json.loads(run_cli("audit", "--events", str(shuffled), *common).stdout)
    assert reversed_log["findings"] == whole["findings"]
    gone = run_cli("audit", "--events", str(ordered), "--engine", "rows", *common)
    assert gone.returncode == 2 and "--engine" in gone.stderr
