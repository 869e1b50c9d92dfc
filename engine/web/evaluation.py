"""The latest run re-evaluated with every outcome kept, for what the database alone cannot say.

The audit database keeps findings (what went wrong) and how many obligations were met, not each
obligation, the events of each subject or the work-plan tasks. The workbench reads the latest run's input files again (when they
are still there, unchanged: their SHA-256 is in the run) plus the events stored by `shixian ingest` or by
the task board, and evaluates them as of the run's moment, keeping every outcome. That gives what
falls due, each subject's timeline and explanation, and the task board (the on-time rates are stored by
the run itself, obligation_counts; only a run recorded before that table gets them from here).
It is done once per (run, stored events), in a thread of its own, never inside a request: until it is
ready a page shows what the database has and says the rest is being computed (after a task is marked
done, the board of the same run is shown as it was, marked as updating). When the inputs are gone the
pages say so and show what the database has.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..audit import file_digest
from ..engine import Engine
from ..model.events import Event
from ..model.findings import Finding
from ..pipeline import judge


@dataclass
class Evaluation:
    run_id: int
    as_of: dt.datetime
    outcomes: list[Finding] = field(default_factory=list)
    events_by_subject: dict[str, list[Event]] = field(default_factory=dict)
    task_board: list[dict] = field(default_factory=list)
    missing: list[str] = field(
        default_factory=list
    )  # inputs that are gone or changed: why figures are absent
    pending: bool = False  # being computed in the background: nothing yet
    updating: bool = False  # the figures before the latest stored events, the new ones being computed

    @property
    def complete(self) -> bool:
        return not self.missing and not self.pending

    def outcomes_of(self, subject: str) -> list[Finding]:
        return [o for o in self.outcomes if o.subject == subject]


def _locate(name: str, db_path: Path) -> Path | None:
    """An input as the run named it: relative to here, to the database's folder, or to its parent."""
    path = Path(name)
    if path.is_absolute():
        return path if path.exists() else None
    for base in (Path.cwd(), db_path.parent, db_path.parent.parent):
        if (base / path).exists():
            return base / path
    return None


class EvaluationCache:
    def __init__(self, db_path: Path):
        self.db_path = db_path
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._value: Evaluation | None = None
        self._computing: tuple | None = None

    def get(self, engine: Engine, store, run: dict | None) -> Evaluation | None:
        """The evaluation of the run with the stored events as they are now, if it is ready; else start
        it in the background and answer at once (pending, or the same run's previous one, updating)."""
        if run is None:
            return None
        key = (run["id"], store.events_digest(), id(engine))
        with self._lock:
            if self._key == key:
                return self._value
            if self._computing != key:
                self._computing = key
                threading.Thread(
                    target=self._compute, args=(engine, run, key), daemon=True, name="shixian-evaluation"
                ).start()
            if self._value is not None and self._key[0] == run["id"] and self._key[2] == key[2]:
                return replace(self._value, updating=True)
            return Evaluation(run["id"], dt.datetime.fromisoformat(run["as_of"]), pending=True)

    def _compute(self, engine: Engine, run: dict, key: tuple) -> None:
        from ..state import AuditStore

        store = AuditStore(self.db_path)  # a connection of this thread's own
        try:
            value = self._evaluate(engine, store, run)
        except Exception as exc:  # noqa: BLE001 - shown on the pages instead of a page waiting forever
            value = Evaluation(
                run["id"],
                dt.datetime.fromisoformat(run["as_of"]),
                missing=[f"重新读取输入时出错 (failed to read the inputs again): {exc}"],
            )
        finally:
            store.close()
        with self._lock:
            self._key, self._value = key, value
            if self._computing == key:
                self._computing = None

    def _evaluate(self, engine: Engine, store, run: dict) -> Evaluation:
        as_of = dt.datetime.fromisoformat(run["as_of"])
        result = Evaluation(run["id"], as_of)
        files = []
        for name, digest in json.loads(run["inputs"]).items():
            if name == "event-store":
                continue
            path = _locate(name, self.db_path)
            if path is None:
                result.missing.append(f"{name}：文件不在 (file not found)")
            elif file_digest(path) != digest:
                result.missing.append(f"{name}：文件已变动 (changed since the run)")
            else:
                files.append(path)
        if not files and not store.has_events():
            result.missing.append("该次运行没有可重读的输入文件，数据库中也没有事件 (nothing to read again)")
            return result
        frame = store.event_frame(engine.ruleset, files)  # as the audit read them: stored history, then files
        evaluated = judge(engine.ruleset, engine.calendar, frame, as_of, keep_outcomes=True)
        result.outcomes = evaluated.outcomes
        result.task_board = evaluated.task_board
        for event in sorted(frame.all_events(engine.ruleset.event_types), key=lambda e: e.time):
            result.events_by_subject.setdefault(event.subject, []).append(event)
        return result
