"""The workbench's search index and each finding's history across runs (engine/state/tracking.py), kept by
triggers on the findings table: checked against the findings themselves, on real SQLite files written by
real runs (`shixian audit --db`) and by hand, as the benchmark writes them.

Dates of the history test: 20 working days from Fri 2024-09-27 end Wed 2024-10-30 (2024 国庆节,
国办发明电〔2023〕7号: 09-29 and 10-12 are make-up working days), as in tests/test_nightly.py.
"""

import json
import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from test_nightly import audit, write
from webserver import TOKENS, Client, start

from engine.state import AuditStore
from engine.web import queries

ALPHABET = "江苏省上海市司法局法制办公室-0123abAB%_\\*?["  # LIKE's and GLOB's wildcards are plain text
FIELDS = ("subject", "body", "department", "rule", "title")


def add(db, fingerprint: str, texts: dict, verb: str = "INSERT") -> None:
    data = {
        "fingerprint": fingerprint,
        "subject": texts["subject"],
        "title": texts["title"],
        "deadline_text": "2024-10-08 24:00",
        "trigger": None,
        "period": None,
    }
    db.execute(
        f"{verb} INTO findings (fingerprint, rule, subject, body, department, severity, status, state, "
        "first_seen_run, first_seen, last_seen_run, last_seen, data) "
        "VALUES (?, ?, ?, ?, ?, 'error', 'late', 'active', 1, '2024-12-31', 1, '2024-12-31', ?)",
        (
            fingerprint,
            texts["rule"],
            texts["subject"],
            texts["body"],
            texts["department"],
            json.dumps(data, ensure_ascii=False),
        ),
    )


def contains(texts: dict, q: str) -> bool:
    return any(q.lower() in texts[field].lower() for field in FIELDS)


text = st.text(alphabet=ALPHABET, min_size=0, max_size=8)
row = st.fixed_dictionaries({field: text for field in FIELDS})


