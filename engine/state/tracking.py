"""What the workbench reads beside the findings, kept by triggers on the findings table.

Triggers, not code in the run's writer, so that whoever writes findings (a full run, an incremental
one, a test building a database by hand) keeps both up to date in the same transaction, and a killed
run rolls them back with everything else.

- finding_search: a trigram full-text index (SQLite FTS5) over each finding's subject, body,
  department, rule and obligation title, one field a line, for partial search in any language:
  a 3-character query is a phrase of trigrams, a 2-character one the trigrams that begin with it
  (every field ends with a line break, and the text with two, so that every character begins a
  trigram and a 2-character query matches wherever it occurs); see
  engine/web/queries.py. A list page then reads the matches from the index instead of every subject.
- finding_history: one row each time a finding appears (new), changes status while open, or is
  resolved, with the run that saw it: the finding's history across runs (each run's status follows
  from the latest row at or before it).
- finding_counts: how many findings there are per body, department, rule, status, severity, state and
  month of the deadline, so that the overview's figures and the filter menus are a read of a few
  hundred rows, written in the run's transaction, instead of a scan of every finding at the first page.
  (A REPLACE counts its deletion only with recursive triggers on, which every AuditStore connection sets.)
"""

from __future__ import annotations

import sqlite3


def _text(row: str) -> str:
    return (
        f"{row}.subject || char(10) || {row}.body || char(10) || {row}.department || char(10) || "
        f"{row}.rule || char(10) || coalesce(json_extract({row}.data, '$.title'), '') || char(10) || char(10)"
    )


SEARCH = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS finding_search USING fts5(text, tokenize='trigram', columnsize=0);
CREATE VIRTUAL TABLE IF NOT EXISTS finding_search_terms USING fts5vocab(finding_search, 'row');
CREATE TRIGGER IF NOT EXISTS finding_search_insert AFTER INSERT ON findings BEGIN
    INSERT OR REPLACE INTO finding_search (rowid, text) VALUES (new.rowid, {_text("new")});
END;
CREATE TRIGGER IF NOT EXISTS finding_search_update AFTER UPDATE OF subject, body, department, rule, data ON findings
WHEN {_text("old")} IS NOT {_text("new")} BEGIN
    INSERT OR REPLACE INTO finding_search (rowid, text) VALUES (new.rowid, {_text("new")});
END;
CREATE TRIGGER IF NOT EXISTS finding_search_delete AFTER DELETE ON findings BEGIN
    DELETE FROM finding_search WHERE rowid = old.rowid;
END;
"""

HISTORY = """
CREATE TABLE IF NOT EXISTS finding_history (
    fingerprint TEXT NOT NULL,
    run_id INTEGER NOT NULL,       -- the run that saw the change
    change TEXT NOT NULL,          -- new | status (a new status while open) | resolved
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    deadline_text TEXT,
    recorded INTEGER NOT NULL DEFAULT 1  -- 0: rebuilt from first/last/resolved for a database older than this table
);
CREATE INDEX IF NOT EXISTS finding_history_fingerprint ON finding_history (fingerprint, run_id);
CREATE TRIGGER IF NOT EXISTS finding_history_insert AFTER INSERT ON findings BEGIN
    INSERT INTO finding_history (fingerprint, run_id, change, status, severity, deadline_text)
    VALUES (new.fingerprint, new.first_seen_run, 'new', new.status, new.severity,
            json_extract(new.data, '$.deadline_text'));
END;
CREATE TRIGGER IF NOT EXISTS finding_history_update AFTER UPDATE OF status, state ON findings
WHEN old.status IS NOT new.status OR old.state IS NOT new.state BEGIN
    INSERT INTO finding_history (fingerprint, run_id, change, status, severity, deadline_text)
    VALUES (new.fingerprint, CASE new.state WHEN 'resolved' THEN coalesce(new.resolved_run, new.last_seen_run)
                                 ELSE new.last_seen_run END,
            CASE new.state WHEN 'resolved' THEN 'resolved' ELSE 'status' END, new.status, new.severity,
            json_extract(new.data, '$.deadline_text'));
END;
"""


_KEY = ("body", "department", "rule", "status", "severity", "state")


def _key(row: str) -> str:
    return ", ".join(f"{row}.{c}" for c in _KEY) + f", coalesce(substr({row}.due_day, 1, 7), '')"


def _count(row: str, step: str) -> str:
    return (
        f"INSERT INTO finding_counts VALUES ({_key(row)}, {step}) "
        f"ON CONFLICT DO UPDATE SET n = n + excluded.n;"
    )


COUNTS = f"""
CREATE TABLE IF NOT EXISTS finding_counts (
    body TEXT NOT NULL, department TEXT NOT NULL, rule TEXT NOT NULL, status TEXT NOT NULL,
    severity TEXT NOT NULL, state TEXT NOT NULL,
    due_month TEXT NOT NULL,       -- YYYY-MM of the deadline's last day, '' without a deadline
    n INTEGER NOT NULL,
    PRIMARY KEY (body, department, rule, status, severity, state, due_month)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS finding_counts_insert AFTER INSERT ON findings BEGIN
    {_count("new", "1")}
END;
CREATE TRIGGER IF NOT EXISTS finding_counts_delete AFTER DELETE ON findings BEGIN
    {_count("old", "-1")}
END;
CREATE TRIGGER IF NOT EXISTS finding_counts_update AFTER UPDATE OF {", ".join(_KEY)}, data ON findings
WHEN ({_key("old")}) IS NOT ({_key("new")}) BEGIN
    {_count("old", "-1")}
    {_count("new", "1")}
END;
"""


def _exists(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def install(db: sqlite3.Connection) -> None:
    """Create the index, the history, the counts and their triggers; a database written before them gains them on
    open, filled from the findings it holds (once)."""
    # INSERT OR REPLACE of a finding that reappears deletes its old row: with recursive triggers on, that
    # deletion fires finding_search_delete, so the index keeps exactly one line per finding
    db.execute("PRAGMA recursive_triggers = ON")
    search_new, history_new = not _exists(db, "finding_search"), not _exists(db, "finding_history")
    counts_new = not _exists(db, "finding_counts")
    if not (search_new or history_new or counts_new):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if search_new:
            _script(db, SEARCH)
            db.execute(
                f"INSERT INTO finding_search (rowid, text) SELECT rowid, {_text('findings')} FROM findings"
            )
        if history_new:
            _script(db, HISTORY)
            db.execute(
                "INSERT INTO finding_history SELECT fingerprint, first_seen_run, 'new', status, severity, "
                "json_extract(data, '$.deadline_text'), 0 FROM findings"
            )
            db.execute(
                "INSERT INTO finding_history SELECT fingerprint, resolved_run, 'resolved', status, severity, "
                "json_extract(data, '$.deadline_text'), 0 FROM findings WHERE state = 'resolved'"
            )
        if counts_new:
            _script(db, COUNTS)
            db.execute(
                f"INSERT INTO finding_counts SELECT {_key('findings')}, count(*) FROM findings "
                "GROUP BY 1, 2, 3, 4, 5, 6, 7"
            )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _script(db: sqlite3.Connection, script: str) -> None:
    """executescript would commit the open transaction: run the statements one by one inside it."""
    statement = ""
    for line in script.strip().splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
