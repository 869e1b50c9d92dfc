"""The live monitor on durable-rules.

Each deadline rule of the typed rule form becomes one generated durable-rules ruleset with one rule:
an *alarm* fact (approaching or passed, with the instant it goes off, as epoch seconds) joined with a
*tick* fact carrying `now`; the action rings the alarms whose instant `now` has reached. (Writing that
comparison into the join itself, `m.now >= c.alarm.at`, crashed durable-rules' C engine for some hash
seeds in our tests: it stays in the action.) The clock state of each obligation (trigger, pause, restart,
extension, fulfilment) is kept by the batch evaluator's own DeadlineEvaluator, fed one event at a time,
so both back ends judge with the same code and the same calendar; durable-rules does the matching of
time against many open deadlines.

Guards against the known defects of durable-rules 2.0.28 (see README):
- segmentation faults in its C engine when one state holds several alarm facts that a tick matches at
  once (likely its node pools, reallocated as they grow while pointers into them are held; seen on the
  1M benchmark log with alarms hashed into 256 state ids and with 8 per state id): every alarm fact has
  a state id of its own, reused once the alarm is gone, so a tick matches at most one alarm; at most
  1024 state ids per ruleset ever, so past STATE_IDS open alarms in one rule they are shared;
- message identity is a 32-bit hash: every fact and message carries a unique `uid`;
- exceptions inside actions are swallowed: actions only append to a list, inside try/except, and any
  error is raised after `post` returns;
- actions may run on timer threads: no durable-rules timers are used; time arrives as tick messages;
- a crash of its C engine on a join that compares two facts: the comparison is made in the action;
- actions and dispatch on the host's timer threads: each monitor has its own host that starts no threads;
- global host, no unloading: ruleset names also carry a per-process instance number, so monitors never clash;
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import os
from collections.abc import Callable

from durable import lang as durable

from ..calendar import SHANGHAI, Period
from ..engine import Engine
from ..errors import CalendarCoverageError
from ..evaluate.clock import deadline as clock_deadline
from ..evaluate.context import Context
from ..evaluate.deadline import DeadlineEvaluator
from ..evaluate.verdict import warning_instant
from ..events.read import BadRecord, event_from_record
from ..model.events import Event
from ..model.rules import DeadlineRule
from ..state import AuditStore

STATE_IDS = 1000  # durable-rules keeps at most 1024 state ids per ruleset, ever
_INSTANCES = itertools.count()


class _Host(durable.engine.Host):
    """A durable-rules host of our own, per monitor, that starts no background threads.

    The stock host dispatches every ruleset from timer threads (every 0-0.2 s) while the caller posts
    from its own thread; the two racing inside the C engine crashed the process in our tests. Nothing
    here needs that dispatch: `post` runs the matching actions before it returns.
    """

    def _run(self):
        pass


_FAR = dt.datetime(9999, 1, 1, tzinfo=SHANGHAI)


def _epoch(moment: dt.datetime) -> float:
    return moment.timestamp()


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
        # by the rule's unit (a rule's warn_within wins): an hour before, or from the start of the last day
        self.warn = {
            "h": Period(1, "h"),
            "wd": Period(0, "wd"),
            "d": Period(0, "d"),
            "m": Period(0, "d"),
            "y": Period(0, "d"),
            **(warn_within or {}),
        }
        self.ctx = Context(engine.calendar, _FAR, Period(2, "wd"))
        # each event is committed before it is fed; write-ahead logging with NORMAL sync keeps every commit
        # when the process dies (only a power cut could lose the last ones) without an fsync per event
        store.db.execute("PRAGMA journal_mode=WAL")
        store.db.execute("PRAGMA synchronous=NORMAL")
        self.prefix = f"shixian{os.getpid()}_{next(_INSTANCES)}"
        self.uids = itertools.count()
        self.fired: list[tuple[str, dict]] = []
        self.errors: list[BaseException] = []
        self.alarms: dict[
            tuple[str, str], list[dict]
        ] = {}  # (ruleset, key) -> its alarm facts (each with its sid)
        self.pending: list[tuple[float, str, str]] = []  # heap of (alarm instant, ruleset, state id)
        self.evaluators: dict[str, list[tuple[str, DeadlineEvaluator]]] = {}
        self.names: list[str] = []
        # alarm placement: one alarm fact per state id (see _take_sid), ids reused once free
        self.load: dict[str, list[int]] = {}  # ruleset -> alarm facts per state id
        self.free: dict[str, list[int]] = {}  # ruleset -> state ids holding no alarm
        self.host = _Host()
        for index, loaded in enumerate(r for r in engine.ruleset.rules if isinstance(r.rule, DeadlineRule)):
            name = f"{self.prefix}_{index}"
            self.names.append(name)
            self._compile(name)
            evaluator = DeadlineEvaluator(loaded, self.ctx)
            for event_type in loaded.rule.event_types():
                self.evaluators.setdefault(event_type, []).append((name, evaluator))
        self._register()

    # -- the generated rulesets ------------------------------------------------------------------------
    def _compile(self, name: str) -> None:
        m, c = durable.m, durable.c
        with durable.ruleset(name):

            @durable.when_all(c.alarm << (m.kind == "alarm"), c.tick << (m.kind == "tick"))
            def ring(c):
                try:
                    if c.tick.now >= c.alarm.at:
                        self.fired.append((name, dict(c.alarm._d if hasattr(c.alarm, "_d") else c.alarm)))
                        c.retract_fact(c.alarm)
                except BaseException as exc:  # durable-rules would swallow it
                    self.errors.append(exc)

    def _register(self) -> None:
        """Hand the rulesets just defined to this monitor's own host (not durable-rules' global one)."""
        definitions = {}
        for rset in durable._rulesets.values():
            full_name, definition = rset.define()
            definitions[full_name] = definition
        durable._rulesets = {}
        self.host.register_rulesets(definitions)

    def _tick(self, name: str, sid: str, now: float) -> None:
        """Assert a tick fact (every alarm due by `now` rings), then retract it.

        Ticks are facts, not events: an event that no rule consumes stays in durable-rules' state, and
        thousands of stale ticks piling up there crashed its C engine in our tests.
        """
        tick = {"kind": "tick", "now": now, "sid": sid, "uid": next(self.uids)}
        try:
            self.host.assert_fact(name, tick)
        except durable.engine.MessageObservedException as exc:  # its 32-bit message identity collided
            raise RuntimeError(f"durable-rules rejected a tick as a duplicate: {exc}") from exc
        self._raise_errors()
        self.host.retract_fact(name, tick)

    def _raise_errors(self) -> None:
        if self.errors:
            errors, self.errors = self.errors, []
            raise RuntimeError(f"error inside a durable-rules action: {errors[0]!r}") from errors[0]

    # -- facts ------------------------------------------------------------------------------------------
    def _take_sid(self, name: str) -> str:
        """A state id of its own for one alarm fact: a free one, a new one while the ruleset has fewer than
        STATE_IDS, or (past STATE_IDS open alarms in one rule) the least loaded, shared."""
        load, free = self.load.setdefault(name, []), self.free.setdefault(name, [])
        if free:
            index = free.pop()
        elif len(load) < STATE_IDS:
            index = len(load)
            load.append(0)
        else:
            index = min(range(STATE_IDS), key=load.__getitem__)
        load[index] += 1
        return str(index)

    def _release_sid(self, name: str, sid: str) -> None:
        load, index = self.load[name], int(sid)
        load[index] -= 1
        if load[index] == 0:
            self.free[name].append(index)

    def _sync(self, name: str, evaluator: DeadlineEvaluator, key: str) -> None:
        """Make the alarm facts of one obligation match its clock (open, paused, or closed)."""
        for fact in self.alarms.pop((name, key), []):  # rung alarms were taken off this list in tick()
            self.host.retract_fact(name, fact)
            self._release_sid(name, fact["sid"])
        obligation = evaluator.clocks.get(key)
        rule: DeadlineRule = evaluator.rule
        if obligation is None or rule.optional:
            return
        clock = evaluator.clock(obligation)  # the clock in effect, by the one home of clock controls
        if clock.paused_by is not None and clock.pause_cap is None:  # a capped pause: counted to its cap
            return
        trigger = obligation.trigger
        try:
            deadline = clock_deadline(rule, self.engine.calendar, clock)
        except CalendarCoverageError as exc:  # never guess: say the deadline cannot be computed
            self._alert(
                {
                    "alert": "undetermined",
                    "rule": rule.id,
                    "subject": trigger.subject,
                    "body": trigger.body,
                    "department": trigger.department,
                    "trigger": trigger.id,
                    "due": None,
                    "deadline_text": None,
                    "message": exc.chinese,
                }
            )
            return
        warn = Period.parse(rule.warn_within) if rule.warn_within else self.warn[rule.period.unit]
        warn_at = warning_instant(self.engine.calendar, deadline, warn)  # when the audit would say due soon
        base = {
            "kind": "alarm",
            "rule": rule.id,
            "key": key,
            "subject": trigger.subject,
            "body": trigger.body,
            "department": trigger.department,
            "trigger": trigger.id,
            "due": deadline.due.isoformat(),
            "deadline_text": deadline.due_text,
        }
        facts = []
        if warn_at < deadline.due:
            facts.append({**base, "alert": "approaching", "at": _epoch(warn_at)})
        facts.append({**base, "alert": "passed", "at": _epoch(deadline.due)})
        for fact in facts:
            fact.update(sid=self._take_sid(name), uid=next(self.uids))
            try:
                self.host.assert_fact(name, fact)
            except durable.engine.MessageObservedException as exc:
                raise RuntimeError(f"durable-rules rejected a fact as a duplicate: {exc}") from exc
            self._raise_errors()
        self.alarms[(name, key)] = facts
        for fact in facts:
            heapq.heappush(self.pending, (fact["at"], name, fact["sid"]))

    # -- intake and time ------------------------------------------------------------------------------------
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
            self._alert(
                {
                    "alert": "fulfilled_late",
                    "rule": finding.rule,
                    "subject": finding.subject,
                    "body": finding.body,
                    "department": finding.department,
                    "trigger": finding.trigger.id if finding.trigger else None,
                    "due": finding.deadline.isoformat() if finding.deadline else None,
                    "deadline_text": finding.deadline_text,
                    "overdue_by": finding.overdue_by,
                    "message": finding.message,
                }
            )
        self.ctx.outcomes.clear()

    def tick(self) -> None:
        """Tell every ruleset the time; every alarm whose moment has come rings."""
        now = _epoch(self.clock.now())
        due = set()
        while self.pending and self.pending[0][0] <= now:  # only where an alarm can ring
            _, name, sid = heapq.heappop(self.pending)
            due.add((name, sid))
        for name, sid in sorted(due):
            self._tick(name, sid, now)
        fired, self.fired = self.fired, []
        passed = {(name, fact["key"]) for name, fact in fired if fact["alert"] == "passed"}
        for name, fact in sorted(fired, key=lambda item: item[1]["at"]):
            # the action retracted the fact: take it off the table too, so it is never retracted again
            self._release_sid(name, fact["sid"])
            alarms = self.alarms.get((name, fact["key"]), [])
            self.alarms[(name, fact["key"])] = [f for f in alarms if f["uid"] != fact["uid"]]
            if fact["alert"] == "approaching" and (name, fact["key"]) in passed:
                continue  # both went off in one tick: the deadline has passed, "approaching" is stale
            payload = {
                k: fact[k]
                for k in ("alert", "rule", "subject", "body", "department", "trigger", "due", "deadline_text")
            }
            self._alert(payload)

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
