"""`shixian store migrate`: a version-1 database (events as JSON in its SQLite table) to the event store.

Why through a file: the stored records are written out as JSON Lines (in stored order) and ingested like
any log, so the events land in columns exactly as a night's file would (one reader, one layout). A stored
time carries the +08:00 offset it was written with; for an event without a zone of its own that is the
same instant in Asia/Shanghai as the naive time, which is what a log line gives, so the offset is dropped.
Everything happens in the ingest's one transaction: the rows leave the table when the files arrive, or
neither happens.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from ..errors import ShixianError
from . import eventstore
from .ingest import ingest_within


@dataclass
class Migrated:
    moved: int
    version_before: int
    version: int


def migrate(store, ruleset) -> Migrated:
    before = store.schema_version
    if before >= eventstore.SCHEMA_VERSION:
        return Migrated(0, before, before)
    rows = store.db.execute("SELECT rowid, data FROM events ORDER BY rowid").fetchall()
    store.event_dir.mkdir(parents=True, exist_ok=True)
    export = store.event_dir / f"migrate-{secrets.token_hex(4)}.jsonl"
    store._migrating = True
    try:
        with open(export, "w", encoding="utf-8") as out:
            for _, data in rows:
                out.write(json.dumps(_as_logged(json.loads(data)), ensure_ascii=False) + "\n")
        with store.writing_files():
            store.db.execute("DELETE FROM event_ids WHERE file = 0")  # the table's events move to files
            result = ingest_within(store, ruleset, [export])
            if result.rejects or result.added != len(rows):
                why = (
                    f"第 {result.rejects[0].line} 个已存事件无法迁移：{result.rejects[0].reason}"
                    if result.rejects
                    else f"{len(rows)} 个已存事件只迁移了 {result.added} 个"
                )
                raise ShixianError(f"{store.path}: {why}；未作任何改动 (migration refused; nothing changed)")
            if rows:
                store.db.execute("DELETE FROM events WHERE rowid <= ?", (rows[-1][0],))
            store.db.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(eventstore.SCHEMA_VERSION),)
            )
    finally:
        store._migrating = False
        export.unlink(missing_ok=True)
    store.schema_version = eventstore.SCHEMA_VERSION
    return Migrated(result.added, before, store.schema_version)


def _as_logged(record: dict) -> dict:
    time = record.get("time")
    if not record.get("tz") and isinstance(time, str) and time.endswith("+08:00"):
        record["time"] = time[:-6]
    return record
