"""`shixian watch`: keep the deadline rules running on events as they arrive, and alert in real time."""

from __future__ import annotations

import argparse
import select
import sys
from pathlib import Path

from ..engine import Engine
from ..errors import ShixianError
from ..events.jsonl import BadRecord, decode_line, parse_json
from ..live import LiveMonitor, RealClock, SimulatedClock
from ..live.outbox import Outbox
from ..state import AuditStore
from ..timeparse import parse_instant
from . import options


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "watch",
        help="read events (JSON Lines) from stdin and emit alerts as deadlines "
        "approach and pass (durable-rules)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        required=True,
        metavar="FILE",
        help="audit database: events are stored here first, sent alerts are remembered",
    )
    options.add_rules(parser)
    options.add_calendar(parser)
    parser.add_argument(
        "--simulate-from",
        metavar="INSTANT",
        help='use a simulated clock starting here; a line {"clock": "2024-10-31T09:00"} moves it',
    )
    parser.add_argument(
        "--tick-seconds",
        type=float,
        default=30.0,
        help="with the real clock, check deadlines at least this often (default 30)",
    )
    parser.add_argument("--webhook", metavar="URL", help="also POST each alert as JSON to this URL")
    parser.add_argument(
        "--port", type=int, help="take events by HTTP (POST /v1/events) on this port instead of stdin"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="with --port: require 'Authorization: Bearer <token>' (or $SHIXIAN_TOKEN)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    engine = Engine.load(args.rules, args.calendar, args.calendar_dir)
    clock = SimulatedClock(parse_instant(args.simulate_from)[0]) if args.simulate_from else RealClock()
    store = AuditStore(args.db)

    def write(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    outbox = Outbox(store.db, write, args.webhook)  # at least once: engine/live/outbox.py
    monitor = LiveMonitor(engine, store, clock, outbox=outbox)
    outbox.flush(everything=True)  # what the last process decided but did not deliver
    replayed = monitor.rebuild(
        lambda exc: print(f"shixian watch: 跳过无法读取的已存事件 (skipped): {exc}", file=sys.stderr)
    )
    monitor.tick()
    outbox.flush()
    if args.port:
        if args.simulate_from:
            raise ShixianError("--port runs on the real clock; --simulate-from is for replays on stdin")
        import uvicorn

        from ..live.service import create_watch_app
        from .serve_cmd import token_from

        print(
            f"shixian watch: {replayed} stored events replayed; POST /v1/events on port {args.port}",
            file=sys.stderr,
        )
        try:
            uvicorn.run(
                create_watch_app(monitor, args.tick_seconds, token_from(args), outbox),
                host=args.host,
                port=args.port,
                log_level="warning",
                access_log=False,
            )
        finally:
            store.close()
        return 0
    print(f"shixian watch: {replayed} stored events replayed; reading events from stdin", file=sys.stderr)
    number = 0
    try:
        while True:
            if not args.simulate_from:
                ready, _, _ = select.select([sys.stdin], [], [], args.tick_seconds)
                if not ready:
                    monitor.tick()
                    outbox.flush()
                    continue
            raw = sys.stdin.buffer.readline()
            if not raw:
                break
            number += 1
            if not raw.strip():
                continue
            record = decode_line(raw)  # each line on its own, as the event readers read them
            if not isinstance(record, BadRecord):
                record = parse_json(record)  # nesting and number length bounded
            if isinstance(record, BadRecord):
                print(f"shixian watch: rejected stdin:{number}: {record}", file=sys.stderr)
                continue
            if isinstance(record, dict) and set(record) == {"clock"}:
                if not args.simulate_from:
                    print(f"shixian watch: stdin:{number}: clock lines need --simulate-from", file=sys.stderr)
                    continue
                try:
                    clock.set(parse_instant(str(record["clock"]))[0])
                except (ValueError, ShixianError) as exc:
                    print(f"shixian watch: stdin:{number}: {exc}", file=sys.stderr)
                    continue
            else:
                why = monitor.accept(record, f"stdin:{number}")
                if why:
                    print(f"shixian watch: rejected stdin:{number}: {why}", file=sys.stderr)
            monitor.tick()
            outbox.flush()
        left = outbox.pending()
        if left:  # kept in the database: the next start delivers them
            print(
                f"shixian watch: {left} 条提醒尚未送达 {args.webhook}，下次启动时再投递 (alerts not yet delivered: "
                f"retried on the next start)",
                file=sys.stderr,
            )
    finally:
        store.close()
    return 0
