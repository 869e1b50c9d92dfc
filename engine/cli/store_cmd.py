"""`shixian store info | migrate | compact`: the event store beside the audit database (engine/state/eventstore.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import ShixianError
from ..ruleset.loader import load_rules
from ..state import AuditStore
from ..state.compact import compact
from ..state.migrate import migrate
from . import options


def register(sub: argparse._SubParsersAction) -> None:
    store = sub.add_parser(
        "store", help="the event store: its schema version and files; migrate an older database"
    )
    commands = store.add_subparsers(dest="store_command", required=True, metavar="COMMAND")
    info = commands.add_parser("info", help="schema version, events, files and partitions of the event store")
    info.add_argument("--db", type=Path, required=True, metavar="FILE")
    info.add_argument("--format", choices=["table", "json"], default="table")
    info.set_defaults(run=run_info)
    move = commands.add_parser(
        "migrate",
        help="move the events of a database written before the event store "
        "(schema version 1) into it, in one transaction",
    )
    move.add_argument("--db", type=Path, required=True, metavar="FILE")
    options.add_rules(move)
    move.set_defaults(run=run_migrate)
    merge = commands.add_parser(
        "compact",
        help="merge each body partition's files (a few per ingest) into one, in one transaction",
    )
    merge.add_argument("--db", type=Path, required=True, metavar="FILE")
    merge.set_defaults(run=run_compact)


def _open(path: Path) -> AuditStore:
    if not path.is_file():
        raise ShixianError(f"{path}: 没有这个审计数据库 (no such audit database)")
    return AuditStore(path)


def run_info(args) -> int:
    store = _open(args.db)
    try:
        db = store.db
        files, stored = db.execute("SELECT count(*), coalesce(sum(rows), 0) FROM event_files").fetchone()
        facts = {
            "schema_version": store.schema_version,
            "event_dir": str(store.event_dir),
            "events_in_files": stored,
            "files": files,
            "events_in_table": db.execute("SELECT count(*) FROM events").fetchone()[0],
            "partitions": int(db.execute("SELECT value FROM meta WHERE key = 'partitions'").fetchone()[0]),
            "ingests": db.execute("SELECT count(*) FROM ingests").fetchone()[0],
        }
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps(facts, ensure_ascii=False, indent=2))
        return 0
    labels = {
        "schema_version": "结构版本 (schema version)",
        "event_dir": "事件文件目录 (event files)",
        "events_in_files": "文件中的事件 (events in files)",
        "files": "文件数 (files)",
        "events_in_table": "表中的事件 (events in the table)",
        "partitions": "分区 (partitions)",
        "ingests": "入库次数 (ingests)",
    }
    for key, label in labels.items():
        print(f"{label}: {facts[key]}")
    if facts["schema_version"] < 2:
        print(f"需要迁移：shixian store migrate --db {args.db} (migrate to the event store)")
    return 0


def run_migrate(args) -> int:
    ruleset = load_rules(args.rules or [])
    store = _open(args.db)
    try:
        done = migrate(store, ruleset)
    finally:
        store.close()
    if done.version_before == done.version:
        print(f"已是结构版本 {done.version}，无需迁移 (already at schema version {done.version})")
    else:
        print(
            f"已迁移 {done.moved} 个事件，结构版本 {done.version_before} → {done.version} "
            f"(moved {done.moved} events to the event store)"
        )
    return 0


def run_compact(args) -> int:
    store = _open(args.db)
    try:
        done = compact(store)
    finally:
        store.close()
    print(
        f"合并 {done.partitions} 个分区：{done.files_before} 个文件 → {done.files_after} 个，共 {done.rows} 个事件 "
        f"(compacted {done.partitions} partitions: {done.files_before} files into {done.files_after})"
    )
    return 0
