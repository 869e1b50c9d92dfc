"""`shixian audit`: evaluate event logs against rule packs as of a moment and report findings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import ledger
from ..audit import Distributed, run_audit
from ..engine import Engine
from ..errors import ShixianError
from ..gcpause import gc_paused
from ..model.findings import SEVERITIES
from ..report import FORMAT_NAMES, write
from ..state import AuditStore
from . import contract, options


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "audit",
        help="evaluate event logs and report violations and due-soon warnings",
        description="Exit codes: 0 nothing at or above --fail-on, 1 something was found, "
        "2 usage or input error, or more than --max-rejected of the input rejected, "
        "or no event evaluated; 3 unexpected failure (traceback in a crash log).",
    )
    parser.add_argument(
        "--events",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help="event logs: JSON Lines (.jsonl), CSV (.csv) or Parquet (.parquet), in any order; "
        "Excel ledgers (.xlsx) and CSV ledgers with --mapping",
    )
    options.add_ledger(parser)
    parser.add_argument(
        "--max-rejected",
        default="1%",
        metavar="SHARE",
        help="exit 2 when more than this share of the records is rejected (default 1%%; 0 for none)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="SQLite audit database: record this run and the finding lifecycle (new, open, "
        "resolved), and audit the events stored there by 'shixian ingest' too",
    )
    options.add_evaluation(parser)
    parser.add_argument(
        "--full",
        action="store_true",
        help="with --db: judge the whole stored history even when the previous run allows an incremental "
        "run (which re-judges only what can have changed since)",
    )
    parser.add_argument(
        "--format", choices=FORMAT_NAMES, default="table", help="report format (default table)"
    )
    parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write the report here instead of stdout"
    )
    parser.add_argument(
        "--fail-on",
        choices=[*SEVERITIES, "never"],
        default="error",
        help="exit 1 when a finding of this severity or above is found (default error)",
    )
    parser.add_argument(
        "--rejects",
        type=Path,
        default=Path("rejects.jsonl"),
        metavar="FILE",
        help="where malformed event lines are kept (default rejects.jsonl; written only if any)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: only on a terminal)",
    )
    parser.add_argument(
        "--sorted",
        action="store_true",
        help="no longer needed (kept so that existing scripts run): every audit reads the logs into "
        "columns, in any order; for logs larger than memory use --backend dask",
    )
    parser.add_argument(
        "--backend",
        choices=["local", "dask"],
        default="local",
        help="local: one process (default); dask: split the events by body and evaluate the "
        "parts on Dask workers (a local cluster unless --scheduler is given)",
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://10.0.0.5:8786")
    parser.add_argument(
        "--partitions",
        type=int,
        default=32,
        help="number of body partitions (dask; default 32: enough shards to keep every worker busy)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="workers of the local Dask cluster (default 2)"
    )
    parser.add_argument(
        "--shard-dir",
        type=Path,
        metavar="DIR",
        help="where the body partitions are written (dask; must be shared storage for a real "
        "cluster; default: a temporary directory)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    if not args.events and not args.db:
        raise ShixianError("give --events FILE..., or --db FILE to audit the events stored there")
    if args.format == "xlsx" and not args.output and sys.stdout.isatty():
        raise ShixianError("xlsx is binary: give -o FILE.xlsx")
    tolerated = contract.max_rejected(args.max_rejected)
    engine = Engine.load(args.rules, args.calendar, args.calendar_dir)
    ledgers = options.attach_ledgers(args, engine.ruleset)
    if ledgers and args.backend == "dask":
        raise ShixianError(
            "--mapping 的台账由本机读取，不能与 --backend dask 同用 (ledgers are read locally)"
        )
    distributed = None
    if args.backend == "dask":
        if args.partitions < 1 or args.workers < 1:
            raise ShixianError("--partitions and --workers must be at least 1")
        distributed = Distributed(
            args.rules,
            args.calendar,
            args.calendar_dir,
            args.partitions,
            args.scheduler,
            args.workers,
            args.shard_dir,
        )
    store = AuditStore(args.db) if args.db else None
    try:
        report, log = run_audit(
            engine,
            args.events,
            options.as_of(args),
            options.warn_within(args),
            args.rejects,
            store,
            args.progress,
            distributed,
            args.full,
        )
    finally:
        if store:
            store.close()
    if args.sorted:
        print(
            "shixian: 注意 (note) --sorted 已不再需要，日志按任意顺序读入列式数据；超出内存的日志请用 --backend dask "
            "(--sorted is no longer needed: logs are read into columns in any order)",
            file=sys.stderr,
        )
    for note in ledger.notes(ledgers):
        print(f"shixian: 注意 (note) {note}", file=sys.stderr)
    for reject in log.rejects[:20]:
        print(f"shixian: rejected {reject.file}:{reject.line}: {reject.reason}", file=sys.stderr)
    if len(log.rejects) > 20:
        print(
            f"shixian: ... and {len(log.rejects) - 20} more rejected lines in {args.rejects}", file=sys.stderr
        )
    with gc_paused():  # a report of many findings is many short-lived dicts (engine/gcpause.py)
        if args.output:
            with open(args.output, "wb") as stream:
                write(report, args.format, stream)
        else:
            write(report, args.format, sys.stdout.buffer)
            sys.stdout.flush()
    why = contract.judged_too_little(report, tolerated)
    if why:
        print(f"shixian: error: {why}", file=sys.stderr)
        return contract.BAD_INPUT
    return contract.FOUND if report.failing(args.fail_on) else contract.CLEAN
