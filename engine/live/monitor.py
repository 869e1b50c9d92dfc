"""The live monitor: clock -> alarms -> ring.

- clock: time comes from a real or simulated clock (clock.py) as ticks; `tick` rings only where an alarm
  can have been reached (a heap of alarm instants).
- alarms: each event is stored, then fed to the batch evaluator's own DeadlineEvaluator, which keeps each
  obligation's clock (trigger, pause, restart, extension, fulfilment); the obligation's alarms
  ("approaching", "passed") are set from that clock by alarms.py, with the audit's calendar and verdicts.
- ring: durable-rules matches time against the open alarms (behind durable_adapter.py, the only module
  that knows it); each alert is decided once (the audit database remembers it across restarts) and
  emitted, or enqueued in the same transaction for delivery at least once (outbox.py).

Why durable-rules is driven the way it is (its 2.0.28 defects and the guard against each): docs/live-monitor.md.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable

from ..calendar import SHANGHAI, Period
from ..engine import Engine
from ..errors import CalendarCoverageError
from ..evaluate.clock import deadline as clock_deadline
from ..evaluate.context import Context
from ..evaluate.deadline import DeadlineEvaluator
from ..events.read import BadRecord, event_from_record
from ..model.events import Event
from ..model.rules import DeadlineRule
from ..state import AuditStore
from .alarms import DEFAULT_WARNING, alarm_facts, late_alert, rung_alert, undetermined_alert
from .durable_adapter import DurableAlarms

_FAR = dt.datetime(9999, 1, 1, tzinfo=SHANGHAI)


class LiveMonitor:
    def __init__(
        self,
        engine: Engine,
        store: AuditStore,
        clock,
        emit: Callable[[dict], None] | None = None,
        warn_within: dict[str, Period] | None = None,
        outbox=None,
    ):
        """`emit` gets each new alert at once (tests, benchmarks); with an `outbox` (engine/live/outbox.py)
        alerts are enqueued in the transaction that remembers them and delivered at least once from there."""
        self.engine, self.store, self.clock, self.emit, self.outbox = engine, store, clock, emit, outbox
        # "approaching" goes off when the audit would call the obligation due soon with this warning window,
        # by the rule's unit (a rule's warn_within wins)
        self.warn = {**DEFAULT_WARNING, **(warn_within or {})}
        self.ctx = Context(engine.calendar, _FAR, Period(2, "wd"))
        # each event is committed before it is fed; write-ahead logging with NORMAL sync keeps every commit
        # when the process dies (only a power cut could lose the last ones) without an fsync per event
        store.db.execute("PRAGMA journal_mode=WAL")
        store.db.execute("PRAGMA synchronous=NORMAL")
        watched = [r for r in engine.ruleset.rules if isinstance(r.rule, DeadlineRule)]
        self.durable = DurableAlarms(len(watched))
        self.alarms: dict[tuple[str, str], list[dict]] = {}  # (ruleset, key) -> its alarm facts
        self.pending: list[tuple[float, str, str]] = []  # heap of (alarm instant, ruleset, state id)
        self.evaluators: dict[str, list[tuple[str, DeadlineEvaluator]]] = {}
        for name, loaded in zip(self.durable.names, watched):
            evaluator = DeadlineEvaluator(loaded, self.ctx)
            for event_type in loaded.rule.event_types():
                self.evaluators.setdefault(event_type, []).append((name, evaluator))

    # -- clock -------------------------------------------------------------------------------------------
    def tick(self) -> None:
        """Tell every ruleset the time; every alarm whose moment has come rings."""
        now = self.clock.now().timestamp()
        due = set()
        while self.pending and self.pending[0][0] <= now:  # only where an alarm can ring
            _, name, sid = heapq.heappop(self.pending)
            due.add((name, sid))
        for name, sid in sorted(due):
            self.durable.ring(name, sid, now)
        fired = self.durable.take_rung()
        passed = {(name, fact["key"]) for name, fact in fired if fact["alert"] == "passed"}
        for name, fact in fired:
            # durable-rules retracted the fact: take it off the table too, so it is never retracted again
            alarms = self.alarms.get((name, fact["key"]), [])
            self.alarms[(name, fact["key"])] = [f for f in alarms if f["uid"] != fact["uid"]]
            if fact["alert"] == "approaching" and (name, fact["key"]) in passed:
                continue  # both went off in one tick: the deadline has passed, "approaching" is stale
            self._alert(rung_alert(fact))

    # -- alarms ------------------------------------------------------------------------------------------
    def accept(self, record: dict, origin: str = "stdin") -> str | None:
        """Store an event first (nothing is lost if the process dies), then feed it. Returns a rejection reason."""
        try:
            event = event_from_record(record, origin, self.engine.ruleset.event_types)
        except BadRecord as exc:
            return str(exc)
        added, _, conflicts = self.store.ingest([event], origin)
        if conflicts:
            return conflicts[0][1]
        if added:
            self.feed(event)
        return None

    def feed(self, event: Event) -> None:
        for name, evaluator in self.evaluators.get(event.type, ()):
            key = evaluator.key(event)
            evaluator.feed(event)
            self._sync(name, evaluator, key)
        for finding in self.ctx.outcomes:  # fulfilled late, judged by the batch code
            self._alert(late_alert(finding))
        self.ctx.outcomes.clear()

    def _sync(self, name: str, evaluator: DeadlineEvaluator, key: str) -> None:
        """Make the alarm facts of one obligation match its clock (open, paused, or closed)."""
        for fact in self.alarms.pop((name, key), []):  # rung alarms were taken off this list in tick()
            self.durable.clear_alarm(name, fact)
        obligation = evaluator.clocks.get(key)
        rule: DeadlineRule = evaluator.rule
        if obligation is None or rule.optional:
            return
        clock = evaluator.clock(obligation)  # the clock in effect, by the one home of clock controls
        if clock.open and clock.pause_cap is None:  # paused; a capped pause only: counted to its cap
            return
        try:
            deadline = clock_deadline(rule, self.engine.calendar, clock)
        except CalendarCoverageError as exc:  # never guess: say the deadline cannot be computed
            self._alert(undetermined_alert(rule, obligation.trigger, exc))
            return
        warn = Period.parse(rule.warn_within) if rule.warn_within else self.warn[rule.period.unit]
        facts = alarm_facts(rule, self.engine.calendar, deadline, obligation.trigger, key, warn)
        for fact in facts:
            self.durable.set_alarm(name, fact)
        self.alarms[(name, key)] = facts
        for fact in facts:
            heapq.heappush(self.pending, (fact["at"], name, fact["sid"]))

    # -- ring --------------------------------------------------------------------------------------------
    def _alert(self, payload: dict) -> None:
        """Decide an alert once: the audit database remembers it across restarts. With an outbox, the alert
        is enqueued in the same transaction (a kill can lose neither) and delivered after it commits."""
        key = f"{payload['alert']}|{payload['rule']}|{payload['subject']}|{payload.get('trigger')}|{payload.get('due')}"
        alert = {**payload, "at": self.clock.now().isoformat()}
        if self.outbox is None:
            if self.store.record_alert(key, payload, self.clock.now()):
                self.emit(alert)
            return
        db = self.store.db
        db.execute("BEGIN IMMEDIATE")
        try:
            if self.store.record_alert(key, payload, self.clock.now()):
                self.outbox.add(key, alert)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- start and replay ---------------------------------------------------------------------------------
    def replay(self, events: list[Event], until: dt.datetime) -> None:
        """Feed a log in time order on a simulated clock, as if it happened live, then move on to `until`."""
        for event in sorted(events, key=lambda e: e.time):
            if event.time > until:
                break
            self.clock.set(max(self.clock.now(), event.time))
            self.tick()
            self.store.ingest([event], event.origin or "replay")
            self.feed(event)
        self.clock.set(max(self.clock.now(), until))
        self.tick()

    def rebuild(self, skipped: Callable[[Exception], None] | None = None) -> int:
        """On start: replay the event store, so a restart neither loses obligations nor repeats alerts. A stored
        event that no longer reads (e.g. an incident at 9999-12-31T23:00 stored by an older version) is handed
        to `skipped` and left out, so one poisoned row cannot stop the monitor on every restart."""
        events = sorted(
            self.store.events(self.engine.ruleset.event_types, skip=skipped), key=lambda e: e.time
        )
        for event in events:
            self.feed(event)
        return len(events)
