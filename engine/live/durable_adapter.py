"""durable-rules behind a small interface: the only module that imports it. The monitor sets and clears
alarm facts and rings the ones a moment has reached; how durable-rules is driven, and every guard against
the defects of its version 2.0.28 found earlier, stays here (the defect log: docs/live-monitor.md).

One generated ruleset per deadline rule, with one rule: an *alarm* fact (an instant, as epoch seconds)
joined with a *tick* fact carrying `now`; the action records the alarms `now` has reached and retracts them.
"""

from __future__ import annotations

import itertools
import os

from durable import lang as durable

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


class DurableAlarms:
    """Alarm facts in durable-rules, one ruleset per deadline rule (`names`), rung by ticks."""

    def __init__(self, rulesets: int):
        # ruleset names carry a per-process instance number: durable-rules' host is global and cannot unload
        self.prefix = f"shixian{os.getpid()}_{next(_INSTANCES)}"
        self.uids = itertools.count()  # its message identity is a 32-bit hash: every fact carries a uid
        self.fired: list[tuple[str, dict]] = []
        self.errors: list[BaseException] = []
        # alarm placement: one alarm fact per state id (see _take_sid), ids reused once free
        self.load: dict[str, list[int]] = {}  # ruleset -> alarm facts per state id
        self.free: dict[str, list[int]] = {}  # ruleset -> state ids holding no alarm
        self.host = _Host()
        self.names = [f"{self.prefix}_{index}" for index in range(rulesets)]
        for name in self.names:
            self._compile(name)
        self._register()

    def _compile(self, name: str) -> None:
        m, c = durable.m, durable.c
        with durable.ruleset(name):

            @durable.when_all(c.alarm << (m.kind == "alarm"), c.tick << (m.kind == "tick"))
            def ring(c):
                try:  # the comparison stays in the action: written into the join, it crashed the C engine
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

    def set_alarm(self, name: str, fact: dict) -> None:
        """Assert an alarm fact (`at`: epoch seconds) in ruleset `name`; gives it its state id and uid."""
        fact.update(sid=self._take_sid(name), uid=next(self.uids))
        try:
            self.host.assert_fact(name, fact)
        except durable.engine.MessageObservedException as exc:
            raise RuntimeError(f"durable-rules rejected a fact as a duplicate: {exc}") from exc
        self._raise_errors()

    def clear_alarm(self, name: str, fact: dict) -> None:
        """Retract an alarm fact that has not rung."""
        self.host.retract_fact(name, fact)
        self._release_sid(name, fact["sid"])

    def ring(self, name: str, sid: str, now: float) -> None:
        """Assert a tick fact (every alarm of state `sid` due by `now` rings), then retract it.

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

    def take_rung(self) -> list[tuple[str, dict]]:
        """The alarms rung since the last call, (ruleset, fact) in the order they go off; each is gone from
        durable-rules (the action retracted it) and its state id is free again."""
        fired, self.fired = self.fired, []
        fired.sort(key=lambda item: item[1]["at"])
        for name, fact in fired:
            self._release_sid(name, fact["sid"])
        return fired

    def _raise_errors(self) -> None:
        if self.errors:
            errors, self.errors = self.errors, []
            raise RuntimeError(f"error inside a durable-rules action: {errors[0]!r}") from errors[0]

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
