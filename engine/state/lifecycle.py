"""The rows a run writes beside its own: each finding's lifecycle, and what the next incremental run starts
from. A mixin of AuditStore (store.py), which owns the connection and the run's one transaction.
"""

from __future__ import annotations

import orjson

from ..model.findings import Finding


class Lifecycle:
    db: object

    def _write_lifecycle(self, run_id: int, stamp: str, findings: list[Finding]) -> tuple[dict, int]:
        """Each finding's lifecycle row, writing only what changed: a finding still open with the same
        JSON only moves its last-seen run (one statement for all of them, which touches no index and fires
        no trigger), a changed one is updated, a new one inserted, a vanished one resolved. Returns the
        lifecycle of each finding and how many were resolved.

        Why: rewriting every open finding each night (the workbench's covering indexes, search index and
        history triggers on each) cost about 0.25 ms a finding (13 s for 50,000, bench/RESULTS.md)."""
        active = {
            fp: (first_run, first, data)
            for fp, first_run, first, data in self.db.execute(
                "SELECT fingerprint, first_seen_run, first_seen, data FROM findings WHERE state = 'active'"
            )
        }
        lifecycle: dict[str, dict] = {}
        changed, added = [], []
        known, self._read_texts = self._read_texts, {}
        for finding in findings:
            fp = finding.fingerprint
            read = known.get(id(finding))
            data = read[1] if read is not None and read[0] is finding else finding_text(finding)
            if fp in active:
                first_run, first, before = active.pop(fp)
                if data != before:
                    changed.append(
                        (finding.status, finding.severity, finding.department, run_id, stamp, data, fp)
                    )
                lifecycle[fp] = {"state": "open", "first_seen": first, "last_seen": stamp}
            else:
                added.append(
                    (
                        fp,
                        finding.rule,
                        finding.subject,
                        finding.body,
                        finding.department,
                        finding.severity,
                        finding.status,
                        run_id,
                        stamp,
                        run_id,
                        stamp,
                        data,
                    )
                )
                lifecycle[fp] = {"state": "new", "first_seen": stamp, "last_seen": stamp}
        # resolved first: a run's statements see one state of the table whatever their order
        self.db.executemany(
            "UPDATE findings SET state = 'resolved', resolved_run = ?, resolved = ? WHERE fingerprint = ?",
            ((run_id, stamp, fp) for fp in sorted(active)),
        )
        self.db.executemany(
            "UPDATE findings SET status = ?, severity = ?, department = ?, last_seen_run = ?, "
            "last_seen = ?, data = ? WHERE fingerprint = ?",
            sorted(changed, key=lambda row: row[-1]),
        )
        self.db.execute(
            "UPDATE findings SET last_seen_run = ?, last_seen = ? WHERE state = 'active' AND last_seen_run < ?",
            (run_id, stamp, run_id),
        )
        self.db.executemany(
            "INSERT OR REPLACE INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, NULL, NULL, ?)",
            sorted(added),  # in key order: the B-trees fill fastest so
        )
        return lifecycle, len(active)

    def _write_judge_state(self, run_id: int, state: tuple[dict[str, str], set[str]] | None) -> None:
        self.db.execute("DELETE FROM judge_state")
        self.db.execute("DELETE FROM judge_subjects")
        if state is None:
            return
        values, subjects = state
        self.db.executemany(
            "INSERT INTO judge_state VALUES (?, ?)", sorted({**values, "run": str(run_id)}.items())
        )
        self.db.executemany("INSERT INTO judge_subjects VALUES (?)", ((s,) for s in sorted(subjects)))

    def previous_findings(self, run_id: int, rules: set[str], besides: set[str]) -> list[Finding]:
        """The findings of these rules a run reported (active at its end) about subjects not in `besides`, as
        it reported them. Each one's stored text is kept with it (by the object, held until the next
        recording), so that recording it again does not write its text anew."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS besides (subject TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("DELETE FROM besides")
        self.db.executemany("INSERT OR IGNORE INTO besides VALUES (?)", ((s,) for s in besides))
        out = []
        for rule, data in self.db.execute(
            "SELECT rule, data FROM findings WHERE state = 'active' AND last_seen_run = ? "
            "AND subject NOT IN (SELECT subject FROM besides)",
            (run_id,),
        ):
            if rule not in rules:
                continue
            finding = Finding.from_json(orjson.loads(data))
            out.append(finding)
            self._read_texts[id(finding)] = (finding, data)
        return out

    _read_texts: dict[int, tuple[Finding, str]]


def finding_text(finding: Finding) -> str:
    """A finding's JSON as stored (`findings.data`): compact, Chinese as is."""
    return orjson.dumps(finding.to_json()).decode("utf-8")
