"""Periods as written in rules and on the command line: `7d`, `3wd`, `5h`, `1m`, `1y`, `0d`."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError

UNITS = {
    "d": "日",
    "wd": "个工作日",
    "h": "小时",
    "m": "个月",
    "y": "年",
}
_PATTERN = re.compile(r"^\s*(\d{1,5})\s*(wd|d|h|m|y)\s*$")


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # one of UNITS

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.match(str(text))
        if not match:
            raise InputError(
                f"bad period {text!r}: expected a whole number and a unit "
                f"({', '.join(UNITS)}), e.g. 7d, 3wd, 5h, 1m"
            )
        return cls(int(match.group(1)), match.group(2))

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def chinese(self) -> str:
        return f"{self.amount}{UNITS[self.unit]}"
