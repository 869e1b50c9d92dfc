"""The embedded audit database (SQLite, one file).

Why one transaction per run: a nightly job killed at any point must leave the database exactly as it
was, so every write of a run (the run row, the lifecycle of each finding) happens between one BEGIN
and one COMMIT; SQLite's journal rolls an interrupted transaction back on the next open.

Lifecycle: a finding (by fingerprint: rule, subject, trigger or period) is *new* the first run it
appears, *open* while it persists, *resolved* on the first run it is gone. A later reappearance makes
it new again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ShixianError
from ..model.events import Event
from ..model.findings import Finding
from ..tally import ObligationCounts
from . import incremental, tracking
from .eventstore import prepare, store_dir
from .ingest import pause_before_commit
from .lifecycle import Lifecycle
from .stored_events import StoredEvents

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    as_of TEXT NOT NULL,
    rules_revision TEXT NOT NULL,
    calendar TEXT NOT NULL,
    coverage TEXT NOT NULL,
    inputs TEXT NOT NULL,          -- JSON: {file: sha256}, and the event-store digest
    run_key TEXT NOT NULL,         -- digest of as_of, rules, calendar and inputs: the same night twice
    events_read INTEGER NOT NULL,
    events_evaluated INTEGER NOT NULL,
    events_rejected INTEGER NOT NULL,
    counts TEXT NOT NULL,          -- JSON: findings by status
    new INTEGER NOT NULL,
    open INTEGER NOT NULL,
    resolved INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
    fingerprint TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    department TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'resolved')),
    first_seen_run INTEGER NOT NULL,
    first_seen TEXT NOT NULL,      -- as-of of that run
    last_seen_run INTEGER NOT NULL,
    last_seen TEXT NOT NULL,
    resolved_run INTEGER,
    resolved TEXT,
    data TEXT NOT NULL             -- the finding's JSON (docs/findings.md)
);
CREATE INDEX IF NOT EXISTS findings_state ON findings (state, body);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    subject TEXT NOT NULL,
    time TEXT NOT NULL,
    body TEXT NOT NULL,
    data TEXT NOT NULL,            -- the event as read (JSON)
    source TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_subject ON events (subject);
CREATE TABLE IF NOT EXISTS alerts (
    key TEXT PRIMARY KEY,          -- kind|rule|subject|trigger|due: an alert is sent once
    payload TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS waivers (
    fingerprint TEXT PRIMARY KEY,
    by TEXT NOT NULL,
    reason TEXT NOT NULL,
    until TEXT,                    -- date, inclusive; NULL: no end
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,              -- UTC, ISO 8601
    user TEXT NOT NULL,            -- who did it (the workbench's logged-in user, or the CLI's --by)
    action TEXT NOT NULL,          -- waive | revoke | task_done
    target TEXT NOT NULL,          -- a finding's fingerprint, or a task id
    detail TEXT NOT NULL           -- JSON: reason, until, date ...
);
CREATE INDEX IF NOT EXISTS actions_target ON actions (target, id);
CREATE TABLE IF NOT EXISTS rejects (
    run_id INTEGER NOT NULL,       -- the run that read (and refused) the line
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rejects_run ON rejects (run_id);
"""

# Every obligation a run judged, met on time or not (engine/tally.py, ObligationCounts), one row per body,
# department, rule and month of the deadline ('' for none): the on-time rates of the workbench and the
# reports without keeping or re-reading what went right. Written in the run's transaction; a database
# older than this table gains it on open, and its earlier runs simply have no rows (the workbench says so).
OBLIGATIONS = """
CREATE TABLE IF NOT EXISTS obligation_counts (
    run_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    department TEXT NOT NULL,
    rule TEXT NOT NULL,
    month TEXT NOT NULL,           -- YYYY-MM of the deadline's last day, '' when it has none
    on_time INTEGER NOT NULL,
    late INTEGER NOT NULL,
    overdue INTEGER NOT NULL,
    open INTEGER NOT NULL,
    undetermined INTEGER NOT NULL,
    PRIMARY KEY (run_id, body, department, rule, month)
) WITHOUT ROWID;
"""

