"""The field types every rule kind is written with: a period, an event type, a date, each read from the
one-meaning forms officers write (`20日`/`3个工作日`/`5小时`/`1个月` by engine.calendar.period,
`2025/1/1`/`2025年1月1日` by engine.timeparse) and otherwise refused with a Chinese-first message.

Fields are strict (no `effective: {from: 0}` read as 1970-01-01, no `roll: 1` read as true): `Strict` is the
base of every model of a rule file.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ...calendar import Period
from ...calendar.period import normalise_period_text
from ...errors import InputError
from ...timeparse import parse_officer_date, parse_officer_instant

PERIOD_PATTERN = r"^\d{1,5}(wd|d|h|m|y)$"
EVENT_TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
PERCENT_PATTERN = r"^\d{1,3}(\.\d{1,4})?%$"


def period_text(value: Any) -> Any:
    if isinstance(value, str):
        return normalise_period_text(value) or value
    return value


def period_within_limits(value: str) -> str:
    """A period within the calendar's limits (engine.calendar.period.LIMITS): `9000y` fails here, not in audits."""
    try:
        Period.parse(value)
    except InputError as exc:
        raise validation_error("period_too_long", str(exc)) from None
    return value


def validation_error(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message.replace("{", "{{").replace("}", "}}"))


def officer_day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_officer_date(value)
        except InputError as exc:
            raise validation_error("bad_date", str(exc)) from None
    if isinstance(value, dt.datetime):
        raise validation_error(
            "bad_date",
            f"这里只要日期，不要时间：{value.isoformat()}，应写成 {value.date().isoformat()} "
            "(a date without a time)",
        )
    return value


def officer_instant(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_officer_instant(value)[0]
        except InputError as exc:
            raise validation_error("bad_date", str(exc)) from None
    return value


PeriodText = Annotated[
    str,
    BeforeValidator(period_text),
    Field(
        pattern=PERIOD_PATTERN,
        title="期限 (period)",
        description="数字加单位：d 日、wd 工作日、h 小时、m 月、y 年，如 7d、3wd、5h；也可写 20日、3个工作日、5小时、1个月。"
        " / a whole number and a unit: d (days), wd (working days), h (hours), m (months), y (years)",
    ),
    AfterValidator(period_within_limits),
]
EventType = Annotated[
    str,
    Field(
        pattern=EVENT_TYPE_PATTERN,
        title="事件类型 (event type)",
        description="rules/event-types.yaml 中的事件类型，如 document.published（文件公开发布）"
        " / an event type from rules/event-types.yaml",
    ),
]
Day = Annotated[dt.date, BeforeValidator(officer_day)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)
