"""Periods as written in rules and on the command line: `7d`, `3wd`, `5h`, `1m`, `1y`, `0d`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..errors import InputError

UNITS = {
    "d": "日",
    "wd": "个工作日",
    "h": "小时",
    "m": "个月",
    "y": "年",
}
# About a century in each unit: no time limit of the law is longer, and an instant (years up to 2999,
# engine/timeparse.py) plus such a period stays far inside the years date arithmetic can represent.
LIMITS = {"d": 36_600, "wd": 25_000, "h": 876_000, "m": 1_200, "y": 100}


def counted_in(unit: str) -> str:
    """The unit lateness and time left are counted in (`WorkCalendar.units_between`): a rule's own unit, except
    months and years, counted in days (a month missed by 3 days is 3日 late, not 3个月)."""
    return "d" if unit in ("m", "y") else unit


_PATTERN = re.compile(r"^\s*(\d{1,5})\s*(wd|d|h|m|y)\s*$")


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # one of UNITS

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.match(normalise_period_text(text) or str(text))
        if not match:
            raise InputError(
                f"bad period {text!r}: expected a whole number and a unit "
                f"({', '.join(UNITS)}), e.g. 7d, 3wd, 5h, 1m"
            )
        period = cls(int(match.group(1)), match.group(2))
        if period.amount > LIMITS[period.unit]:
            raise InputError(
                f"期限 {text!r} 过长：{period.unit} 最多 {LIMITS[period.unit]}（约一百年） "
                f"(period too long: at most {LIMITS[period.unit]}{period.unit})"
            )
        return period

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def chinese(self) -> str:
        return f"{self.amount}{UNITS[self.unit]}"


# Periods as officers write them. Only forms with one reading are accepted: 日/天/自然日 are calendar days,
# 工作日 working days, 小时 hours, 个月 months, 年 years. "3月" (March? three months?) and weeks are not:
# `period_suggestion` proposes the form to write instead.
CHINESE_UNITS = {
    "日": "d",
    "天": "d",
    "自然日": "d",
    "个自然日": "d",
    "个工作日": "wd",
    "工作日": "wd",
    "小时": "h",
    "个小时": "h",
    "个钟头": "h",
    "个月": "m",
    "年": "y",
}
_CHINESE = re.compile(r"^(\d{1,5})(" + "|".join(sorted(CHINESE_UNITS, key=len, reverse=True)) + r")$")
_WORDS = {
    "day": "d",
    "days": "d",
    "workday": "wd",
    "workdays": "wd",
    "wds": "wd",
    "bd": "wd",
    "hour": "h",
    "hours": "h",
    "hr": "h",
    "hrs": "h",
    "month": "m",
    "months": "m",
    "mo": "m",
    "year": "y",
    "years": "y",
    "yr": "y",
    "月": "m",
}
_WEEKS = ("w", "week", "weeks", "周", "个周", "星期", "个星期", "礼拜", "个礼拜")


def _compact(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).replace(" ", "").strip()


def normalise_period_text(text: object) -> str | None:
    """`20日` -> `20d`, `3个工作日` -> `3wd`, `5小时` -> `5h`, `1个月` -> `1m`; None for anything else."""
    match = _CHINESE.match(_compact(text))
    return f"{int(match.group(1))}{CHINESE_UNITS[match.group(2)]}" if match else None


def period_suggestion(text: object) -> str | None:
    """For a period that was refused, the form probably meant (a hint only, never applied)."""
    compact = _compact(text).lower()
    match = re.match(r"^(\d{1,5})(.*)$", compact)
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2)
    if unit in _WEEKS:
        return f"{amount * 7}d"
    if unit in _WORDS:
        return f"{amount}{_WORDS[unit]}"
    if unit in UNITS:  # upper case
        return f"{amount}{unit}"
    for tail in ("以内", "内"):  # "20日内": the key already says "within"
        if unit.endswith(tail) and unit != tail:
            return normalise_period_text(f"{amount}{unit[: -len(tail)]}") or period_suggestion(
                f"{amount}{unit[: -len(tail)]}"
            )
    return None
