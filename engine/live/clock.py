"""Time for the live monitor: the wall clock in production, a clock the caller moves in tests.

durable-rules' own timers run on wall-clock time only, so the monitor never uses them: time reaches
the rules as tick messages carrying `now`, from one of these clocks.
"""

from __future__ import annotations

import datetime as dt

from ..calendar import SHANGHAI


class RealClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(SHANGHAI)


class SimulatedClock:
    def __init__(self, start: dt.datetime):
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def set(self, moment: dt.datetime) -> None:
        if moment < self._now:
            raise ValueError(f"the simulated clock only moves forward ({moment} < {self._now})")
        self._now = moment
