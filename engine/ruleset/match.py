"""`applies_to`: structured matches on event fields and attributes. Data, not code: no eval.

    applies_to:
      body: 江苏省司法厅                 # equality
      doc_type: [规范性文件, 政策文件]     # any of
      disclosure: {not: 不予公开}         # negation
      department: {in: [办公室, 法规处]}
      文号: {exists: true}
"""
from __future__ import annotations

from typing import Any, Callable

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
            raise MatchError(field, "a list of values must hold plain values")
        options = {str(x) for x in spec}
        return lambda v: v is not None and str(v) in options
    if isinstance(spec, dict):
        if len(spec) != 1 or next(iter(spec)) not in OPERATORS:
            raise MatchError(field, f"expected one operator of {', '.join(OPERATORS)}, got {list(spec)}")
        op, arg = next(iter(spec.items()))
        if op == "exists":
            if not isinstance(arg, bool):
                raise MatchError(field, "'exists' takes true or false")
            return (lambda v: v not in (None, "")) if arg else (lambda v: v in (None, ""))
        inner = _value_test(field, arg if op == "not" else (arg if isinstance(arg, list) else [arg]))
        return (lambda v: not inner(v)) if op == "not" else inner
    raise MatchError(field, f"expected a value, a list or an operator mapping, got {type(spec).__name__}")


def compile_filter(applies_to: dict[str, Any]) -> Predicate:
    """Turn a rule's applies_to mapping into a predicate over events (all keys must match)."""
    tests = [(str(field), _value_test(str(field), spec)) for field, spec in applies_to.items()]
    if not tests:
        return lambda event: True

    def predicate(event: Event) -> bool:
        return all(test(event.get(field)) for field, test in tests)

    return predicate