# Columns and indexes the workbench lists, filters and sorts by (engine/web/queries.py). The deadline's
# last day (local, as deadline_text writes it: 2024-10-08 for "2024-10-08 24:00") and the event a finding
# is about are read from its JSON by generated columns, so a run writes nothing extra and older databases
# gain them on open. Each list order has one covering index (its sort keys, then every filtered column):
# a page, its count and its filters are answered from the index alone, without reading the findings'
# JSON, which is most of the table; only the 50 rows shown are read (bench/web_bench.py). A short search
# reads the searched columns from the same index, or, with no other filter, from findings_searched_columns (the
# searched columns alone: its count reads half as many pages); the obligation titles it also searches are
# few per rule (findings_rule_title, read a distinct pair at a time).
GENERATED = {
    "due_day": "substr(json_extract(data, '$.deadline_text'), 1, 10)",
    "event": "coalesce(json_extract(data, '$.trigger.id'), json_extract(data, '$.period'), '')",
    "severity_rank": "CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END",
    "title": "json_extract(data, '$.title')",
}
_FILTERED = "state, first_seen_run, body, department, rule, status, severity, subject"
LIST_ORDERS = {  # index name -> its leading sort keys
    "findings_list_due": "due_day, fingerprint",
    "findings_list_body": "body, department, due_day, fingerprint",
    "findings_list_severity": "severity_rank, due_day, fingerprint",
    "findings_list_status": "status, due_day, fingerprint",
    "findings_list_first_seen": "first_seen_run, due_day, fingerprint",
}
INDEXES = (
    "".join(
        f"CREATE INDEX IF NOT EXISTS {name} ON findings ({keys}, {_FILTERED});\n"
        for name, keys in LIST_ORDERS.items()
    )
    + """
CREATE INDEX IF NOT EXISTS findings_subject_event ON findings (subject, event);
CREATE INDEX IF NOT EXISTS findings_rule_title ON findings (rule, title);
CREATE INDEX IF NOT EXISTS findings_searched_columns ON findings (subject, body, department, rule);
"""
)


