"""`shixian ledger check | schema`: see, row by row, what an office ledger becomes before auditing it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .. import ledger
from ..events.read import BadRecord
from ..ruleset.loader import load_rules
from . import contract, options


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "ledger",
        help="office ledgers (台账): check a ledger against its mapping, or print the mapping's JSON Schema",
    )
    inner = parser.add_subparsers(dest="ledger_command", required=True, metavar="COMMAND")
    check = inner.add_parser(
        "check",
        help="show the events each row makes and every cell that cannot be read",
        description="Exit codes: 0 every row read, 2 some cell unreadable or a bad mapping.",
    )
    check.add_argument("file", type=Path, help="the ledger: .xlsx, or .csv (UTF-8 or GBK)")
    check.add_argument(
        "--mapping",
        required=True,
        metavar="FILE",
        help="mapping file, or a bundled one by name: requests, policies, consultations, incidents",
    )
    check.add_argument("--format", choices=["table", "json"], default="table")
    options.add_rules(check)
    check.set_defaults(run=run_check)
    schema = inner.add_parser("schema", help="JSON Schema of ledger mapping files, for editors")
    schema.set_defaults(run=lambda args: print(json.dumps(ledger.schema(), ensure_ascii=False, indent=2)))


def run_check(args) -> int:
    from ..suggest import rule_values

    ruleset = load_rules(args.rules or [])
    mapping = ledger.load_mapping(args.mapping, ruleset.event_types)
    if not args.file.is_file():
        raise FileNotFoundError(2, "no such file", str(args.file))
    ledger.attach([args.file], mapping, rule_values(ruleset, "body"))
    rows: dict[int, dict] = {}
    for row, _, record in ledger.records(args.file):
        entry = rows.setdefault(row, {"row": row, "events": [], "error": None})
        if isinstance(record, BadRecord):
            entry["error"] = str(record)
        else:
            entry["events"].append(record)
    bound = ledger.binding(args.file)
    bad = sum(1 for r in rows.values() if r["error"])
    events = sum(len(r["events"]) for r in rows.values())
    if args.format == "json":
        print(
            json.dumps(
                {
                    "file": str(args.file),
                    "mapping": str(ledger.resolve(args.mapping)),
                    "encoding": bound.encoding,
                    "rows": list(rows.values()),
                    "notes": bound.notes,
                    "counts": {"rows": len(rows), "events": events, "unreadable_rows": bad},
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        labels = ruleset.event_types
        out = [
            f"{args.file}（{mapping.ledger}，映射 {ledger.resolve(args.mapping)}"
            + (f"，按 {bound.encoding.upper()} 编码读取" if bound.encoding else "")
            + "）"
        ]
        for entry in rows.values():
            if entry["error"]:
                out.append(f"第{entry['row']}行  不能读取 (unreadable): {entry['error']}")
                continue
            if not entry["events"]:
                out.append(f"第{entry['row']}行  无事件 (no dates filled in)")
            for k, e in enumerate(entry["events"]):
                head = f"第{entry['row']}行" if k == 0 else " " * len(f"第{entry['row']}行")
                out.append(
                    f"{head}  {e['subject']}  {e['time']}  {labels.get(e['type'], '')} {e['type']}"
                    f"  {e['body']} {e['department']}".rstrip()
                )
        for note in bound.notes:
            out.append(f"注意 (note): {note}")
        out.append(f"合计 (total): {len(rows)} 行, {events} 个事件, {bad} 行不能读取")
        print("\n".join(out))
    return contract.BAD_INPUT if bad else contract.CLEAN
