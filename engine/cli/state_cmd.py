"""`shixian ingest | history | findings | waive`: the audit database between nightly runs (`shixian store`:
store_cmd.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .. import ledger
from ..errors import ShixianError
from ..events import write_rejects
from ..model.findings import STATUS_ZH
from ..ruleset.loader import load_rules
from ..state import AuditStore
from ..state.ingest import ingest_files
from ..timeparse import parse_instant
from . import contract, options


def register(sub: argparse._SubParsersAction) -> None:
    ingest = sub.add_parser("ingest", help="append events to the event store in the audit database")
    ingest.add_argument("--db", type=Path, required=True, metavar="FILE")
    ingest.add_argument("--events", nargs="+", type=Path, required=True, metavar="FILE")
    options.add_rules(ingest)
    options.add_ledger(ingest)
    ingest.add_argument("--rejects", type=Path, default=Path("rejects.jsonl"), metavar="FILE")
    ingest.add_argument(
        "--max-rejected",
        default="1%",
        metavar="SHARE",
        help="exit 2 when more than this share of the records is rejected (default 1%%)",
    )
    ingest.set_defaults(run=run_ingest)

    history = sub.add_parser("history", help="list the recorded audit runs")
    history.add_argument("--db", type=Path, required=True, metavar="FILE")
    history.add_argument("--format", choices=["table", "json"], default="table")
    history.set_defaults(run=run_history)

    findings = sub.add_parser("findings", help="query the current findings in the audit database")
    findings.add_argument("--db", type=Path, required=True, metavar="FILE")
    findings.add_argument(
        "--status",
        choices=["open", "new", "resolved", "all"],
        default="open",
        help="open: still present at the last run (default); new: first seen then",
    )
    findings.add_argument("--body", help="only this body (机关)")
    findings.add_argument("--rule", help="only this rule id")
    findings.add_argument("--format", choices=["table", "json"], default="table")
    findings.set_defaults(run=run_findings)

    waive = sub.add_parser(
        "waive", help="accept a finding: it stays in reports, marked waived, and no longer fails runs"
    )
    waive.add_argument("fingerprint", help="the finding's fingerprint (see 'shixian findings')")
    waive.add_argument("--db", type=Path, required=True, metavar="FILE")
    waive.add_argument("--by", required=True, help="who accepts it")
    waive.add_argument("--reason", required=True, help="why")
    waive.add_argument("--until", help="last day the waiver holds (YYYY-MM-DD); default: no end")
    waive.set_defaults(run=run_waive)


def _store(path: Path) -> AuditStore:
    if not path.exists():
        raise ShixianError(
            f"{path}: no such audit database (run 'shixian audit --db {path}' or 'shixian ingest' first)"
        )
    return AuditStore(path)


def run_ingest(args) -> int:
    tolerated = contract.max_rejected(args.max_rejected)
    ruleset = load_rules(args.rules or [])
    ledgers = options.attach_ledgers(args, ruleset)
    store = AuditStore(args.db)
    try:
        result = ingest_files(store, ruleset, args.events)
    finally:
        store.close()
    rejects = sorted(result.rejects, key=lambda r: (r.file, r.line))
    if rejects:
        write_rejects(rejects, args.rejects)
        for reject in rejects[:20]:
            print(f"shixian: rejected {reject.file}:{reject.line}: {reject.reason}", file=sys.stderr)
    for note in ledger.notes(ledgers):
        print(f"shixian: 注意 (note) {note}", file=sys.stderr)
    print(
        f"入库 {result.added} 条，已存在 {result.duplicates} 条，拒收 {len(rejects)} 条"
        + (f"（见 {args.rejects}）" if rejects else "")
        + f" ({result.added} events stored, {result.duplicates} already there, {len(rejects)} rejected)"
    )
    why = contract.too_many_rejected(result.read, len(rejects), tolerated, args.rejects if rejects else None)
    if why:
        print(f"shixian: error: {why}", file=sys.stderr)
        return contract.BAD_INPUT
    return contract.CLEAN


def run_history(args) -> int:
    store = _store(args.db)
    runs = store.runs()
    store.close()
    if args.format == "json":
        print(json.dumps(runs, ensure_ascii=False, indent=2))
        return 0
    print(
        f"{'run':>4}  {'started (UTC)':<25} {'as of':<25} {'rules':<12} {'events':>7} {'rejected':>8} "
        f"{'new':>5} {'open':>5} {'resolved':>8}"
    )
    for r in runs:
        print(
            f"{r['id']:>4}  {r['started_at']:<25} {r['as_of']:<25} {r['rules_revision']:<12} {r['events_read']:>7} "
            f"{r['events_rejected']:>8} {r['new']:>5} {r['open']:>5} {r['resolved']:>8}"
        )
    return 0


def run_findings(args) -> int:
    store = _store(args.db)
    items = store.findings(args.status, args.body, args.rule)
    store.close()
    if args.format == "json":
        print(json.dumps(items, ensure_ascii=False, indent=2))
        return 0
    for item in items:
        life = item["lifecycle"]
        print(
            f"{item['fingerprint']}  {life['state']:<8} {STATUS_ZH.get(item['status'], item['status'])}  "
            f"{item['deadline_text'] or '-':<17} {item['subject']}  {item['rule']}  "
            f"首次 {life['first_seen'][:10]}  {item['body']}/{item['department'] or '-'}"
        )
    print(f"{len(items)} findings")
    return 0


def run_waive(args) -> int:
    until = parse_instant(args.until)[0].date() if args.until else None
    store = _store(args.db)
    try:
        store.waive(args.fingerprint, args.by, args.reason, until)
    finally:
        store.close()
    print(f"waived {args.fingerprint} by {args.by}" + (f" until {until}" if until else ""))
    return 0
