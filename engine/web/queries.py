"""The workbench's reads of the audit database: the filtered, sorted, paginated finding list and the
figures of the overview, in SQL over indexed columns (engine/state/store.py) so that a list page stays
fast with hundreds of thousands of findings (bench/web_bench.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..model.findings import event_key

PAGE_SIZE = 50
LIFECYCLES = ("new", "open", "resolved", "waived")
SORTS = {
    # each the order of one covering index (engine/state/store.py LIST_ORDERS), or its reverse
    "deadline": "due_day, fingerprint",
    "-deadline": "due_day DESC, fingerprint DESC",
    "body": "body, department, due_day, fingerprint",
    "severity": "severity_rank, due_day, fingerprint",
    "status": "status, due_day, fingerprint",
    "first_seen": "first_seen_run DESC, due_day DESC, fingerprint DESC",
}
SORT_ZH = {
    "deadline": "期限（早→晚）",
    "-deadline": "期限（晚→早）",
    "body": "机关、部门",
    "severity": "级别",
    "status": "状态",
    "first_seen": "最近发现",
}


@dataclass
class Filters:
    body: str = ""
    department: str = ""
    rule: str = ""
    status: str = ""
    severity: str = ""
    lifecycle: str = ""
    date_from: str = ""  # deadline on or after (YYYY-MM-DD)
    date_to: str = ""  # deadline on or before
    q: str = ""
    sort: str = "deadline"
    page: int = 1

    @classmethod
    def from_query(cls, params) -> Filters:
        values = {
            name: (params.get(name) or "").strip()[:100]
            for name in cls.__dataclass_fields__
            if name != "page"
        }
        try:
            page = max(1, min(int(params.get("page") or 1), 1_000_000))
        except ValueError:
            page = 1
        filters = cls(**values, page=page)
        if filters.sort not in SORTS:
            filters.sort = "deadline"
        if filters.lifecycle not in LIFECYCLES:
            filters.lifecycle = ""
        return filters

    def query(self, **changes) -> dict:
        """The filters as query parameters (for links to other pages, sorts and exports)."""
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data.update(changes)
        return {
            k: v
            for k, v in data.items()
            if v not in ("", None) and not (k == "page" and v == 1) and not (k == "sort" and v == "deadline")
        }


@dataclass
class Page:
    rows: list[dict]
    total: int
    filters: Filters
    groups: list[list[dict]] = field(default_factory=list)  # the rows, findings about one event together

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def latest_run(db) -> dict | None:
    row = db.execute(
        "SELECT id, as_of, started_at, rules_revision, calendar, coverage, inputs, events_read, "
        "events_evaluated, events_rejected, counts, new, open, resolved FROM runs "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    keys = (
        "id",
        "as_of",
        "started_at",
        "rules_revision",
        "calendar",
        "coverage",
        "inputs",
        "events_read",
        "events_evaluated",
        "events_rejected",
        "counts",
        "new",
        "open",
        "resolved",
    )
    return dict(zip(keys, row))


def _where(filters: Filters, latest: int | None, waiver_day: str) -> tuple[str, list]:
    """Every filter but the search (find adds it)."""
    sql, args = ["1=1"], []
    for column in ("body", "department", "rule", "status", "severity"):
        value = getattr(filters, column)
        if value:
            sql.append(f"{column} = ?")
            args.append(value)
    if filters.lifecycle == "new":
        sql.append("state = 'active' AND first_seen_run = ?")
        args.append(latest or 0)
    elif filters.lifecycle == "open":
        sql.append("state = 'active' AND first_seen_run < ?")
        args.append(latest or 0)
    elif filters.lifecycle == "resolved":
        sql.append("state = 'resolved'")
    elif filters.lifecycle == "waived":
        sql.append("fingerprint IN (SELECT fingerprint FROM waivers WHERE until IS NULL OR until >= ?)")
        args.append(waiver_day)
    if filters.date_from:  # on the deadline's last day
        sql.append("due_day >= ?")
        args.append(filters.date_from)
    if filters.date_to:
        sql.append("due_day <= ?")
        args.append(filters.date_to)
    return " AND ".join(sql), args


SPARSE = 5000  # a search matching at most this many findings reads them by id; more, through the list's index
MAX_TERMS = 300  # a short query that begins more trigrams than this is looked for in every text instead


def search_match(db, q: str) -> tuple[str, str] | None:
    """How to find the findings whose subject, body, department, rule or title contains q (partial, any
    language; ASCII case ignored) in the trigram index (engine/state/tracking.py): ("match", an FTS5
    query) or, for a one-character query that begins too many trigrams, ("instr", q) to look in every
    text; None when nothing can contain it."""
    text = q.lower()
    if "\n" in text:  # the index's field separator: no field holds one
        return None
    if len(text) >= 3:  # a phrase of the query's trigrams: exactly the texts that contain it
        return "match", '"' + text.replace('"', '""') + '"'
    terms = [
        t
        for (t,) in db.execute(
            f"SELECT term FROM finding_search_terms WHERE term >= ? AND term < ? LIMIT {MAX_TERMS + 1}",
            (text, text + "\U0010ffff"),
        )
    ]
    if not terms:
        return None
    if len(terms) > MAX_TERMS:
        return "instr", text
    return "match", " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _fold(text: str) -> str:
    """ASCII letters in lower case, the rest as it is (what SQLite's LIKE and lower() ignore)."""
    return "".join(c.lower() if c.isascii() else c for c in text)


def rule_titles(db) -> dict[str, list]:
    """Every rule's distinct obligation titles among the findings (the versions of a rule may be titled
    apart; None for a finding without one), from the (rule, title) index a distinct pair at a time."""
    out: dict[str, list] = {}
    for (rule,) in db.execute("SELECT DISTINCT rule FROM finding_counts WHERE n > 0"):
        titles = out[rule] = []
        row = db.execute(
            "SELECT title FROM findings INDEXED BY findings_rule_title WHERE rule = ? ORDER BY title LIMIT 1",
            (rule,),
        ).fetchone()
        while row is not None:
            titles.append(row[0])
            after = "title IS NOT NULL" if row[0] is None else "title > ?"
            row = db.execute(
                f"SELECT title FROM findings INDEXED BY findings_rule_title WHERE rule = ? AND {after} "
                "ORDER BY title LIMIT 1",
                (rule,) if row[0] is None else (rule, row[0]),
            ).fetchone()
    return out


def short_search(db, q: str) -> tuple[str, list]:
    """The search as a condition on the columns of the list's covering index, for a query too short for
    trigrams or combined with other filters. The few bodies, departments and rules (by id, or by every one
    of their obligation titles) that contain q are named (IN, checked first); only the subject is matched
    row by row (LIKE, ASCII case ignored); a rule only some of whose titles contain q is matched by the
    row's title (rare). ("", []) when every finding matches."""
    folded = _fold(q)
    values = {
        column: [v for (v,) in db.execute(f"SELECT DISTINCT {column} FROM finding_counts WHERE n > 0")]
        for column in ("body", "department", "rule")
    }
    named = {column: [v for v in vs if folded in _fold(v)] for column, vs in values.items()}
    some = []
    for rule, titles in rule_titles(db).items():
        hits = [t is not None and folded in _fold(str(t)) for t in titles]
        if rule in named["rule"]:
            continue
        if hits and all(hits):
            named["rule"].append(rule)
        elif any(hits):
            some.append(rule)
    if any(len(named[c]) == len(values[c]) and values[c] for c in named):
        return "", []  # e.g. 司法 in every body's name
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    terms, args = [], []
    for column, hits in named.items():
        if hits:
            terms.append(f"{column} IN ({', '.join('?' * len(hits))})")
            args += hits
    if not any(c.isascii() and c.isalpha() for c in q):  # no case to ignore: GLOB, cheaper per row
        terms.append("subject GLOB ?")
        args.append("*" + "".join(f"[{c}]" if c in "*?[" else c for c in q) + "*")
    else:
        terms.append("subject LIKE ? ESCAPE '\\'")
        args.append(pattern)
    if some:
        terms.append(f"(rule IN ({', '.join('?' * len(some))}) AND title LIKE ? ESCAPE '\\')")
        args += some + [pattern]
    return "(" + " OR ".join(terms) + ")", args


def trigram_bound(db, q: str) -> int:
    """At most how many findings contain q (of 3 characters or more): the fewest that hold any one of its
    trigrams, from the index's vocabulary (a few lookups)."""
    text = q.lower()
    return min(
        (
            db.execute("SELECT doc FROM finding_search_terms WHERE term = ?", (text[k : k + 3],)).fetchone()
            or (0,)
        )[0]
        for k in range(len(text) - 2)
    )


def find(db, filters: Filters, waiver_day: str, limit: int | None = PAGE_SIZE) -> Page:
    """One page of findings (or, with limit None, all of them: the export), newest lifecycle attached.

    A search is answered from the trigram index when it alone narrows the list (engine/state/tracking.py);
    a query shorter than a trigram, or one many findings match combined with other filters, is a
    condition on the list's covering index instead (short_search): the filters narrow the rows first and
    only those are searched, one pass for the count and a short walk of the sort order for the page."""
    latest = db.execute("SELECT max(id) FROM runs").fetchone()[0]
    where, args = _where(filters, latest, waiver_day)
    total = None
    filtered = where != "1=1"
    if filters.q and "\n" in filters.q:  # the index's field separator: no field holds one
        return Page([], 0, filters)
    short = filters.q and (
        len(filters.q) == 1 or (filtered and (len(filters.q) == 2 or trigram_bound(db, filters.q) > SPARSE))
    )
    if short:
        condition, more = short_search(db, filters.q)
        if condition:
            where, args = f"{where} AND {condition}", args + more
    elif filters.q:
        match = search_match(db, filters.q)
        if match is None:
            return Page([], 0, filters)
        source = "SELECT rowid FROM finding_search WHERE " + (
            "instr(lower(text), ?) > 0" if match[0] == "instr" else "finding_search MATCH ?"
        )
        matches = db.execute(f"SELECT count(*) FROM ({source})", (match[1],)).fetchone()[0]
        if not filtered and matches > SPARSE:
            total = matches  # the index holds one line per finding (engine/state/tracking.py)
        # few matches: look them up and sort them; many: walk the list order's index, keeping the
        # matches (each looked up in the index when the page is reached after a few thousand rows,
        # else as a set)
        rows_read = (
            ((filters.page - 1) * (limit or 0) + (limit or 0))
            * (db.execute("SELECT max(rowid) FROM findings").fetchone()[0] or 0)
            / max(matches, 1)
        )
        if (
            total is not None
            and limit is not None
            and match[0] == "match"
            and match[1].count(" OR ") < 8
            and rows_read <= 3000
        ):
            where += (
                " AND EXISTS (SELECT 1 FROM finding_search WHERE finding_search.rowid = findings.rowid "
                "AND finding_search MATCH ?)"
            )
        else:
            where += f" AND {'rowid' if matches <= SPARSE else '+rowid'} IN ({source})"
        args = args + [match[1]]
    if total is None:
        total = db.execute(f"SELECT count(*) FROM findings WHERE {where}", args).fetchone()[0]
    if not total:
        return Page([], 0, filters)
    # two steps: the page's row ids from the covering index alone, then only those rows' JSON
    sql = f"SELECT rowid FROM findings WHERE {where} ORDER BY {SORTS[filters.sort]}"
    if limit is not None:
        sql += f" LIMIT {int(limit)} OFFSET {int((filters.page - 1) * limit)}"
    ids = [rowid for (rowid,) in db.execute(sql, args)]
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for item in db.execute(
            "SELECT rowid, data, state, first_seen_run, first_seen, last_seen, resolved, "
            f"fingerprint FROM findings WHERE rowid IN ({', '.join('?' * len(chunk))})",
            chunk,
        ):
            found[item[0]] = item[1:]
    rows = [_row(found[rowid], latest) for rowid in ids]
    _attach_waivers(db, rows, waiver_day)
    return Page(rows, total, filters, group_by_event(rows))


def _row(item: tuple, latest: int | None) -> dict:
    data, state, first_run, first, last, resolved, _ = item
    row = json.loads(data)
    shown = "resolved" if state == "resolved" else ("new" if first_run == latest else "open")
    row["lifecycle"] = {"state": shown, "first_seen": first, "last_seen": last, "resolved": resolved}
    return row


def _attach_waivers(db, rows: list[dict], waiver_day: str) -> None:
    if not rows:
        return
    marks = ", ".join("?" * len(rows))
    found = {
        fp: {"by": by, "reason": reason, "until": until}
        for fp, by, reason, until in db.execute(
            f"SELECT fingerprint, by, reason, until FROM waivers WHERE fingerprint IN ({marks}) "
            "AND (until IS NULL OR until >= ?)",
            [r["fingerprint"] for r in rows] + [waiver_day],
        )
    }
    for row in rows:
        row["waiver"] = found.get(row["fingerprint"])


def group_by_event(rows: list[dict]) -> list[list[dict]]:
    """Rows in their order, those about the same event (national and local rules) gathered at the first."""
    groups: dict[tuple, list[dict]] = {}
    out: list[list[dict]] = []
    for row in rows:
        key = event_key(row)
        if not key[1]:
            out.append([row])
            continue
        if key not in groups:
            groups[key] = []
            out.append(groups[key])
        groups[key].append(row)
    return out


def finding(db, fingerprint: str) -> dict | None:
    latest = db.execute("SELECT max(id) FROM runs").fetchone()[0]
    item = db.execute(
        "SELECT data, state, first_seen_run, first_seen, last_seen, resolved, fingerprint, "
        "last_seen_run, resolved_run FROM findings WHERE fingerprint = ?",
        (fingerprint,),
    ).fetchone()
    if item is None:
        return None
    row = _row(item[:7], latest)
    row["lifecycle"].update(first_run=item[2], last_run=item[7], resolved_run=item[8])
    return row


def same_event(db, row: dict) -> list[dict]:
    """Other findings about the same event (the national rule beside the local one, or the reverse)."""
    subject, event = event_key(row)
    if not event:
        return []
    latest = db.execute("SELECT max(id) FROM runs").fetchone()[0]
    return [
        _row(item, latest)
        for item in db.execute(
            "SELECT data, state, first_seen_run, first_seen, last_seen, resolved, fingerprint FROM findings "
            "WHERE subject = ? AND event = ? AND fingerprint != ? ORDER BY rule",
            (subject, event, row["fingerprint"]),
        )
    ]


def choices(db) -> dict[str, list]:
    """Values for the filter menus (distinct bodies, departments, rules, statuses, severities), from the
    counts the runs keep (engine/state/tracking.py finding_counts)."""
    out = {}
    for column in ("body", "department", "rule", "status", "severity"):
        out[column] = [
            v
            for (v,) in db.execute(
                f"SELECT DISTINCT {column} FROM finding_counts WHERE n > 0 ORDER BY {column}"
            )
        ]
    return out


def counts_by_month(db, body: str = "") -> dict[str, dict[str, int]]:
    """Findings by the month of their deadline and status (for the chart when no evaluation is at hand)."""
    sql = "SELECT due_month, status, sum(n) FROM finding_counts WHERE due_month != '' AND n > 0"
    args: list = []
    if body:
        sql, args = sql + " AND body = ?", [body]
    out: dict[str, dict[str, int]] = {}
    for month, status, n in db.execute(sql + " GROUP BY 1, 2", args):
        out.setdefault(month, {})[status] = n
    return out


def counts_by_body(db) -> list[tuple]:
    return db.execute(
        "SELECT body, department, status, sum(n) FROM finding_counts WHERE state = 'active' AND n > 0 "
        "GROUP BY 1, 2, 3 ORDER BY 1, 2"
    ).fetchall()


HISTORY_ZH = {"new": "新增", "open": "持续", "resolved": "已解决", "absent": "未再出现"}


def history(db, fingerprint: str) -> list[dict]:
    """The finding in every run since it first appeared (engine/state/tracking.py finding_history): its
    lifecycle (new, open, resolved, then absent until it reappears) and its status in each run, runs in
    a row with the same of both shown as one line (from, to, how many runs)."""
    changes = db.execute(
        "SELECT run_id, change, status, severity, deadline_text, recorded FROM finding_history "
        "WHERE fingerprint = ? ORDER BY run_id, rowid",
        (fingerprint,),
    ).fetchall()
    if not changes:
        return []
    out: list[dict] = []
    index, current = 0, None
    for run_id, as_of in db.execute("SELECT id, as_of FROM runs WHERE id >= ? ORDER BY id", (changes[0][0],)):
        new_here = False
        while index < len(changes) and changes[index][0] <= run_id:
            current = changes[index]
            new_here = new_here or (current[1] == "new" and current[0] == run_id)
            index += 1
        change = current[1]
        if change == "resolved":
            state = "resolved" if current[0] == run_id else "absent"
        else:
            state = "new" if new_here else "open"
        status = None if state == "absent" else current[2]
        last = out[-1] if out else None
        if last and state in ("open", "absent") and last["state"] == state and last["status"] == status:
            last.update(to_run=run_id, to=as_of, runs=last["runs"] + 1)
        else:
            out.append(
                {
                    "state": state,
                    "state_zh": HISTORY_ZH[state],
                    "status": status,
                    "severity": current[3],
                    "deadline_text": current[4],
                    "recorded": bool(current[5]),
                    "from_run": run_id,
                    "from": as_of,
                    "to_run": run_id,
                    "to": as_of,
                    "runs": 1,
                }
            )
    return out