@settings(max_examples=15, deadline=None, database=None)
@given(rows=st.lists(row, min_size=1, max_size=25), seed=st.integers(0, 10_000))
def test_search_finds_exactly_the_findings_containing_the_text(tmp_path_factory, rows, seed):
    """Every query (1, 2, 3+ characters, Chinese, digits, ASCII in either case) finds exactly the findings
    whose subject, body, department, rule or title contains it, after inserts, replacements and deletes."""
    rng = random.Random(seed)
    store = AuditStore(tmp_path_factory.mktemp("search") / "audit.sqlite")
    db = store.db
    db.execute(
        "INSERT INTO runs (id, started_at, as_of, rules_revision, calendar, coverage, inputs, run_key, "
        "events_read, events_evaluated, events_rejected, counts, new, open, resolved) VALUES "
        "(1, '2025-01-01', '2024-12-31T23:59:59+08:00', 'r', 'national', 'c', '{}', 'k', 0, 0, 0, '{}', 0, 0, 0)"
    )
    kept = {}
    for i, texts in enumerate(rows):
        fingerprint = (
            f"{rng.randrange(len(rows)):016x}"  # repeats: INSERT OR REPLACE, as a reappearing finding
        )
        add(db, fingerprint, texts, "INSERT OR REPLACE")
        kept[fingerprint] = texts
        if i % 7 == 6:  # a department changed by a later run
            texts = {**texts, "department": texts["department"] + "处"}
            db.execute(
                "UPDATE findings SET department = ? WHERE fingerprint = ?", (texts["department"], fingerprint)
            )
            kept[fingerprint] = texts
    gone = sorted(kept)[0]
    db.execute("DELETE FROM findings WHERE fingerprint = ?", (gone,))
    del kept[gone]
    assert db.execute("SELECT count(*) FROM finding_search").fetchone()[0] == len(kept)
    # the counts the overview and the filter menus read: the same as counting every finding
    if kept:  # one resolved, as a run resolves it
        db.execute(
            "UPDATE findings SET status = 'overdue', state = 'resolved', resolved_run = 1, "
            "resolved = '2024-12-31' WHERE fingerprint = ?",
            (sorted(kept)[-1],),
        )
    key = "body, department, rule, status, severity, state"
    assert sorted(db.execute(f"SELECT {key}, due_month, n FROM finding_counts WHERE n != 0")) == sorted(
        db.execute(
            f"SELECT {key}, coalesce(substr(due_day, 1, 7), ''), count(*) FROM findings "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
    )
    queries_tried = {
        t[a:b]
        for texts in rows
        for t in texts.values()
        for a in range(len(t))
        for b in range(a + 1, len(t) + 1)
    } | {"江苏省", "Ab", "x", "1-", "局\n"}
    for q in rng.sample(sorted(queries_tried), min(25, len(queries_tried))):
        expected = sorted(fp for fp, texts in kept.items() if contains(texts, q))
        # every way find() reads the index: few matches by id; many as a set, or row by row for a first page
        for sparse in (queries.SPARSE, 0):
            saved, queries.SPARSE = queries.SPARSE, sparse
            try:
                page = queries.find(db, queries.Filters(q=q), "2024-12-31", limit=None)
                first = queries.find(db, queries.Filters(q=q), "2024-12-31", limit=10)
            finally:
                queries.SPARSE = saved
            assert sorted(r["fingerprint"] for r in page.rows) == expected, q
            assert page.total == first.total == len(expected), q
            assert [r["fingerprint"] for r in first.rows] == [r["fingerprint"] for r in page.rows][:10], q
        # with another filter: the filter narrows first, then the search (short_search), or the index
        body = rng.choice(sorted({t["body"] for t in kept.values()}) or [""])
        within = sorted(fp for fp in expected if kept[fp]["body"] == body)
        for sparse in (queries.SPARSE, 0):
            saved, queries.SPARSE = queries.SPARSE, sparse
            try:
                page = queries.find(db, queries.Filters(q=q, body=body), "2024-12-31", limit=None)
            finally:
                queries.SPARSE = saved
            assert sorted(r["fingerprint"] for r in page.rows) == (within if body else expected), q
            assert page.total == len(within if body else expected), q
    store.close()


def test_an_older_database_gains_the_index_and_history_on_open(tmp_path):
    """A database written before the index: opening it fills both from the findings it holds."""
    path = tmp_path / "old.sqlite"
    store = AuditStore(path)
    add(
        store.db,
        "00000000000000aa",
        {
            "subject": "SH-2024-001",
            "body": "上海市司法局",
            "department": "办公室",
            "rule": "ogi.request-reply",
            "title": "依申请公开答复",
        },
    )
    store.db.executescript(
        "DROP TABLE finding_search; DROP TABLE finding_search_terms; DROP TABLE finding_history;"
    )
    store.close()
    store = AuditStore(path)
    page = queries.find(store.db, queries.Filters(q="申请公开"), "2024-12-31")
    assert [r["fingerprint"] for r in page.rows] == ["00000000000000aa"]
    assert store.db.execute("SELECT run_id, change, recorded FROM finding_history").fetchall() == [
        (1, "new", 0)
    ]
    store.close()


def test_history_across_runs_on_the_detail_page(tmp_path):
    """Five nights: R1 due soon (10-29), overdue (10-31, 11-01), replied late on 11-01 (read on 11-04), so
    the open finding is resolved on 11-04 and absent on 11-05, and the late one is new on 11-04. The page shows each run's lifecycle and status, as the
    database recorded them."""
    db = tmp_path / "audit.sqlite"
    day1 = write(
        tmp_path / "day1.jsonl",
        {"id": "a1", "type": "request.received", "subject": "R1", "time": "2024-09-27T16:00"},
    )
    audit(db, "2024-10-29", day1)
    audit(db, "2024-10-31", day1)
    audit(db, "2024-11-01", day1)
    day2 = write(
        tmp_path / "day2.jsonl",
        {"id": "b1", "type": "request.replied", "subject": "R1", "time": "2024-11-01T10:00"},
    )
    audit(db, "2024-11-04", day1, day2)
    audit(db, "2024-11-05", day1, day2)
    store = AuditStore(db)
    rows = store.db.execute(
        "SELECT fingerprint, status, state FROM findings ORDER BY first_seen_run"
    ).fetchall()
    store.close()
    port, proc = start(db, tmp_path)
    try:
        client = Client(port)
        assert client.login(TOKENS["reader"]) == 303
        pages = {fp: client.get(f"/findings/{fp}")[2].decode() for fp, _, _ in rows}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    shown = {
        fp: re.findall(r'data-from="(\d+)" data-to="(\d+)" data-state="(\w+)" data-status="(\w*)"', page)
        for fp, page in pages.items()
    }
    by_status = {status: shown[fp] for fp, status, _ in rows}
    # the open obligation keeps one fingerprint while its status moves on (engine/model/findings.py)
    assert by_status["overdue"] == [
        ("1", "1", "new", "due_soon"),
        ("2", "3", "open", "overdue"),
        ("4", "4", "resolved", "overdue"),
        ("5", "5", "absent", ""),
    ]
    assert by_status["late"] == [("4", "4", "new", "late"), ("5", "5", "open", "late")]
    late = next(fp for fp, status, _ in rows if status == "late")
    page = pages[late]
    assert "第 4 次" in page and "2024-11-04" in page and "新增" in page
    # how late, in the officer's words: 11-01 is the 2nd working day after the last day 10-30
    store = AuditStore(db)
    overdue_by = json.loads(
        store.db.execute("SELECT data FROM findings WHERE fingerprint = ?", (late,)).fetchone()[0]
    )["overdue_by"]
    store.close()
    assert overdue_by == "2wd" and "逾期 2个工作日" in page
