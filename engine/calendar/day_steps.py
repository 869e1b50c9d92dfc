"""A deadline's counting in words, day by day (`shixian explain`, every finding's explanation): the pauses
and extension counted, each working day numbered or each rest day rolled over, the article applied. The
same for every start on one day, so written once per day and reused; `workcal.WorkCalendar._due` is the
same arithmetic without words (a property test keeps the two equal).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from .deadline import SHANGHAI, Conventions
from .period import UNITS as UNIT_ZH
from .period import Period

_LONG_WALK = 45  # windows longer than this list only the notable days


class DaySteps:
    """The explaining methods of `WorkCalendar`, over the day index its `__init__` builds (the attributes
    below) and its scalar arithmetic (`add_working_days`, `next_working_day`, `day_info`, ...)."""

    _base: int
    _working_l: list[bool]
    _day_texts: dict[int, str]
    _day_steps: dict[tuple, tuple]

    def day_steps(
        self,
        day: dt.date,
        period: Period,
        conventions: Conventions,
        tz: ZoneInfo = SHANGHAI,
        pause_days=(),
        extension: int = 0,
        extension_note: str = "",
    ) -> tuple[tuple[str, ...], dt.datetime, dt.date, Period]:
        """The day-counting steps of `deadline` after its first line (`start_step`), its due instant, last
        day and the period counted: the same for every start on one day, so written once and reused."""
        key = (day, period, conventions, tz.key, pause_days, extension, extension_note)
        cached = self._day_steps.get(key)
        if cached is None:
            if len(self._day_steps) > 100_000:  # explanations repeat by day; bound the memory all the same
                self._day_steps.clear()
            cached = self._day_steps[key] = self._count_days(
                day, period, conventions, tz, pause_days, extension, extension_note
            )
        return cached

    def _count_days(
        self,
        day: dt.date,
        period: Period,
        conventions: Conventions,
        tz: ZoneInfo,
        pause_days,
        extension: int,
        extension_note: str,
    ) -> tuple[tuple[str, ...], dt.datetime, dt.date, Period]:
        steps: list[str] = []
        extra = 0
        for b, e, why in pause_days:
            skipped = (
                self.working_days_between(b, e) if period.unit == "wd" else e.toordinal() - b.toordinal()
            )
            extra += max(skipped, 0)
            unit = "个工作日" if period.unit == "wd" else "日"
            steps.append(f"暂停 {b} 至 {e}（{why}），不计 {skipped} {unit}")
        if extension:
            steps.append(f"延长 {extension}{UNIT_ZH[period.unit]}{extension_note}")
        if extra or extension:
            period = Period(period.amount + extra + extension, period.unit)
            steps.append(f"合计期间 {period.chinese}")
        if period.unit == "wd":
            last = self._explain_working_days(day, period.amount, conventions.start, steps)
        else:
            steps.append("开始的当日不计入，自下一日开始计算（民法典第二百零一条）")
            if period.unit == "d":
                raw = dt.date.fromordinal(day.toordinal() + period.amount)
                steps.append(f"{day} + {period.amount}日 = {raw}")
            else:
                months = period.amount * (12 if period.unit == "y" else 1)
                raw = day + relativedelta(months=months)
                steps.append(
                    f"{day} + {period.chinese} = {raw}（到期月的对应日；没有对应日的，月末日为最后一日，民法典第二百零二条）"
                )
            last = raw
            if conventions.roll:
                info = self.day_info(raw)
                if info.working:
                    steps.append(f"{raw} {info.reason}，即期间的最后一日")
                else:
                    last = self.next_working_day(raw)
                    steps.append(
                        f"{raw} {info.reason}；最后一日是休息日，顺延至其后第一个工作日 {last}（民法典第二百零三条）"
                    )
                    self._walk(raw, last, steps, counted=False)
            else:
                steps.append("本规则不顺延休息日")
        if conventions.closing is None:
            due = dt.datetime.combine(dt.date.fromordinal(last.toordinal() + 1), dt.time(0), tz)
            steps.append(f"截止: {last} 24:00（期间最后一日的二十四时，民法典第二百零三条）")
        else:
            due = dt.datetime.combine(last, conventions.closing, tz)
            steps.append(f"截止: {last} {conventions.closing:%H:%M}（规则规定的截止时间）")
        return tuple(steps), due, last, period

    def _explain_working_days(self, day: dt.date, n: int, start_rule: str, steps: list[str]) -> dt.date:
        first = day
        if start_rule == "next-working" and not self.is_working_day(day):
            first = self.next_working_day(day)
            steps.append(f"{day} {self.day_info(day).reason}；视为下一个工作日 {first} 起算")
        steps.append("按工作日计算：开始的当日不计入；周末和法定节假日不计，调休上班日计入")
        last = self.add_working_days(first, n)
        if n > 0:
            self._walk(first, last, steps, counted=True)
        steps.append(f"第{n}个工作日: {last}")
        return last

    def _walk(self, after: dt.date, through: dt.date, steps: list[str], counted: bool) -> None:
        """List the days in (after, through]: each one for short windows, the notable ones otherwise."""
        first, last = after.toordinal() - self._base + 1, through.toordinal() - self._base
        long_walk = last - first + 1 > _LONG_WALK
        count = 0
        for i in range(first, last + 1):
            working = self._working_l[i]
            if working:
                count += 1
            if long_walk and working and i != last and (self._base + i) % 7 not in (6, 0):  # a plain weekday
                continue
            text = self._day_text(i)
            if working and counted:
                steps.append(f"  {text} → 第{count}个工作日")
            else:
                steps.append(f"  {text}，不计" if not working else f"  {text}")

    def _day_text(self, i: int) -> str:
        """'2024-10-08 周二，工作日' for day index i, written once per calendar (explanations repeat days)."""
        text = self._day_texts.get(i)
        if text is None:
            info = self.day_info(self._date(i))
            text = self._day_texts[i] = f"{info.date} {info.reason}"
        return text
