"""`shixian audit`: evaluate event logs against rule packs as of a moment and report findings."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..audit import Engine
from ..report import formats, render
from . import options


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("audit", help="evaluate event logs and report violations and due-soon warnings",
                            description="Exit codes: 0 nothing at or above --fail-on, 1 something was found, "
                                        "2 usage or input error.")
    parser.add_argument("--events", nargs="+", type=Path, required=True, metavar="FILE",
                        help="event logs: JSON Lines (.jsonl) or CSV (.csv), in any order")
    options.add_evaluation(parser)
    parser.add_argument("--format", choices=sorted(formats()), default="table", help="report format (default table)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report here instead of stdout")
    parser.add_argument("--fail-on", choices=["error", "warning", "info", "never"], default="error",
                        help="exit 1 when a finding of this severity or above is found (default error)")
    parser.add_argument("--rejects", type=Path, default=Path("rejects.jsonl"), metavar="FILE",
                        help="where malformed event lines are kept (default rejects.jsonl; written only if any)")
    parser.set_defaults(run=run)


def run(args) -> int:
    engine = Engine.load(args.rules, args.calendar, args.calendar_dir)
    report, log, _ = engine.audit_files(args.events, options.as_of(args), options.warn_within(args), args.rejects)
    for reject in log.rejects[:20]:
        print(f"shixian: rejected {reject.file}:{reject.line}: {reject.reason}", file=sys.stderr)
    if len(log.rejects) > 20:
        print(f"shixian: ... and {len(log.rejects) - 20} more rejected lines in {args.rejects}", file=sys.stderr)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            render(report, args.format, out)
    else:
        render(report, args.format, sys.stdout)
    return 1 if report.failing(args.fail_on) else 0
