"""The nightly audit against a real SQLite file: lifecycle, idempotence, kill -9, waivers, the event store.

Dates: 20 working days from Fri 2024-09-27 end Wed 2024-10-30 (2024 国庆节, 国办发明电〔2023〕7号:
09-29 and 10-12 are make-up working days).
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from conftest import ROOT, run_cli

BODY = "示例市司法局"


def write(path, *events):
    path.write_text(
        "".join(
            json.dumps({"body": BODY, "department": "办公室", **e}, ensure_ascii=False) + "\n" for e in events
        ),
        encoding="utf-8",
    )
    return path


def audit(db, as_of, *files, fmt="json", extra=()):
    args = [
        "audit",
        "--db",
        str(db),
        "--as-of",
        as_of,
        "--format",
        fmt,
        "--rejects",
        str(db.parent / "rej.jsonl"),
    ]
    if files:
        args += ["--events", *map(str, files)]
    result = run_cli(*args, *extra)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout) if fmt == "json" else result


def dump(db) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def states(report):
    return {(f["subject"], f["status"]): f["lifecycle"]["state"] for f in report["findings"]}


def test_lifecycle_over_three_nights(tmp_path):
    db = tmp_path / "audit.sqlite"
    day1 = write(
        tmp_path / "day1.jsonl",
        {"id": "a1", "type": "request.received", "subject": "R1", "time": "2024-09-27T16:00"},
        {"id": "a2", "type": "request.received", "subject": "R2", "time": "2024-09-27T16:00"},
    )
    # night 1 (10-31): both overdue -> new
    r1 = audit(db, "2024-10-31", day1)
    assert states(r1) == {("R1", "overdue"): "new", ("R2", "overdue"): "new"}
    assert r1["run"] == {
        "id": 1,
        "repeated": False,
        "new": 2,
        "open": 0,
        "resolved": 0,
        "waived": 0,
        "kind": "full",  # files given: a full run (README "The incremental audit")
        "kind_text": "全量判定 (full)：本次还读取 --events 文件 (event files given)",
    }
    # night 2 (11-01): R1 replied late -> its overdue finding resolved, the late one new; R2 still open
    day2 = write(
        tmp_path / "day2.jsonl",
        {"id": "b1", "type": "request.replied", "subject": "R1", "time": "2024-11-01T10:00"},
    )
    r2 = audit(db, "2024-11-01", day1, day2)
    assert states(r2) == {("R1", "late"): "new", ("R2", "overdue"): "open"}
    assert [(i["subject"], i["status"], i["lifecycle"]["state"]) for i in r2["resolved"]] == [
        ("R1", "overdue", "resolved")
    ]
    # night 3 (11-04): R2 replied too -> resolved; R1's late finding persists as open
    day3 = write(
        tmp_path / "day3.jsonl",
        {"id": "c1", "type": "request.replied", "subject": "R2", "time": "2024-11-04T10:00"},
    )
    r3 = audit(db, "2024-11-04", day1, day2, day3)
    assert states(r3) == {("R1", "late"): "open", ("R2", "late"): "new"}
    assert [(i["subject"], i["lifecycle"]["first_seen"][:10]) for i in r3["resolved"]] == [
        ("R2", "2024-10-31")
    ]
    history = run_cli("history", "--db", str(db), "--format", "json")
    assert [(r["id"], r["new"], r["open"], r["resolved"]) for r in json.loads(history.stdout)] == [
        (1, 2, 0, 0),
        (2, 1, 1, 1),
        (3, 1, 1, 1),
    ]
    open_now = json.loads(run_cli("findings", "--db", str(db), "--format", "json").stdout)
    assert sorted((f["subject"], f["status"]) for f in open_now) == [("R1", "late"), ("R2", "late")]
    resolved = json.loads(
        run_cli("findings", "--db", str(db), "--status", "resolved", "--format", "json").stdout
    )
    assert sorted(f["subject"] for f in resolved) == ["R1", "R2"]
    other = json.loads(run_cli("findings", "--db", str(db), "--body", "别的局", "--format", "json").stdout)
    assert other == []


def test_same_night_twice_changes_nothing(tmp_path):
    db = tmp_path / "audit.sqlite"
    log = write(
        tmp_path / "log.jsonl",
        {"id": "a1", "type": "request.received", "subject": "R1", "time": "2024-09-27T16:00"},
    )
    first = audit(db, "2024-10-31", log)
    before = dump(db)
    again = audit(db, "2024-10-31", log)
    assert dump(db) == before
    assert again["run"]["repeated"] is True and again["run"]["id"] == first["run"]["id"]
    assert again["findings"] == first["findings"]


def test_killed_run_leaves_the_database_as_it_was(tmp_path):
    db = tmp_path / "audit.sqlite"
    log = write(
        tmp_path / "log.jsonl",
        {"id": "a1", "type": "request.received", "subject": "R1", "time": "2024-09-27T16:00"},
    )
    audit(db, "2024-10-29", log)  # R1 due soon
    before = dump(db)
    env = {**os.environ, "SHIXIAN_PAUSE_BEFORE_COMMIT": "60"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine",
            "audit",
            "--db",
            str(db),
            "--events",
            str(log),
            "--as-of",
            "2024-11-05",
            "--rejects",
            str(tmp_path / "r.jsonl"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    journal = db.with_name(db.name + "-journal")
    deadline = time.monotonic() + 60
    while not journal.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert journal.exists(), "the run never opened its transaction"
    time.sleep(0.3)  # well inside the transaction: the run row and the finding updates are written
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert dump(db) == before  # opening the file rolls the interrupted transaction back
    after = audit(db, "2024-11-05", log)  # the next run completes normally
    assert after["run"]["id"] == 2
    assert states(after) == {("R1", "overdue"): "open"}


def test_waiver_is_reported_and_does_not_fail(tmp_path):
    db = tmp_path / "audit.sqlite"
    log = write(
        tmp_path / "log.jsonl",
        {"id": "a1", "type": "request.received", "subject": "R1", "time": "2024-09-27T16:00"},
    )
    report = audit(db, "2024-10-31", log)
    fingerprint = report["findings"][0]["fingerprint"]
    assert run_cli("audit", "--db", str(db), "--as-of", "2024-11-01", "--events", str(log)).returncode == 1
    waived = run_cli(
        "waive",
        fingerprint,
        "--db",
        str(db),
        "--by",
        "张三",
        "--reason",
        "申请人同意延后答复",
        "--until",
        "2024-11-30",
    )
    assert waived.returncode == 0, waived.stderr
    table = run_cli("audit", "--db", str(db), "--as-of", "2024-11-04", "--events", str(log))
    assert table.returncode == 0
    assert "已豁免 (waived) 1 项" in table.stdout and "张三，申请人同意延后答复，至2024-11-30" in table.stdout
    data = audit(db, "2024-11-05", log)
    assert data["findings"][0]["waiver"]["by"] == "张三"
    # after the waiver's last day it fails again
    assert run_cli("audit", "--db", str(db), "--as-of", "2024-12-02", "--events", str(log)).returncode == 1
    assert run_cli("waive", "0000000000000000", "--db", str(db), "--by", "x", "--reason", "y").returncode == 2


def test_event_store_ingest_night_by_night(tmp_path):
    db = tmp_path / "audit.sqlite"
    day1 = write(
        tmp_path / "d1.jsonl",
        {"id": "a1", "type": "request.received", "subject": "R1", "time": "2024-09-27T16:00"},
    )
    day2 = write(
        tmp_path / "d2.jsonl",
        {"id": "a1", "type": "request.received", "subject": "R1", "time": "2024-09-27T16:00"},
        {"id": "a2", "type": "request.replied", "subject": "R1", "time": "2024-10-30T10:00"},
        {"id": "a3", "type": "request.received", "subject": "R1", "time": "2024-09-28T16:00"},
    )
    out1 = run_cli("ingest", "--db", str(db), "--events", str(day1), "--rejects", str(tmp_path / "r1.jsonl"))
    assert (
        out1.stdout.strip()
        == "入库 1 条，已存在 0 条，拒收 0 条 (1 events stored, 0 already there, 0 rejected)"
    )
    report = audit(db, "2024-10-31")  # no files: the stored history alone
    assert [(f["subject"], f["status"]) for f in report["findings"]] == [("R1", "overdue")]
    out2 = run_cli("ingest", "--db", str(db), "--events", str(day2), "--rejects", str(tmp_path / "r2.jsonl"))
    assert (
        out2.stdout.strip()
        == "入库 2 条，已存在 1 条，拒收 0 条 (2 events stored, 1 already there, 0 rejected)"
    )
    with sqlite3.connect(db) as conn:  # in the event store's files (engine/state/eventstore.py)
        assert conn.execute("SELECT sum(rows) FROM event_files").fetchone()[0] == 3
    conflict = write(
        tmp_path / "d3.jsonl",
        {"id": "a2", "type": "request.replied", "subject": "R1", "time": "2024-11-30T10:00"},
    )
    out3 = run_cli(
        "ingest", "--db", str(db), "--events", str(conflict), "--rejects", str(tmp_path / "r3.jsonl")
    )
    assert "(0 events stored, 0 already there, 1 rejected)" in out3.stdout
    assert "different content" in (tmp_path / "r3.jsonl").read_text(encoding="utf-8")
    final = audit(db, "2024-11-30")
    assert final["findings"] == [] and [i["subject"] for i in final["resolved"]] == ["R1"]


def test_file_event_conflicting_with_the_store_is_rejected(tmp_path):
    db = tmp_path / "audit.sqlite"
    stored = write(
        tmp_path / "s.jsonl",
        {"id": "a1", "type": "request.received", "subject": "R1", "time": "2024-09-27T16:00"},
    )
    run_cli("ingest", "--db", str(db), "--events", str(stored), "--rejects", str(tmp_path / "r0.jsonl"))
    other = write(
        tmp_path / "o.jsonl",
        {"id": "a1", "type": "request.received", "subject": "R1", "time": "2024-09-28T16:00"},
    )
    same = write(
        tmp_path / "p.jsonl",
        {"id": "a1", "type": "request.received", "subject": "R1", "time": "2024-09-27T16:00"},
    )
    report = audit(db, "2024-10-31", other, extra=("--max-rejected", "50%"))  # one of two records rejected
    summary = report["summary"]
    assert (summary["events_read"], summary["events_rejected"], summary["duplicates_ignored"]) == (2, 1, 0)
    # the stored version stands: 20 working days from 09-27 end 10-30
    assert [(f["subject"], f["deadline_text"]) for f in report["findings"]] == [("R1", "2024-10-30 24:00")]
    again = audit(db, "2024-10-31", same)["summary"]
    assert (again["events_read"], again["events_rejected"], again["duplicates_ignored"]) == (2, 0, 1)