@dataclass
class RunRecord:
    """What a run wrote (or, for an identical rerun, what the earlier run wrote)."""

    run_id: int
    repeated: bool  # the same night with the same inputs: nothing was written
    lifecycle: dict[str, dict]  # fingerprint -> {state: new|open, first_seen, last_seen}
    resolved: list[dict]  # findings resolved by this run (their JSON plus lifecycle)
    waivers: dict[str, dict]  # fingerprint -> active waiver


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class AuditStore(StoredEvents, Lifecycle):
    """Runs, findings, waivers and actions here; the stored events through StoredEvents (stored_events.py), the
    findings' rows through Lifecycle (lifecycle.py)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.event_dir = store_dir(self.path)
        self._read_texts = {}  # id(finding) -> (it, its stored JSON), findings read back (lifecycle.py)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
            self.db.executescript(OBLIGATIONS)
            self.db.executescript(incremental.SCHEMA)
            if "kind" not in {row[1] for row in self.db.execute("PRAGMA table_info(runs)")}:
                self.db.execute("ALTER TABLE runs ADD COLUMN kind TEXT")  # full | incremental (NULL: before)
            self._add_generated_columns()
            tracking.install(self.db)  # search index and per-run history, kept by triggers
            self.schema_version = prepare(self.db, self.path)
        except sqlite3.DatabaseError as exc:
            raise ShixianError(f"{self.path}: not a shixian database ({exc})") from None

    def close(self) -> None:
        self.db.close()

    def _add_generated_columns(self) -> None:
        have = {row[1] for row in self.db.execute("PRAGMA table_xinfo(findings)")}
        for name, expression in GENERATED.items():
            if name not in have:
                self.db.execute(
                    f"ALTER TABLE findings ADD COLUMN {name} TEXT GENERATED ALWAYS AS ({expression}) VIRTUAL"
                )
        self.db.executescript(INDEXES)

    # -- runs and the finding lifecycle ---------------------------------------------------------------
    def record_run(
        self,
        *,
        as_of: dt.datetime,
        rules_revision: str,
        calendar: str,
        coverage: str,
        inputs: dict[str, str],
        findings: list[Finding],
        events_read: int,
        events_evaluated: int,
        events_rejected: int,
        counts: dict[str, int],
        rejects: Iterable = (),
        obligations: ObligationCounts | None = None,
        kind: str | None = None,
        judge_state: tuple[dict[str, str], set[str]] | None = None,
    ) -> RunRecord:
        """kind: full or incremental (engine/state/incremental.py); judge_state: what the next incremental
        run starts from (`judge_state` values without the run, and `judge_subjects`), written in this run's
        transaction; None forgets any (the next run is full)."""
        key_source = json.dumps(
            [as_of.isoformat(), rules_revision, calendar, coverage, inputs], sort_keys=True
        )
        run_key = hash_text(key_source)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            last = self.db.execute("SELECT id, run_key FROM runs ORDER BY id DESC LIMIT 1").fetchone()
            if last and last[1] == run_key:
                self.db.execute("ROLLBACK")
                return self._replay(last[0], as_of)
            if kind == incremental.INCREMENTAL and judge_state and judge_state[0]["based_on"] != str(last[0]):
                raise ShixianError(
                    f"{self.path}: 增量审计期间另一次运行 (#{last[0]}) 已写入，本次未写入，请重新运行 "
                    "(another run was recorded meanwhile; nothing written, run again)"
                )
            run_id = self.db.execute(
                "INSERT INTO runs (started_at, as_of, rules_revision, calendar, coverage, inputs, run_key, "
                "events_read, events_evaluated, events_rejected, counts, new, open, resolved) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0)",
                (
                    _now(),
                    as_of.isoformat(),
                    rules_revision,
                    calendar,
                    coverage,
                    json.dumps(inputs),
                    run_key,
                    events_read,
                    events_evaluated,
                    events_rejected,
                    json.dumps(counts),
                ),
            ).lastrowid
            self.db.executemany(
                "INSERT INTO rejects VALUES (?, ?, ?, ?, ?)",
                ((run_id, r.file, r.line, r.reason, r.raw) for r in rejects),
            )
            self.db.executemany(
                "INSERT INTO obligation_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((run_id, *row) for row in (obligations or ObligationCounts()).rows()),
            )
            stamp = as_of.isoformat()
            lifecycle, resolved = self._write_lifecycle(run_id, stamp, findings)
            self.db.execute("UPDATE runs SET kind = ? WHERE id = ?", (kind, run_id))
            self._write_judge_state(run_id, judge_state)
            new = sum(1 for v in lifecycle.values() if v["state"] == "new")
            self.db.execute(
                "UPDATE runs SET new = ?, open = ?, resolved = ? WHERE id = ?",
                (new, len(lifecycle) - new, resolved, run_id),
            )
            pause_before_commit()
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return RunRecord(
            run_id, False, lifecycle, self._resolved_by(run_id), self.active_waivers(as_of.date())
        )

    def _replay(self, run_id: int, as_of: dt.datetime) -> RunRecord:
        lifecycle = {}
        for fp, first_run, first, last in self.db.execute(
            "SELECT fingerprint, first_seen_run, first_seen, last_seen FROM findings WHERE last_seen_run = ?",
            (run_id,),
        ):
            lifecycle[fp] = {
                "state": "new" if first_run == run_id else "open",
                "first_seen": first,
                "last_seen": last,
            }
        return RunRecord(
            run_id, True, lifecycle, self._resolved_by(run_id), self.active_waivers(as_of.date())
        )

    def _resolved_by(self, run_id: int) -> list[dict]:
        out = []
        for data, first, last, resolved in self.db.execute(
            "SELECT data, first_seen, last_seen, resolved FROM findings WHERE resolved_run = ?", (run_id,)
        ):
            item = json.loads(data)
            item["lifecycle"] = {
                "state": "resolved",
                "first_seen": first,
                "last_seen": last,
                "resolved": resolved,
            }
            out.append(item)
        return out

    # -- queries ----------------------------------------------------------------------------------------
    def runs(self) -> list[dict]:
        cols = [
            "id",
            "started_at",
            "as_of",
            "rules_revision",
            "calendar",
            "events_read",
            "events_evaluated",
            "events_rejected",
            "new",
            "open",
            "resolved",
            "counts",
            "inputs",
            "kind",
        ]
        rows = self.db.execute(f"SELECT {', '.join(cols)} FROM runs ORDER BY id").fetchall()
        return [dict(zip(cols, row)) for row in rows]

    def findings(self, state: str = "open", body: str | None = None, rule: str | None = None) -> list[dict]:
        """Current findings: state open (active), new (first seen in the latest run), resolved, or all."""
        latest = self.db.execute("SELECT max(id) FROM runs").fetchone()[0]
        sql = "SELECT data, state, first_seen_run, first_seen, last_seen, resolved FROM findings WHERE 1=1"
        args: list = []
        if state in ("open", "new"):
            sql += " AND state = 'active'"
        elif state == "resolved":
            sql += " AND state = 'resolved'"
        if state == "new":
            sql += " AND first_seen_run = ?"
            args.append(latest)
        if body:
            sql += " AND body = ?"
            args.append(body)
        if rule:
            sql += " AND rule = ?"
            args.append(rule)
        out = []
        for data, row_state, first_run, first, last, resolved in self.db.execute(
            sql + " ORDER BY body, subject, rule", args
        ):
            item = json.loads(data)
            shown = "resolved" if row_state == "resolved" else ("new" if first_run == latest else "open")
            item["lifecycle"] = {"state": shown, "first_seen": first, "last_seen": last, "resolved": resolved}
            out.append(item)
        return out

    def obligations(self, run_id: int) -> ObligationCounts | None:
        """The obligations a run judged (ObligationCounts), or None for a run recorded without them (before
        the table existed, or a run that judged none)."""
        rows = self.db.execute(
            "SELECT body, department, rule, month, on_time, late, overdue, open, undetermined "
            "FROM obligation_counts WHERE run_id = ?",
            (run_id,),
        ).fetchall()
        return ObligationCounts.from_rows(rows) if rows else None

    def rejects(self, run_id: int) -> list[dict]:
        """The lines a run refused (file, line, reason, the line as read)."""
        cols = ("file", "line", "reason", "raw")
        return [
            dict(zip(cols, row))
            for row in self.db.execute(
                "SELECT file, line, reason, raw FROM rejects WHERE run_id = ? ORDER BY rowid", (run_id,)
            )
        ]

    # -- live alerts -------------------------------------------------------------------------------------
    def record_alert(self, key: str, payload: dict, at: dt.datetime) -> bool:
        """True if this alert was not sent before (and is now recorded as sent)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO alerts VALUES (?, ?, ?)",
            (key, json.dumps(payload, ensure_ascii=False), at.isoformat()),
        )
        return cursor.rowcount == 1

    # -- waivers ------------------------------------------------------------------------------------------
    def waive(
        self, fingerprint: str, by: str, reason: str, until: dt.date | None, actor: str | None = None
    ) -> None:
        """Accept a finding (by: whose decision; actor: who recorded it, if someone else), recorded in actions."""
        known = self.db.execute("SELECT 1 FROM findings WHERE fingerprint = ?", (fingerprint,)).fetchone()
        if not known:
            raise ShixianError(f"no finding with fingerprint {fingerprint} in {self.path}")
        until_text = until.isoformat() if until else None
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT OR REPLACE INTO waivers VALUES (?, ?, ?, ?, ?)",
                (fingerprint, by, reason, until_text, _now()),
            )
            self._record_action(
                actor or by, "waive", fingerprint, {"by": by, "reason": reason, "until": until_text}
            )

    def revoke_waiver(self, fingerprint: str, actor: str, reason: str) -> bool:
        """End a waiver now (the finding fails runs again); False if there was none."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            gone = self.db.execute("DELETE FROM waivers WHERE fingerprint = ?", (fingerprint,)).rowcount
            if gone:
                self._record_action(actor, "revoke", fingerprint, {"reason": reason})
        return bool(gone)

    def waiver(self, fingerprint: str) -> dict | None:
        row = self.db.execute(
            "SELECT by, reason, until, created_at FROM waivers WHERE fingerprint = ?", (fingerprint,)
        ).fetchone()
        return dict(zip(("by", "reason", "until", "created_at"), row)) if row else None

    # -- actions (who did what, when) ------------------------------------------------------------------
    def _record_action(self, user: str, action: str, target: str, detail: dict) -> None:
        self.db.execute(
            "INSERT INTO actions (at, user, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            (_now(), user, action, target, json.dumps(detail, ensure_ascii=False)),
        )

    def record_task_done(self, event: Event, user: str) -> bool:
        """Store a task's completing event and the action in one transaction; False if the event id exists."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            added = self._stored(event.id, "") is None and self.insert_event(event, f"workbench:{user}")
            if added:
                self._record_action(
                    user,
                    "task_done",
                    event.subject,
                    {"event": event.id, "date": event.time.date().isoformat(), "body": event.body},
                )
        return bool(added)

    def actions(self, target: str | None = None, limit: int = 200) -> list[dict]:
        cols = ("id", "at", "user", "action", "target", "detail")
        sql = f"SELECT {', '.join(cols)} FROM actions"
        args: tuple = ()
        if target is not None:
            sql, args = sql + " WHERE target = ?", (target,)
        rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [dict(zip(cols, row), detail=json.loads(row[5])) for row in rows]

    def active_waivers(self, on: dt.date) -> dict[str, dict]:
        out = {}
        for fp, by, reason, until, created in self.db.execute("SELECT * FROM waivers"):
            if until is None or until >= on.isoformat():
                out[fp] = {"by": by, "reason": reason, "until": until, "created_at": created}
        return out


def hash_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
