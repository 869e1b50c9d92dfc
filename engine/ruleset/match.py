"""`applies_to`: structured matches on event fields and attributes. Data, not code: no eval.

applies_to:
  body: 江苏省司法厅                 # equality
  doc_type: [规范性文件, 政策文件]     # any of
  disclosure: {not: 不予公开}         # negation
  department: {in: [办公室, 法规处]}
  文号: {exists: true}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..model.events import Event

Predicate = Callable[[Event], bool]
OPERATORS = ("not", "in", "exists")


class MatchError(ValueError):
    """A malformed filter; `field` names the offending key."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _value_test(field: str, spec: Any) -> Callable[[Any], bool]:
    if _scalar(spec):
        text = str(spec)
        return lambda v: v is not None and str(v) == text
    if isinstance(spec, list):
        if not all(_scalar(x) for x in spec):
            raise MatchError(field, "值的列表里只能写单个的值 (a list of values must hold plain values)")
        options = {str(x) for x in spec}
        return lambda v: v is not None and str(v) in options
    if isinstance(spec, dict):
        if len(spec) != 1 or next(iter(spec)) not in OPERATORS:
            raise MatchError(
                field,
                f"应写一个运算：{'、'.join(OPERATORS)}，而不是 {list(spec)} (expected one operator of {', '.join(OPERATORS)})",
            )
        op, arg = next(iter(spec.items()))
        if op == "exists":
            if not isinstance(arg, bool):
                raise MatchError(field, "exists 只能写 true 或 false ('exists' takes true or false)")
            return (lambda v: v not in (None, "")) if arg else (lambda v: v in (None, ""))
        inner = _value_test(field, arg if op == "not" else (arg if isinstance(arg, list) else [arg]))
        return (lambda v: not inner(v)) if op == "not" else inner
    raise MatchError(
        field,
        "应写一个值、值的列表或 {not: ..}、{in: [..]}、{exists: true} (expected a value, a list or an operator mapping)",
    )


def compile_filter(applies_to: dict[str, Any]) -> Predicate:
    """Turn a rule's applies_to mapping into a predicate over events (all keys must match)."""
    tests = [(str(field), _value_test(str(field), spec)) for field, spec in applies_to.items()]
    if not tests:
        return lambda event: True

    def predicate(event: Event) -> bool:
        return all(test(event.get(field)) for field, test in tests)

    return predicate


def _value_mask(field: str, spec: Any, values) -> np.ndarray:
    """The same grammar as `_value_test`, over a column: `values` is a pyarrow string array where null
    stands for an absent value (None or "" in an attribute)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    present = pc.is_valid(values).to_numpy(zero_copy_only=False)
    if _scalar(spec) or isinstance(spec, list):
        options = [str(spec)] if _scalar(spec) else [str(x) for x in spec]
        if isinstance(spec, list) and not all(_scalar(x) for x in spec):
            raise MatchError(field, "值的列表里只能写单个的值 (a list of values must hold plain values)")
        hit = pc.is_in(values, value_set=pa.array(options, pa.string())).to_numpy(zero_copy_only=False)
        return present & hit
    if isinstance(spec, dict):
        if len(spec) != 1 or next(iter(spec)) not in OPERATORS:
            raise MatchError(
                field,
                f"应写一个运算：{'、'.join(OPERATORS)}，而不是 {list(spec)} (expected one operator of {', '.join(OPERATORS)})",
            )
        op, arg = next(iter(spec.items()))
        if op == "exists":
            empty = ~present | (pc.equal(values, "").fill_null(True).to_numpy(zero_copy_only=False))
            return ~empty if arg else empty
        inner = _value_mask(field, arg if op == "not" else (arg if isinstance(arg, list) else [arg]), values)
        return ~inner if op == "not" else inner
    raise MatchError(
        field,
        "应写一个值、值的列表或 {not: ..}、{in: [..]}、{exists: true} (expected a value, a list or an operator mapping)",
    )


def compile_mask(applies_to: dict[str, Any]) -> Callable[[Callable[[str], tuple], int], np.ndarray]:
    """The columnar twin of `compile_filter`, over dictionary-encoded columns: given `encoded(field)` =
    (distinct values as a pyarrow string array, null for an absent value; each row's index into them) and
    the row count, a boolean numpy mask of the rows that match. Each test runs once per distinct value."""

    def mask(encoded: Callable[[str], tuple], rows: int) -> np.ndarray:
        out = np.ones(rows, dtype=bool)
        for field, spec in applies_to.items():
            values, codes = encoded(str(field))
            out &= _value_mask(str(field), spec, values)[codes]
        return out

    return mask
