"""Batch evaluator vs durable-rules on the same generated log: speed ratio and the same verdicts.

Baseline (measured in the same run): durable-rules as the engine, i.e. the live back end
(`LiveMonitor.replay`: each event in time order, a tick before it, stored, fed to the generated
durable-rules rulesets). Against it: the audit's columnar evaluator over the same file, end to end
(reading included). Compared verdicts: every deadline obligation the monitor alerts on, late
(`fulfilled_late`) or passed and never fulfilled (`passed`), keyed by rule, subject and trigger, against
the audit's `late` and `overdue` findings of the same rules (the monitor judges deadline rules only).
Run: make bench-durable   (or .venv/bin/python bench/durable_bench.py --events 1000000)
"""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engine.audit import Engine, run_audit
from engine.calendar import SHANGHAI
from engine.events import read_events
from engine.live import LiveMonitor, SimulatedClock
from engine.model.rules import DeadlineRule
from engine.state import AuditStore

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    log_file = DATA / f"events-{args.events}.jsonl"
    if not log_file.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--events", str(args.events), "--out",
                        str(DATA)], check=True, cwd=ROOT)
    engine = Engine.load()
    as_of = dt.datetime(2025, 12, 31, 23, 59, tzinfo=SHANGHAI)
    watched = {r.id for r in engine.ruleset.rules if isinstance(r.rule, DeadlineRule) and not r.rule.optional}

    t = time.perf_counter()
    report, _ = run_audit(engine, [log_file], as_of, show_progress=False)
    batch = time.perf_counter() - t
    late = {(f.rule, f.subject, f.trigger.id) for f in report.findings if f.rule in watched and f.status == "late"}
    overdue = {(f.rule, f.subject, f.trigger.id) for f in report.findings
               if f.rule in watched and f.status == "overdue"}

    t = time.perf_counter()
    events = sorted(read_events([log_file], engine.ruleset.event_types).events, key=lambda e: e.time)
    alerts: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        monitor = LiveMonitor(engine, AuditStore(Path(tmp) / "live.sqlite"), SimulatedClock(events[0].time),
                              alerts.append)
        monitor.replay(events, as_of)
    durable = time.perf_counter() - t
    live_late = {(a["rule"], a["subject"], a["trigger"]) for a in alerts if a["alert"] == "fulfilled_late"}
    passed = {(a["rule"], a["subject"], a["trigger"]) for a in alerts if a["alert"] == "passed"}
    same = live_late == late and passed - live_late == overdue

    print(f"# durable-rules bench  {time.strftime('%Y-%m-%d %H:%M')}  {len(events):,} events, "
          f"{len(watched)} deadline rules")
    print("| engine | wall s | events/s | × baseline | late | overdue | same verdicts |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(f"| baseline: durable-rules (live back end, replay) | {durable:.1f} | {len(events) / durable:,.0f} | 1× | "
          f"{len(live_late):,} | {len(passed - live_late):,} | reference |")
    print(f"| shixian audit, columnar | {batch:.1f} | {len(events) / batch:,.0f} | {durable / batch:.1f}× | "
          f"{len(late):,} | {len(overdue):,} | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
