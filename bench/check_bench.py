"""Pre-publication check benchmark: in-process latency, and HTTP latency under a fixed load.

In-process: Engine.check on a loaded, reusable engine (all bundled packs) against a baseline measured
in the same run: loading rules and calendar for every check, which is what a CMS calling the command
line per page would pay. HTTP: `shixian serve` in one process, bench/loadgen.py in another, each pinned to
its own core, 500 requests/s for a bounded time; baseline: GET /healthz at the same rate (the transport alone).
Run: make bench-check   (or .venv/bin/python bench/check_bench.py [--seconds 10])
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from engine.calendar import workcal
from engine.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
PLAN = {
    "document": {
        "subject": "LY-2021-200",
        "body": "临沂市司法局",
        "department": "法制科",
        "doc_type": "政策文件",
        "disclosure": "主动公开",
        "文号": "临司发〔2021〕200号",
        "成文日期": "2021-09-24",
        "发布日期": "2021-10-08",
        "有效性": "有效",
        "issued_at": "2021-09-24T10:00",
    },
    "publish_at": "2021-10-08T10:00",
    "interpretation_at": "2021-10-09T10:00",
    "comment_period": {"open": "2021-08-02", "close": "2021-09-10"},
}


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples) * 1000, samples[int(0.99 * (len(samples) - 1))] * 1000


def in_process(n: int) -> tuple[tuple[float, float], tuple[float, float]]:
    engine = Engine.load()
    engine.check(PLAN)
    reused = []
    for _ in range(n):
        t = time.perf_counter()
        engine.check(PLAN)
        reused.append(time.perf_counter() - t)
    fresh = []
    for _ in range(max(n // 50, 20)):
        workcal._CACHE.clear()
        t = time.perf_counter()
        Engine.load().check(PLAN)
        fresh.append(time.perf_counter() - t)
    return percentiles(reused), percentiles(fresh)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu: int):
    """Run a child on one core, so that the server and the load generator do not preempt each other."""
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def big_plan(events: int) -> dict:
    """A plan carrying a long history of its subject: `events` earlier events (about 130 bytes each)."""
    history = [
        {
            "id": f"H{k}",
            "type": "request.received" if k % 2 else "request.replied",
            "subject": f"R{k // 2}",
            "time": f"2021-0{1 + k % 9}-1{k % 9}T10:00",
            "body": "临沂市司法局",
        }
        for k in range(events)
    ]
    return {**PLAN, "events": history}


def hammer_big(port: int, plan: dict, stop, done: list) -> None:
    """Post the big plan again and again, one at a time, until stopped; count the answers."""
    import http.client

    body = json.dumps(plan, ensure_ascii=False).encode("utf-8")
    while not stop.is_set():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start = time.perf_counter()
        conn.request("POST", "/v1/check", body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        done.append((response.status, time.perf_counter() - start))


def http(seconds: float, rate: int, big_events: int = 0) -> tuple[dict, dict]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(2)  # the large-check worker has started (unpinned); now pin the server itself to core 0
        if pinned(0) is not None:
            os.sched_setaffinity(server.pid, {0})
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
            json.dump(PLAN, f, ensure_ascii=False)
        gen = [
            sys.executable,
            str(ROOT / "bench" / "loadgen.py"),
            "--port",
            str(port),
            "--rate",
            str(rate),
            "--seconds",
            str(seconds),
        ]
        subprocess.run(
            gen + ["--path", "/v1/check", "--body", f.name, "--seconds", "2"], capture_output=True
        )  # warm
        check = json.loads(
            subprocess.run(
                gen + ["--path", "/v1/check", "--body", f.name],
                capture_output=True,
                text=True,
                check=True,
                preexec_fn=pinned(1),
            ).stdout
        )
        if big_events:  # the same load while big plans are checked one after another
            import threading

            stop, done = threading.Event(), []
            worker = threading.Thread(target=hammer_big, args=(port, big_plan(big_events), stop, done))
            worker.start()
            time.sleep(1)
            loaded = json.loads(
                subprocess.run(
                    gen + ["--path", "/v1/check", "--body", f.name],
                    capture_output=True,
                    text=True,
                    check=True,
                    preexec_fn=pinned(1),
                ).stdout
            )
            stop.set()
            worker.join()
            check["under_big"] = loaded
            check["big"] = {
                "count": len(done),
                "ok": sum(1 for status, _ in done if status == 200),
                "median_ms": statistics.median(t for _, t in done) * 1000 if done else None,
            }
        health = json.loads(
            subprocess.run(
                gen + ["--path", "/healthz"], capture_output=True, text=True, check=True, preexec_fn=pinned(1)
            ).stdout
        )
        os.unlink(f.name)
        return check, health
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--checks", type=int, default=5000)
    parser.add_argument(
        "--big-events",
        type=int,
        default=5000,
        help="also measure the load while plans of this many events are checked (0: skip)",
    )
    args = parser.parse_args()
    (p50, p99), (f50, f99) = in_process(args.checks)
    print(
        f"# check bench  {time.strftime('%Y-%m-%d %H:%M')}  {len(Engine.load().ruleset.rules)} rules loaded"
    )
    print("| measure | p50 ms | p99 ms | note |")
    print("|---|---:|---:|---|")
    print(f"| baseline: load rules + calendar, then check | {f50:.3f} | {f99:.3f} | per call |")
    print(
        f"| Engine.check on a loaded engine | {p50:.3f} | {p99:.3f} | {f50 / p50:,.0f}× faster than the baseline |"
    )
    check, health = http(args.seconds, args.rate, args.big_events)
    print(
        f"| baseline: HTTP GET /healthz at {args.rate}/s | {health['p50_ms']:.3f} | {health['p99_ms']:.3f} | "
        f"{health['completed']} requests, {health['errors']} errors, {health['achieved_rate']}/s |"
    )
    print(
        f"| HTTP POST /v1/check at {args.rate}/s | {check['p50_ms']:.3f} | {check['p99_ms']:.3f} | "
        f"{check['completed']} requests, {check['errors']} errors, {check['achieved_rate']}/s, "
        f"p99 {check['p99_ms'] / health['p99_ms']:.1f}× the transport baseline |"
    )
    if "under_big" in check:
        under, big = check["under_big"], check["big"]
        print(
            f"| HTTP POST /v1/check at {args.rate}/s while {args.big_events:,}-event plans are checked | "
            f"{under['p50_ms']:.3f} | {under['p99_ms']:.3f} | {under['completed']} requests, {under['errors']} errors; "
            f"p99 {under['p99_ms'] / check['p99_ms']:.2f}× the same load alone; {big['ok']}/{big['count']} big plans "
            f"answered, median {big['median_ms'] or 0:.0f} ms each |"
        )


if __name__ == "__main__":
    main()
