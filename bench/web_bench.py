"""Workbench benchmark: list pages over an audit database of 500,000 findings.

Builds the database once (synthetic findings shaped like real ones: four bodies, departments, 12 rules,
statuses, deadlines over three years, a day-by-day explanation each; 1,000 of them waived), starts
`shixian serve --db` in its own process, logs in, and times each page over HTTP (median and worst of a
few requests after one warm-up). Baseline measured in the same run: GET /healthz (the transport alone)
and what the command line does today, `AuditStore.findings()` loading every open finding, and a scan of
every subject (what a search did before the trigram index, engine/state/tracking.py).
Run: make bench-web   (or .venv/bin/python bench/web_bench.py [--findings 500000] [--db out/bench-web.sqlite])
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from engine.state import AuditStore

ROOT = Path(__file__).resolve().parent.parent
BODIES = {
    "江苏省司法厅": ["办公室", "法制处", "律师工作处", "公共法律服务处"],
    "上海市司法局": ["办公室", "立法处", "行政复议处"],
    "临沂市司法局": ["法制科", "办公室"],
    "天津市滨海新区司法局": ["办公室", "政务公开科"],
}
RULES = [
    ("ogi.request-reply", "error"),
    ("ogi.proactive-disclosure", "error"),
    ("opinion.other.response", "error"),
    ("jiangsu-2018.interpretation-3wd", "warning"),
    ("jiangsu-2018.normative-submit-5wd", "warning"),
    ("linyi-2021.policy-publish-7d", "warning"),
    ("linyi-2021.consultation-30d", "warning"),
    ("shanghai-2024.interpretation-sync", "warning"),
    ("shanghai-2024.tasks", "warning"),
    ("binhai-2017.request-reply", "warning"),
    ("ogi.annual-report.department", "error"),
    ("opinion.major-incident.press-conference", "info"),
]
STATUSES = ["late"] * 5 + ["overdue"] * 3 + ["due_soon", "short", "unlinked", "missing_fields"]


def build(path: Path, n: int) -> None:
    """Write n findings in two runs (so some are new, some open, some resolved), straight into the schema."""
    rng = random.Random(18)
    store = AuditStore(path)  # creates the schema, the generated columns and the indexes
    db = store.db
    db.execute("BEGIN")
    for run in (1, 2):
        db.execute(
            "INSERT INTO runs (id, started_at, as_of, rules_revision, calendar, coverage, inputs, run_key, "
            "events_read, events_evaluated, events_rejected, counts, new, open, resolved) VALUES "
            "(?, ?, ?, 'bench', 'national', 'national 2004-2026', '{}', ?, ?, ?, 0, '{}', 0, 0, 0)",
            (run, f"2026-0{run}-01T00:00:00+00:00", f"2026-0{run}-01T23:59:59+08:00", f"k{run}", n, n),
        )
    rows = []
    for i in range(n):
        body = rng.choice(list(BODIES))
        department = rng.choice(BODIES[body])
        rule, severity = rng.choice(RULES)
        status = rng.choice(STATUSES)
        year, month, day = rng.choice((2023, 2024, 2025)), rng.randint(1, 12), rng.randint(1, 28)
        subject = f"{body[:2]}-{year}-{i:07d}"
        fp = hashlib.sha256(f"{rule}{subject}".encode()).hexdigest()[:16]
        deadline = f"{year}-{month:02d}-{day:02d}T24:00"
        trigger = {
            "id": f"E{i // 2:07d}",
            "type": "request.received",
            "time": f"{year}-{month:02d}-01T09:00:00+08:00",
        }
        data = {
            "fingerprint": fp,
            "rule": rule,
            "title": f"{rule} 的义务",
            "severity": severity,
            "status": status,
            "subject": subject,
            "body": body,
            "department": department,
            "period": None,
            "source": {
                "document": "《中华人民共和国政府信息公开条例》",
                "article": "第三十三条",
                "text": "……",
            },
            "message": f"{subject} 应于 {deadline[:10]} 24:00 前完成",
            "trigger": trigger,
            "fulfilment": None,
            "deadline": f"{year}-{month:02d}-{day:02d}T00:00:00+08:00",
            "deadline_text": f"{deadline[:10]} 24:00",
            "overdue_by": "3wd" if status in ("late", "overdue") else None,
            "explanation": [
                f"  {year}-{month:02d}-{d:02d} 周一，工作日 → 第{d}个工作日" for d in range(1, 21)
            ],
        }
        first = 1 if i % 3 else 2
        state = "resolved" if i % 10 == 0 else "active"
        rows.append(
            (
                fp,
                rule,
                subject,
                body,
                department,
                severity,
                status,
                state,
                first,
                f"2026-0{first}-01",
                2,
                "2026-02-01",
                2 if state == "resolved" else None,
                "2026-02-01" if state == "resolved" else None,
                json.dumps(data, ensure_ascii=False),
            )
        )
        if len(rows) == 20000:
            db.executemany(
                "INSERT OR IGNORE INTO findings (fingerprint, rule, subject, body, department, severity, "
                "status, state, first_seen_run, first_seen, last_seen_run, last_seen, resolved_run, "
                "resolved, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            rows = []
    if rows:
        db.executemany(
            "INSERT OR IGNORE INTO findings (fingerprint, rule, subject, body, department, severity, "
            "status, state, first_seen_run, first_seen, last_seen_run, last_seen, resolved_run, resolved, "
            "data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.execute(
        "INSERT INTO waivers SELECT fingerprint, '张三', '基准测试', NULL, '2026-02-01' FROM findings "
        "ORDER BY fingerprint LIMIT 1000"
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(port: int, path: str, cookie: str, repeat: int) -> tuple[float, float, int]:
    samples, size = [], 0
    for i in range(repeat + 1):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - start
        assert response.status == 200, (path, response.status)
        size = len(body)
        if i:  # the first is a warm-up
            samples.append(elapsed)
    return statistics.median(samples) * 1000, max(samples) * 1000, size


PAGES = [
    ("问题清单, first page, by deadline", "/findings"),
    ("filtered by body", "/findings?" + urllib.parse.urlencode({"body": "江苏省司法厅"})),
    (
        "body + department + status",
        "/findings?"
        + urllib.parse.urlencode({"body": "上海市司法局", "department": "立法处", "status": "overdue"}),
    ),
    ("search 江苏 (partial, Chinese)", "/findings?" + urllib.parse.urlencode({"q": "江苏"})),
    ("search a subject number", "/findings?" + urllib.parse.urlencode({"q": "0012345"})),
    ("search 司法 (every finding matches)", "/findings?" + urllib.parse.urlencode({"q": "司法"})),
    ("search one character 7", "/findings?" + urllib.parse.urlencode({"q": "7"})),
    (
        "search one character 7 + body 江苏",
        "/findings?" + urllib.parse.urlencode({"q": "7", "body": "江苏省司法厅"}),
    ),
    ("search 江苏 + status late", "/findings?" + urllib.parse.urlencode({"q": "江苏", "status": "late"})),
    ("search 江苏省 + status late", "/findings?" + urllib.parse.urlencode({"q": "江苏省", "status": "late"})),
    (
        "search 的 (in every title) + severity",
        "/findings?" + urllib.parse.urlencode({"q": "的", "severity": "warning"}),
    ),
    (
        "search 江苏 + body 上海 (none)",
        "/findings?" + urllib.parse.urlencode({"q": "江苏", "body": "上海市司法局"}),
    ),
    ("lifecycle new", "/findings?lifecycle=new"),
    ("lifecycle waived", "/findings?lifecycle=waived"),
    ("deadline range (one month)", "/findings?date_from=2024-03-01&date_to=2024-03-31"),
    ("sorted by severity", "/findings?sort=severity"),
    ("sorted by body, page 2,000", "/findings?sort=body&page=2000"),
    ("last page by deadline", "/findings?page=10000"),
    ("问题详情", None),
    ("总览 (from the database: no input files)", "/"),
    ("运行记录", "/runs"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=500_000)
    parser.add_argument("--db", type=Path, default=ROOT / "out" / "bench-web.sqlite")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    fresh = not args.db.exists()
    if fresh:
        started = time.perf_counter()
        build(args.db, args.findings)
        print(
            f"built {args.db} with {args.findings:,} findings in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    store = AuditStore(args.db)
    count = store.db.execute("SELECT count(*) FROM findings").fetchone()[0]
    started = time.perf_counter()
    loaded = len(store.findings("open"))
    cli_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()  # what a search did before the trigram index: read every subject
    store.db.execute(
        "SELECT count(*) FROM findings WHERE subject LIKE '%江苏%' OR subject LIKE '%0012345%'"
    ).fetchone()
    scan_ms = (time.perf_counter() - started) * 1000
    fingerprint = store.db.execute(
        "SELECT fingerprint FROM findings ORDER BY fingerprint LIMIT 1 OFFSET 777"
    ).fetchone()[0]
    store.close()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--db", str(args.db), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(
            "POST",
            "/login",
            body=urllib.parse.urlencode({"name": "bench", "next": "/"}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        cookie = conn.getresponse().getheader("set-cookie").split(";", 1)[0]
        started = time.perf_counter()  # the first overview, as the first officer in the morning opens it
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", "/", headers={"Cookie": cookie})
        conn.getresponse().read()
        first_ms = (time.perf_counter() - started) * 1000
        base_ms, _, _ = timed(port, "/healthz", cookie, args.repeat * 4)
        print(
            f"# workbench bench  {time.strftime('%Y-%m-%d %H:%M')}  {count:,} findings in {args.db.name} "
            f"({args.db.stat().st_size / 1e6:.0f} MB)"
        )
        print(
            f"baseline: GET /healthz {base_ms:.1f} ms; the CLI's AuditStore.findings('open') loads {loaded:,} "
            f"findings in {cli_ms:.0f} ms; a scan of every subject (a search before the trigram index) "
            f"{scan_ms:.0f} ms"
        )
        print(f"the first 总览 right after the server started: {first_ms:.0f} ms")
        print(
            "load average (1, 5, 15 min) before the pages: " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
        )
        print("| page | median ms | worst ms | × /healthz | × CLI load | × subject scan | KB |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, path in PAGES:
            path = path or f"/findings/{fingerprint}"
            median, worst, size = timed(port, path, cookie, args.repeat)
            print(
                f"| {name} `{path[:60]}` | {median:.1f} | {worst:.1f} | {median / base_ms:.0f}× | "
                f"{median / cli_ms:.3f}× | {median / scan_ms:.2f}× | {size / 1024:.0f} |",
                flush=True,
            )
        print(
            "load average (1, 5, 15 min) after the pages: " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
