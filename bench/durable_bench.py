"""Batch evaluator vs durable-rules on the same generated log: speed ratio and the same verdicts.

Baseline (measured in the same run): durable-rules as the engine, i.e. the live back end
(`LiveMonitor.replay`: each event in time order, a tick before it, stored, fed to the generated
durable-rules rulesets). The log is split by body into `--groups` files (bodies are independent; not
timed), each replayed by a fresh process, one after the other; the baseline's time is the sum of their
replays, reading included as in the audit's. Groups keep each monitor's open alarms of a rule within the
1000 durable-rules state ids it gives them (engine/live/durable_adapter.py). The process and its replays are
pinned to one core. Against it: the audit's columnar evaluator over the same file, end to end (reading
included). Compared verdicts: every deadline obligation the monitor alerts on, late
(`fulfilled_late`) or passed and never fulfilled (`passed`), keyed by rule, subject and trigger, against
the audit's `late` and `overdue` findings of the same rules (the monitor judges deadline rules only).
Run: make bench-durable   (or .venv/bin/python bench/durable_bench.py --events 1000000)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engine.calendar import SHANGHAI
from engine.engine import Engine, run_audit
from engine.events import read_events
from engine.live import LiveMonitor, SimulatedClock
from engine.model.rules import DeadlineRule
from engine.state import AuditStore

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
AS_OF = dt.datetime(2025, 12, 31, 23, 59, tzinfo=SHANGHAI)


def replay_group(path: Path, alerts_out: Path) -> None:
    """In a fresh process: replay one group's events through the live monitor, write its alerts and the
    seconds it took (after loading rules, as the audit's time is measured)."""
    engine = Engine.load()
    start = time.perf_counter()
    events = sorted(read_events([path], engine.ruleset.event_types).events, key=lambda e: e.time)
    alerts: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        if not events:  # a group no body hashed to
            alerts_out.write_text("", encoding="utf-8")
            alerts_out.with_suffix(".seconds").write_text("0", encoding="utf-8")
            return
        monitor = LiveMonitor(
            engine, AuditStore(Path(tmp) / "live.sqlite"), SimulatedClock(events[0].time), alerts.append
        )
        monitor.replay(events, AS_OF)
    alerts_out.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in alerts), encoding="utf-8")
    alerts_out.with_suffix(".seconds").write_text(str(time.perf_counter() - start), encoding="utf-8")


def split_by_body(log_file: Path, groups: int, out: Path) -> list[Path]:
    from engine.columnar.partition import body_partition

    paths = [out / f"group-{g}.jsonl" for g in range(groups)]
    streams = [open(p, "w", encoding="utf-8") for p in paths]
    with open(log_file, encoding="utf-8") as lines:
        for line in lines:
            streams[body_partition(json.loads(line)["body"], groups)].write(line)
    for stream in streams:
        stream.close()
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=16, help="body groups replayed by separate processes")
    parser.add_argument(
        "--replay-group", nargs=2, type=Path, metavar=("EVENTS", "ALERTS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.replay_group:
        replay_group(*args.replay_group)
        return
    # both engines on one core: the audit's JSON reader would otherwise parse on every core (the replays
    # are single-threaded anyway); child processes inherit the pinning
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    log_file = DATA / f"events-{args.events}.jsonl"
    if not log_file.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate.py"),
                "--events",
                str(args.events),
                "--out",
                str(DATA),
            ],
            check=True,
            cwd=ROOT,
        )
    engine = Engine.load()
    watched = {r.id for r in engine.ruleset.rules if isinstance(r.rule, DeadlineRule) and not r.rule.optional}

    t = time.perf_counter()
    report, _ = run_audit(engine, [log_file], AS_OF, show_progress=False)
    batch = time.perf_counter() - t
    late = {
        (f.rule, f.subject, f.trigger.id) for f in report.findings if f.rule in watched and f.status == "late"
    }
    overdue = {
        (f.rule, f.subject, f.trigger.id)
        for f in report.findings
        if f.rule in watched and f.status == "overdue"
    }

    alerts: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        groups = split_by_body(log_file, args.groups, Path(tmp))
        for group in groups:
            subprocess.run(
                [sys.executable, __file__, "--replay-group", str(group), str(group.with_suffix(".alerts"))],
                check=True,
                cwd=ROOT,
            )
        durable = sum(float(g.with_suffix(".seconds").read_text(encoding="utf-8")) for g in groups)
        for group in groups:
            alerts += [
                json.loads(x) for x in group.with_suffix(".alerts").read_text(encoding="utf-8").splitlines()
            ]
    live_late = {(a["rule"], a["subject"], a["trigger"]) for a in alerts if a["alert"] == "fulfilled_late"}
    passed = {(a["rule"], a["subject"], a["trigger"]) for a in alerts if a["alert"] == "passed"}
    same = live_late == late and passed - live_late == overdue
    events = report.events_evaluated

    print(
        f"# durable-rules bench  {time.strftime('%Y-%m-%d %H:%M')}  {report.events_read:,} events, "
        f"{len(watched)} deadline rules, {args.groups} body groups for durable-rules"
    )
    print("| engine | wall s | events/s | × baseline | late | overdue | same verdicts |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(
        f"| baseline: durable-rules (live back end, replay) | {durable:.1f} | {events / durable:,.0f} | 1× | "
        f"{len(live_late):,} | {len(passed - live_late):,} | reference |"
    )
    print(
        f"| shixian audit, columnar, one process | {batch:.1f} | {events / batch:,.0f} | {durable / batch:.1f}× | "
        f"{len(late):,} | {len(overdue):,} | {'yes' if same else 'NO'} |"
    )


if __name__ == "__main__":
    main()
