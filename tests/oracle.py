"""A deliberately naive oracle for deadline obligations, for property tests only.

It walks the calendar one day at a time and asks it nothing but `is_working_day`: no jumps, no arrays, no
cached tables, none of engine/calendar's counting or engine/evaluate/clock.py. It reads the law as
docs/calendar.md and the rule packs' readings state it (民法典第二百零一条 the start day is not counted,
第二百零三条 a last day that is a rest day rolls to the next working day and the period ends at 24:00;
条例 (2019) 第三十条/第三十二条/第三十三条 for 补正, third parties and extensions, as rules/national/ogi-2019.yaml
reads them):

- N working days: the N-th working day strictly after the trigger's day; N days: the trigger's day + N,
  rolled forward past rest days; due at 24:00 of that last day;
- a pause (third party: from consultation to reply, at most to 24:00 of the 15th working day after the
  consultation's day) adds the units strictly after its first day through its last day; a pause that
  begins when the period has run out (its due instant included) does not pause;
- 补正: requesting it pauses; receiving it starts the period afresh from that moment, earlier pauses gone;
- one extension of `days` (at most `limit`, the limit when absent) approved before the period ran out;
  approved after, it does not count and is a `late_extension` of its own;
- verdicts: on time before the due instant; late after, by the working days (or days) from the last day
  to the fulfilment's day, at least 1; open at as-of: overdue at or after the due instant, due soon when the
  working days left (as-of's day excluded, last day included) are at most the warning's, else pending.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.calendar import SHANGHAI

END_OF_DAY = dt.time(23, 59, 59, 999999)


def _days_after(day: dt.date):
    while True:
        day = day + dt.timedelta(days=1)
        yield day


def counted_between(cal, first: dt.date, last: dt.date, unit: str) -> int:
    """Units strictly after `first` through `last`, counted one day at a time."""
    n = 0
    for day in _days_after(first):
        if day > last:
            return n
        if unit == "d" or cal.is_working_day(day):
            n += 1


def last_day(cal, start: dt.date, amount: int, unit: str) -> dt.date:
    """The last day of a period of `amount` units from `start` (not counted)."""
    if unit == "wd":
        seen = 0
        for day in _days_after(start):
            if cal.is_working_day(day):
                seen += 1
                if seen == amount:
                    return day
    day = start
    for _ in range(amount):
        day = day + dt.timedelta(days=1)
    while not cal.is_working_day(day):
        day = day + dt.timedelta(days=1)
    return day


def due_instant(day: dt.date) -> dt.datetime:
    """24:00 of the last day: the first instant of the next one."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), SHANGHAI)


@dataclass
class Request:
    """One obligation's clock, walked control by control."""

    cal: object
    amount: int
    unit: str
    start: dt.datetime
    pause_cap_wd: int | None = 15
    extension_limit: int = 20
    pauses: list = field(default_factory=list)  # (first day, last day)
    paused_at: dt.datetime | None = None
    paused_cap: dt.datetime | None = None
    extension: int = 0
    extended: bool = False
    late_extensions: int = 0

    def deadline(self, until: dt.datetime | None = None) -> tuple[dt.datetime, dt.date]:
        pauses = list(self.pauses)
        if self.paused_at is not None and until is not None:
            pauses.append(self._pause_days(until))
        total = self.amount + self.extension
        for first, last in pauses:
            total += max(counted_between(self.cal, first, last, self.unit), 0)
        day = last_day(self.cal, self.start.astimezone(SHANGHAI).date(), total, self.unit)
        return due_instant(day), day

    def _pause_days(self, until: dt.datetime) -> tuple[dt.date, dt.date]:
        end = until if self.paused_cap is None or until <= self.paused_cap else self.paused_cap
        return self.paused_at.astimezone(SHANGHAI).date(), end.astimezone(SHANGHAI).date()

    def _ran_out(self, moment: dt.datetime) -> bool:
        return moment >= self.deadline(until=moment)[0]

    def _expire(self, moment: dt.datetime) -> None:
        if self.paused_at is not None and self.paused_cap is not None and moment > self.paused_cap:
            self.resume(moment)

    def pause(self, moment: dt.datetime, capped: bool) -> None:
        self._expire(moment)
        if self.paused_at is not None or self._ran_out(moment):
            return
        self.paused_at = moment
        self.paused_cap = None
        if capped and self.pause_cap_wd is not None:
            cap_day = last_day(self.cal, moment.astimezone(SHANGHAI).date(), self.pause_cap_wd, "wd")
            self.paused_cap = dt.datetime.combine(cap_day, END_OF_DAY, SHANGHAI)

    def resume(self, moment: dt.datetime) -> None:
        if self.paused_at is None:
            return
        self.pauses.append(self._pause_days(moment))
        self.paused_at = self.paused_cap = None

    def restart(self, moment: dt.datetime) -> None:
        self._expire(moment)
        self.start, self.pauses, self.paused_at, self.paused_cap = moment, [], None, None

    def extend(self, moment: dt.datetime, days) -> None:
        self._expire(moment)
        if self._ran_out(moment):
            self.late_extensions += 1
        elif not self.extended:
            self.extended = True
            asked = self.extension_limit if days is None else int(days)
            self.extension = min(asked, self.extension_limit)

    def verdict(
        self, done: dt.datetime | None, as_of: dt.datetime, warn_wd: int
    ) -> tuple[str, dt.date | None, int | None]:
        """(status, last day, units late or left) as of `as_of`; a fulfilment after as-of is not seen."""
        if done is not None and done <= as_of:
            self._expire(done)
            self.resume(done)
            due, last = self.deadline()
            if done < due:
                return "on_time", last, None
            return "late", last, max(counted_between(self.cal, last, done.date(), self.unit), 1)
        self._expire(as_of)
        if self.paused_at is not None:
            return "paused", None, None
        due, last = self.deadline()
        today = as_of.astimezone(SHANGHAI).date()
        if as_of >= due:
            return "overdue", last, max(counted_between(self.cal, last, today, self.unit), 1)
        left = counted_between(self.cal, today, last, "wd")
        return ("due_soon" if left <= warn_wd else "pending"), last, left
