"""The event store (Parquet files beside the audit database, engine/state/eventstore.py): the audit of a stored
history gives the findings of the same events audited from files; ingest keeps every guarantee under kill -9;
a database written before the store is audited as it is and migrated by `shixian store migrate`.
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import ROOT, run_cli

EXAMPLES = [
    ROOT / "examples" / name / "events.jsonl"
    for name in ("shanghai-2024", "linyi-2021", "binhai-2017", "jiangsu-2018")
]
FIXTURE_V1 = ROOT / "tests" / "fixtures" / "v1-audit.sqlite"  # made by the code before the store (see below)


def lines(path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def audit(*args, tmp, ok=(0, 1)):
    result = run_cli(
        "audit", *args, "--format", "json", "--fail-on", "never", "--rejects", str(tmp / "rej.jsonl")
    )
    assert result.returncode in ok, result.stderr[-2000:]
    return json.loads(result.stdout)


def ingest(db, *files, tmp):
    result = run_cli(
        "ingest",
        "--db",
        str(db),
        "--events",
        *map(str, files),
        "--rejects",
        str(tmp / "ingrej.jsonl"),
        "--max-rejected",
        "50%",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def judged(report) -> list[dict]:
    """The findings as judged (a run recorded in the database adds its lifecycle and waiver to each)."""
    return [{k: v for k, v in f.items() if k not in ("lifecycle", "waiver")} for f in report["findings"]]


def dump(db) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated 20,000-event log cut into three nights, the second night repeating part of the first."""
    out = tmp_path_factory.mktemp("gen")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--events", "20000", "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=600,
    )
    lines = (out / "events-20000.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    nights = [lines[:8000], lines[7000:15000], lines[15000:]]  # 1000 lines sent twice: identical repeats
    changed = json.loads(lines[14000])
    changed["time"] = "2025-12-30T09:00"  # an id already stored in night 2, with other content: rejected
    nights[2].append(json.dumps(changed, ensure_ascii=False) + "\n")
    paths = []
    for k, night in enumerate(nights):
        paths.append(out / f"night{k + 1}.jsonl")
        paths[-1].write_text("".join(night), encoding="utf-8")
    return paths


def test_stored_history_audits_as_the_same_files(generated, tmp_path):
    """Night by night into the store; the audit of the store equals the audit of the same files, and a
    repeated night adds nothing."""
    db = tmp_path / "audit.sqlite"
    inputs = EXAMPLES + generated
    for path in inputs:
        ingest(db, path, tmp=tmp_path)
    again = ingest(db, generated[1], tmp=tmp_path)
    assert again.startswith("入库 0 条，已存在 8000 条")
    files = audit("--events", *map(str, inputs), "--as-of", "2025-12-31", tmp=tmp_path, ok=(0, 1, 2))
    stored = audit("--db", str(db), "--as-of", "2025-12-31", tmp=tmp_path)
    assert judged(stored) == judged(files) and len(stored["findings"]) > 500
    assert stored["summary"]["events_evaluated"] == files["summary"]["events_evaluated"]
    examples = sum(lines(p) for p in EXAMPLES)
    assert stored["summary"]["events_read"] == examples + 20000  # each event stored once
    with sqlite3.connect(db) as conn:
        kinds = dict(conn.execute("SELECT kind, sum(rows) FROM event_files GROUP BY kind"))
        assert conn.execute("SELECT count(*) FROM event_ids").fetchone()[0] == examples + 20000
    assert kinds["table"] > 20000  # plain rows stay columns


def test_conflicting_id_is_rejected_at_ingest(generated, tmp_path):
    db = tmp_path / "audit.sqlite"
    for path in generated[:2]:
        ingest(db, path, tmp=tmp_path)
    out = ingest(db, generated[2], tmp=tmp_path)
    assert "拒收 1 条" in out
    (reject,) = [json.loads(x) for x in (tmp_path / "ingrej.jsonl").read_text(encoding="utf-8").splitlines()]
    assert reject["file"] == str(generated[2]) and "different content" in reject["reason"]
    assert reject["line"] == 5001


def _kill_inside_ingest(db, path, tmp):
    env = {**os.environ, "SHIXIAN_PAUSE_BEFORE_COMMIT": "60"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine",
            "ingest",
            "--db",
            str(db),
            "--events",
            str(path),
            "--rejects",
            str(tmp / "r.jsonl"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    journal = db.with_name(db.name + "-journal")
    deadline = time.monotonic() + 90
    while not journal.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert journal.exists(), "the ingest never opened its transaction"
    # the files are written before the pause: wait until this ingest has written one (files of earlier
    # ingests are there already; under load, killing after a fixed wait could come before any write)
    store = db.with_name(db.name + ".events")
    earlier = len(list(store.glob("p*/*.parquet")))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(list(store.glob("p*/*.parquet"))) <= earlier:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert out == b""  # nothing was acknowledged


def test_ingest_killed_loses_nothing_acknowledged_and_duplicates_nothing(generated, tmp_path):
    db = tmp_path / "audit.sqlite"
    assert "入库 8000 条" in ingest(db, generated[0], tmp=tmp_path)  # acknowledged
    before = dump(db)
    _kill_inside_ingest(db, generated[1], tmp_path)
    assert dump(db) == before  # the interrupted transaction rolled back: no id, no file listed
    orphans = list((tmp_path / "audit.sqlite.events").glob("p*/*.parquet"))
    with sqlite3.connect(db) as conn:
        listed = {row[0] for row in conn.execute("SELECT path FROM event_files")}
    assert len(orphans) > len(listed)  # the killed ingest's files are there, but no reader lists them
    first = audit("--db", str(db), "--as-of", "2025-12-31", tmp=tmp_path)
    assert first["summary"]["events_read"] == 8000
    assert "入库 7000 条，已存在 1000 条" in ingest(db, generated[1], tmp=tmp_path)  # the rerun completes
    assert (
        len(list((tmp_path / "audit.sqlite.events").glob("p*/*.parquet"))) < len(orphans) + len(listed) + 16
    )
    stored = audit("--db", str(db), "--as-of", "2025-12-31", tmp=tmp_path)
    files = audit("--events", *map(str, generated[:2]), "--as-of", "2025-12-31", tmp=tmp_path)
    assert judged(stored) == judged(files) and stored["summary"]["events_read"] == 15000


def test_version_1_database_is_audited_then_migrated(tmp_path):
    """tests/fixtures/v1-audit.sqlite was written by the code before the event store (main at 4760b1a):
    `shixian ingest` of the Shanghai and Linyi example logs, then one `shixian audit --db` as of 2024-12-31."""
    db = tmp_path / "audit.sqlite"
    shutil.copy(FIXTURE_V1, db)
    info = json.loads(run_cli("store", "info", "--db", str(db), "--format", "json").stdout)
    assert (info["schema_version"], info["events_in_table"], info["events_in_files"]) == (1, 730, 0)
    refused = run_cli(
        "ingest", "--db", str(db), "--events", str(EXAMPLES[2]), "--rejects", str(tmp_path / "r.jsonl")
    )
    assert refused.returncode == 2 and "shixian store migrate" in refused.stderr
    with sqlite3.connect(db) as conn:  # the same events as a log (the example logs have grown since)
        same = tmp_path / "same.jsonl"
        same.write_text(
            "".join(row[0] + "\n" for row in conn.execute("SELECT data FROM events ORDER BY rowid")),
            encoding="utf-8",
        )
    old = audit("--db", str(db), "--as-of", "2024-12-31", tmp=tmp_path)  # readable before migrating
    assert judged(old) == judged(audit("--events", str(same), "--as-of", "2024-12-31", tmp=tmp_path))
    assert len(old["findings"]) > 40
    moved = run_cli("store", "migrate", "--db", str(db))
    assert moved.returncode == 0 and "已迁移 730 个事件" in moved.stdout, moved.stderr
    info = json.loads(run_cli("store", "info", "--db", str(db), "--format", "json").stdout)
    assert (info["schema_version"], info["events_in_table"], info["events_in_files"]) == (2, 0, 730)
    assert "无需迁移" in run_cli("store", "migrate", "--db", str(db)).stdout
    new = audit("--db", str(db), "--as-of", "2025-01-02", tmp=tmp_path)
    files = audit("--events", str(same), "--as-of", "2025-01-02", tmp=tmp_path)
    assert judged(new) == judged(files)
    assert {f["lifecycle"]["first_seen"][:10] for f in new["findings"]} >= {
        "2024-12-31"
    }  # the history carried on
    assert f"入库 {lines(EXAMPLES[2])} 条" in ingest(db, EXAMPLES[2], tmp=tmp_path)


def test_events_written_one_at_a_time_sit_beside_the_files(tmp_path):
    """The live monitor and the workbench write single events to the table; ingest and audit see them."""
    from engine.model.events import Event
    from engine.state import AuditStore
    from engine.timeparse import parse_instant

    db = tmp_path / "audit.sqlite"
    log = tmp_path / "log.jsonl"
    log.write_text(
        json.dumps(
            {
                "id": "a1",
                "type": "request.received",
                "subject": "R1",
                "time": "2024-09-27T16:00",
                "body": "示例市司法局",
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    ingest(db, log, tmp=tmp_path)
    store = AuditStore(db)
    same = Event(
        "a1", "request.received", "R1", parse_instant("2024-09-27T16:00")[0], "示例市司法局", "", {}, False
    )
    other = Event(
        "a1", "request.received", "R1", parse_instant("2024-09-28T16:00")[0], "示例市司法局", "", {}, False
    )
    reply = Event(
        "b1", "request.replied", "R1", parse_instant("2024-11-01T10:00")[0], "示例市司法局", "", {}, False
    )
    assert store.ingest([same, reply], "stdin") == (1, 1, [])
    added, _, conflicts = store.ingest([other], "stdin")
    assert added == 0 and "different content" in conflicts[0][1]
    assert [e.id for e in store.events(None)] == ["a1", "b1"]
    store.close()
    log2 = tmp_path / "log2.jsonl"
    log2.write_text(json.dumps(reply.to_json(), ensure_ascii=False) + "\n", encoding="utf-8")
    assert "已存在 1 条" in ingest(db, log2, tmp=tmp_path)
    # 20 working days from Fri 2024-09-27 end Wed 2024-10-30 (国办发明电〔2023〕7号): replied 11-01, late
    report = audit("--db", str(db), "--as-of", "2024-11-30", tmp=tmp_path)
    assert [(f["subject"], f["status"], f["deadline_text"]) for f in report["findings"]] == [
        ("R1", "late", "2024-10-30 24:00")
    ]


def test_dask_reads_the_store_from_its_files(generated, tmp_path):
    """`--backend dask` from the store: two workers read each partition's Parquet files (as they would from
    shared storage), the table's events and a file given beside the store are split to them; the findings and
    counts are the single process's."""
    from engine.model.events import Event
    from engine.state import AuditStore
    from engine.timeparse import parse_instant

    db = tmp_path / "audit.sqlite"
    for path in generated[:2]:
        ingest(db, path, tmp=tmp_path)
    store = AuditStore(db)  # one event written alone, as the workbench does: in the table
    body = json.loads(generated[0].read_text(encoding="utf-8").splitlines()[0])["body"]
    store.ingest(
        [
            Event(
                "alone-1",
                "request.received",
                "ALONE-1",
                parse_instant("2025-09-26T16:00")[0],
                body,
                "",
                {},
                False,
            )
        ],
        "workbench",
    )
    store.close()
    local = audit("--db", str(db), "--events", str(generated[2]), "--as-of", "2025-12-31", tmp=tmp_path)
    dask = audit(
        "--db",
        str(db),
        "--events",
        str(generated[2]),
        "--as-of",
        "2025-12-31",
        "--backend",
        "dask",
        "--workers",
        "2",
        tmp=tmp_path,
    )
    assert judged(dask) == judged(local)
    assert dask["summary"] == local["summary"] and local["summary"]["events_read"] == 15001 + 5001
    assert ("ALONE-1", "overdue") in {(f["subject"], f["status"]) for f in local["findings"]}
    assert local["summary"]["events_rejected"] == 1  # night 3's conflicting line, in the file as in the store


def test_compact_merges_files_and_keeps_every_guarantee(tmp_path):
    """`shixian store compact`: each partition's files merged into one, in one transaction; the same
    findings after (full and incremental), duplicates still found by id, a kill -9 leaves it as before."""
    db = tmp_path / "audit.sqlite"
    records = [json.loads(line) for line in EXAMPLES[0].read_text(encoding="utf-8").splitlines() if line]
    nights = [records[k::4] for k in range(4)]
    for k, night in enumerate(nights):
        path = tmp_path / f"n{k}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in night), encoding="utf-8")
        ingest(db, path, tmp=tmp_path)
    before = audit("--db", str(db), "--as-of", "2024-12-31", tmp=tmp_path)
    files = lambda: sorted((tmp_path / "audit.sqlite.events").glob("p*/*.parquet"))  # noqa: E731
    many = files()
    state = dump(db)
    env = {**os.environ, "SHIXIAN_PAUSE_BEFORE_COMMIT": "60"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "store", "compact", "--db", str(db)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(files()) == len(many) and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(1)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL and out == b""
    assert dump(db) == state  # killed: nothing changed, its merged files listed nowhere
    done = run_cli("store", "compact", "--db", str(db))
    assert done.returncode == 0 and "合并" in done.stdout, done.stderr
    assert len(files()) < len(many)
    with sqlite3.connect(db) as conn:
        parts = conn.execute("SELECT part, count(*) FROM event_files GROUP BY part").fetchall()
        unlisted = conn.execute(
            "SELECT count(*) FROM event_ids WHERE file NOT IN (SELECT id FROM event_files)"
        ).fetchone()[0]
    assert all(n == 1 for _, n in parts) and unlisted == 0  # one file a partition, every id points at one
    full = audit("--db", str(db), "--as-of", "2024-12-31", "--full", tmp=tmp_path)
    assert judged(full) == judged(before)
    again = ingest(db, tmp_path / "n1.jsonl", tmp=tmp_path)
    assert f"入库 0 条，已存在 {len(nights[1])} 条" in again  # the index still finds every stored id
    later = audit("--db", str(db), "--as-of", "2025-01-02", tmp=tmp_path)
    assert later["run"]["kind"] == "incremental"
    assert judged(later) == judged(audit("--db", str(db), "--as-of", "2025-01-02", "--full", tmp=tmp_path))
