"""Live monitor benchmark: events per second through the durable-rules back end, and alert latency.

Throughput: the four example logs, repeated with renamed subjects, fed in time order through
LiveMonitor (simulated clock, a tick before each event, as `shixian watch` does per line), against a
baseline measured in the same run: the batch evaluator over the same events. Latency: incidents whose
5-hour deadline passes a moment from now, with the real clock and a 50 ms ticker; the delay from each
deadline to its "passed" alert.
Run: make bench-live   (or .venv/bin/python bench/live_bench.py [--copies 10])
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from engine.calendar import SHANGHAI
from engine.engine import Engine
from engine.events import read_events
from engine.live import LiveMonitor, RealClock, SimulatedClock
from engine.model.events import Event
from engine.state import AuditStore

ROOT = Path(__file__).resolve().parent.parent


def copies(engine: Engine, n: int) -> list[Event]:
    log = read_events(sorted((ROOT / "examples").glob("*-20*/events.jsonl")), engine.ruleset.event_types)
    out = []
    for k in range(n):
        for e in log.events:
            attrs = dict(e.attrs)
            if "policy" in attrs:
                attrs["policy"] = f"{k}-{attrs['policy']}"
            out.append(
                Event(
                    f"{k}-{e.id}",
                    e.type,
                    f"{k}-{e.subject}",
                    e.time,
                    e.body,
                    e.department,
                    attrs,
                    e.date_only,
                    e.origin,
                )
            )
    return sorted(out, key=lambda e: e.time)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--incidents", type=int, default=50)
    args = parser.parse_args()
    engine = Engine.load()
    events = copies(engine, args.copies)
    as_of = dt.datetime(2024, 12, 31, 23, 59, tzinfo=SHANGHAI)

    t = time.perf_counter()
    engine.evaluate(events, as_of)
    batch = time.perf_counter() - t

    with tempfile.TemporaryDirectory() as tmp:
        alerts: list[dict] = []
        clock = SimulatedClock(events[0].time)
        monitor = LiveMonitor(engine, AuditStore(Path(tmp) / "live.sqlite"), clock, alerts.append)
        t = time.perf_counter()
        monitor.replay(events, as_of)
        live = time.perf_counter() - t

        received: dict[str, float] = {}
        real = RealClock()
        monitor = LiveMonitor(
            engine,
            AuditStore(Path(tmp) / "latency.sqlite"),
            real,
            lambda a: received.setdefault(a["subject"], time.time()) if a["alert"] == "passed" else None,
        )
        now = dt.datetime.now(SHANGHAI)
        due = {}
        for i in range(args.incidents):
            happened = now - dt.timedelta(hours=5) + dt.timedelta(seconds=0.5 + i * 0.02)
            monitor.accept(
                {
                    "id": f"i{i}",
                    "type": "incident.occurred",
                    "subject": f"I{i}",
                    "body": "局",
                    "level": "重大",
                    "time": happened.isoformat(),
                }
            )
            due[f"I{i}"] = (happened + dt.timedelta(hours=5)).timestamp()
        stop = time.time() + 0.5 + args.incidents * 0.02 + 1.0
        while time.time() < stop:
            monitor.tick()
            time.sleep(0.05)
        delays = sorted((received[s] - due[s]) * 1000 for s in due if s in received)

    print(
        f"# live bench  {time.strftime('%Y-%m-%d %H:%M')}  {len(events):,} events, "
        f"{len([a for a in alerts])} alerts"
    )
    print("| measure | value | note |")
    print("|---|---:|---|")
    print(f"| baseline: batch evaluator, events/s | {len(events) / batch:,.0f} | same events, one pass |")
    print(
        f"| live monitor (durable-rules), events/s | {len(events) / live:,.0f} | tick + store + feed per event; "
        f"{batch / live:.2f}× the baseline's speed |"
    )
    print(
        f"| alert latency after a deadline passes, p50 / max | {statistics.median(delays):.0f} / {delays[-1]:.0f} ms "
        f"| {len(delays)} of {len(due)} incidents alerted; 50 ms ticker |"
    )


if __name__ == "__main__":
    main()
