"""Mutation testing of the law's arithmetic: would the tests catch a wrong reading? (`make mutate`, on demand)

Two kinds of mutants, each applied alone:

- code: comparison flips (< <=, > >=, == !=), off-by-one on small integers, + -, & |, and/or, min/max,
  not dropped, True/False, in the functions of engine/evaluate/clock.py, engine/evaluate/verdict.py and the
  calendar's arithmetic (engine/calendar/workcal.py, array_forms.py, day_steps.py). A mutant replaces one
  function's code object in a forked child, which runs the tests that judge that code (CODE_TESTS and the
  bundled rule packs' cases); nothing is written to disk, so the worktree is never left mutated.
- rule packs: each reading of the bundled packs changed by one step: a period's amount ±1 or its unit
  (wd/d), a cap removed or ±1, an effective date ±1 day (the 2008/2019 switch included), a due day ±1, a
  field dropped from a field list, a clock control or extra trigger/fulfilment removed, roll or optional
  flipped. The mutated text is given to `shixian test`'s runner in place of the file (its `overrides`).

A mutant is killed when a test fails (or the rule files no longer load); it survives when everything passes.
Survivors are printed with where and what; those shown to be equivalent are listed in EQUIVALENT with why.
Exit code 0 when every survivor is a known equivalent, 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime as dt
import inspect
import os
import re
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CLOCK_TESTS = [
    "tests/test_clock_boundaries.py",
    "tests/test_verdict.py",
    "tests/test_evaluator.py",
    "tests/test_clock_forms.py",
]
CALENDAR_TESTS = [
    "tests/test_calendar_examples.py",
    "tests/test_clock_boundaries.py",
    "tests/test_calendar_properties.py",
    "tests/test_calendar_array_forms.py",
]
# file -> (functions to mutate, None for all; the tests that judge them, besides the bundled rule packs' cases)
CODE_TARGETS = {
    "engine/evaluate/clock.py": (None, CLOCK_TESTS),
    "engine/evaluate/verdict.py": (None, CLOCK_TESTS),
    "engine/calendar/workcal.py": (
        [
            "WorkCalendar.add_working_days",
            "WorkCalendar.working_days_between",
            "WorkCalendar.add_days",
            "WorkCalendar.add_months",
            "WorkCalendar._due",
            "WorkCalendar.next_working_day",
            "WorkCalendar.previous_working_day",
            "WorkCalendar.units_between",
            "WorkCalendar._kth_working",
        ],
        CALENDAR_TESTS,
    ),
    "engine/calendar/array_forms.py": (
        [
            "ArrayForms.due_array",
            "ArrayForms.working_days_between_array",
            "ArrayForms.add_working_days_array",
        ],
        CALENDAR_TESTS,
    ),
    "engine/calendar/day_steps.py": (["DaySteps._count_days"], CALENDAR_TESTS),
}
RULES = ROOT / "rules"

# Mutants shown equivalent: key -> why (keys as printed for survivors; a key moves when its line does).
_ANNUAL = (
    "an annual-report rule picks its version by the report year's 31 December (periodic.DueByEvaluator), "
    "so moving its effective dates by a day inside 2008-04/05 or 2019-05 changes no version"
)
_TASKS = (
    "a task list judges the tasks whose due date is inside its effective dates; no task is due on that day"
)
_YEARLY = (
    "a yearly due_by rule judges year Y when its effective dates contain Y's 31 December "
    "(periodic.DueByEvaluator): moving from by a day inside the year, or to from 31 December to 1 January, "
    "changes no year judged"
)
_STOCK = (
    "a share of a stock judged once on `by` (2018-06-30): every record before it counts, earlier years' too "
    "(the reading: 此前各年的记录也算), so the effective dates select no record and 06-30 lies inside them "
    "either way (ratio.RatioEvaluator._windows)"
)
_PER_YEAR = (
    "a per-year ratio judges each calendar year from the one holding its first day to the one holding its "
    "last, counting the year's records whatever the day: from 01-15/01-17 or to 12-30 leave 2018 the one year"
)
_FLAG = "the flag bit is 2, 4, 8 or 16: `kind & FLAG` is 0 or FLAG, so `> 1` is `> 0`"
_SENTINEL = "-1 and -2 both mean 'no open pause' / 'no last day': only compared with 0 or ignored when not ok"
_DISTINCT = (
    "differs only for a control that is both a restart/pause/resume and an extension; no rule names one "
    "event type for two of these"
)
_DECLINE = (
    "only decides whether the array form vouches for a clock; declining more sends it to run_clock, the "
    "same answer"
)
EQUIVALENT: dict[str, str] = {
    **{
        f"rules/national/ogi-2008.yaml:{line}: {what}": _ANNUAL
        for line in (63, 77)
        for what in (
            "from: 2008-05-01 -> 2008-04-30",
            "from: 2008-05-01 -> 2008-05-02",
            "to: 2019-05-14 -> 2019-05-13",
        )
    },
    **{f"rules/national/ogi-2019.yaml:{line}: from: 2019-05-15 -> 2019-05-16": _ANNUAL for line in (87, 101)},
    **{
        f"rules/jiangsu-2018/tasks.yaml:12: {what}": _TASKS
        for what in (
            "from: 2018-01-16 -> 2018-01-15",
            "from: 2018-01-16 -> 2018-01-17",
            "to: 2018-12-31 -> 2019-01-01",
        )
    },
    **{
        f"rules/shanghai-2024/tasks.yaml:12: {what}": _TASKS
        for what in (
            "from: 2024-01-01 -> 2023-12-31",
            "from: 2024-01-01 -> 2024-01-02",
            "to: 2024-12-31 -> 2025-01-01",
        )
    },
    **{
        f"rules/jiangsu-2018/plan.yaml:{key}": _YEARLY
        for key in (
            "247: from: 2018-01-16 -> 2018-01-15",
            "247: from: 2018-01-16 -> 2018-01-17",
            "247: to: 2018-12-31 -> 2019-01-01",
            "264: from: 2018-01-16 -> 2018-01-15",
            "264: from: 2018-01-16 -> 2018-01-17",
            "264: to: 2018-12-31 -> 2019-01-01",
        )
    },
    **{
        f"rules/jiangsu-2018/plan.yaml:209: {what}": _STOCK
        for what in (
            "from: 2018-01-16 -> 2018-01-15",
            "from: 2018-01-16 -> 2018-01-17",
            "to: 2018-12-31 -> 2018-12-30",
            "to: 2018-12-31 -> 2019-01-01",
        )
    },
    **{
        f"rules/jiangsu-2018/plan.yaml:228: {what}": _PER_YEAR
        for what in (
            "from: 2018-01-16 -> 2018-01-15",
            "from: 2018-01-16 -> 2018-01-17",
            "to: 2018-12-31 -> 2018-12-30",
        )
    },
    **{
        f"rules/shanghai-2024/plan.yaml:{line}: {what}": _YEARLY
        for line in (51, 159)
        for what in (
            "from: 2024-01-01 -> 2024-01-02",
            "to: 2024-12-31 -> 2025-01-01",
        )
    },
    "engine/evaluate/clock.py:125:75-80 _cap: False -> True": "explain=True writes the counting steps at once instead of on "
    "demand; the due instant and last day are the same",
    "engine/evaluate/clock.py:147:31-42 _end: > -> >=": "at until == cap (23:59:59.999999 of the cap's last day) both branches end "
    "the pause at the same instant; only the words differ",
    "engine/evaluate/clock.py:141:64-78 expire_pause: > -> >=": "as above: the same pause end at the cap's last microsecond",
    "engine/evaluate/clock.py:144:87-92 _end: False -> True": "the default serves expire_pause alone, whose pauses all end at their "
    "caps, where still_open is not read",
    "engine/evaluate/clock.py:163:22-43 union: < -> <=": "pauses that touch (one ends at the instant the next begins) counted merged "
    "or apart give the same units: (b1, e] and (e, e2] make (b1, e2], in days, working days and hours; only "
    "the words differ",
    **{
        f"engine/evaluate/clock.py:162:68-69 union: {what}": "the order of pauses beginning at the same instant: they are merged "
        "either way (unless the first lasts no time, which counts nothing); only the order of names differs"
        for what in ("1 -> 2", "1 -> 0")
    },
    "engine/evaluate/clock.py:240:7-72 deadline: and -> or": "with no open pause end_pause returns at once, so also entering the "
    "branch changes nothing",
    "engine/evaluate/clock.py:242:85-89 deadline: True -> False": "the words of a pause counted to `until` are never shown: "
    "_ran_out and _late use the due instant and its text only",
    "engine/evaluate/clock.py:317:56-57 clock_deadlines: 0 -> 1": "DECLINE is 16: " + _FLAG,
    "engine/evaluate/clock.py:330:27-32 clock_deadlines: False -> True": "a pause whose days the calendar lacks leaves a deadline "
    "it lacks too, so the final due_of declines the clock",
    "engine/evaluate/clock.py:333:44-45 clock_deadlines: 0 -> -1": "a pause cannot end before the day it began (controls come in "
    "time order): the units are never negative",
    "engine/evaluate/clock.py:335:11-61 clock_deadlines: - -> +": "ranks become larger but keep each clock's controls in order and "
    "distinct: the same walk with idle rounds",
    "engine/evaluate/clock.py:336:37-38 clock_deadlines: 1 -> 2": "one more round with no control in it",
    "engine/evaluate/clock.py:336:57-58 clock_deadlines: 0 -> 1": "with no control at all, one round over no control",
    "engine/evaluate/clock.py:336:57-58 clock_deadlines: 0 -> -1": "with no control at all, no round either way",
    "engine/evaluate/clock.py:342:59-60 clock_deadlines: 1 -> 2": _SENTINEL,
    **{
        f"engine/evaluate/clock.py:{where} clock_deadlines: 0 -> 1": "PAUSE is 2: " + _FLAG
        for where in ("343:45-46", "352:31-32")
    },
    "engine/evaluate/clock.py:357:26-27 clock_deadlines: 1 -> 2": _SENTINEL,
    "engine/evaluate/clock.py:359:19-36 clock_deadlines: & -> |": "a pause is never a restart too: "
    + _DISTINCT,
    "engine/evaluate/clock.py:359:19-46 clock_deadlines: & -> |": _DISTINCT,
    "engine/evaluate/clock.py:359:68-69 clock_deadlines: 0 -> 1": "EXTEND is 8: " + _FLAG,
    **{
        f"engine/evaluate/clock.py:{where} {what}": _DECLINE
        for where, what in (
            ("363:22-47", "clock_deadlines: | -> &"),
            ("363:42-47", "clock_deadlines: not/~ dropped"),
            ("363:37-38", "clock_deadlines: 0 -> -1"),
            ("363:23-38", "clock_deadlines: >= -> >"),
            ("367:18-28", "clock_deadlines: < -> <="),
            ("367:27-28", "clock_deadlines: 0 -> 1"),
            ("388:11-20", "_due_many: < -> <="),
            ("388:19-20", "_due_many: 0 -> 1"),
        )
    },
    "engine/evaluate/clock.py:363:37-38 clock_deadlines: 0 -> 1": "an extension while paused (here: paused by the first control of "
    "all) comes before the deadline, which the pause moves, so run_clock grants it as the array form does",
    "engine/evaluate/clock.py:388:19-20 _due_many: 0 -> -1": "a negative total needs a negative extension, which the array form has "
    "already declined",
    "engine/evaluate/clock.py:382:32-33 _due_many: 1 -> 2": "the last day of a clock not vouched for is never read",
    "engine/evaluate/clock.py:382:32-33 _due_many: 1 -> 0": "the last day of a clock not vouched for is never read",
    "engine/evaluate/verdict.py:36:12-26 due_soon: < -> <=": "every caller (Context.judge_open, the screen) asks "
    "only about obligations not overdue, i.e. as_of < due",
    # the calendar's array forms: bounds that only keep look-ups inside the table, and guards a caller's n >= 1
    # or the table's shape (it begins on 1 January and ends on 31 December of covered years) already decide
    "engine/calendar/array_forms.py:44:11-82 ArrayForms.add_working_days_array: and -> or": "_has_gaps is False only when no day of "
    "the table is uncovered (_uncovered all 0), so the comparison after it is False then too",
    **{
        key: "k = _cum[idx] + n - 1 is never negative for n >= 1, the array form's use (a period's "
        "working days; for n <= 0 it is not the scalar add, which the docstring's 'strict add' means): the "
        "branch for k < 0 and the year it names are never reached"
        for key in (
            "engine/calendar/array_forms.py:39:67-68 ArrayForms.add_working_days_array: 0 -> -1",
            "engine/calendar/array_forms.py:41:74-93 ArrayForms.add_working_days_array: - -> +",
            "engine/calendar/array_forms.py:41:92-93 ArrayForms.add_working_days_array: 1 -> 2",
            "engine/calendar/array_forms.py:41:92-93 ArrayForms.add_working_days_array: 1 -> 0",
        )
    },
    **{
        key: "an index outside the table is already not ok (`inside`, `covered`, or the pair's bounds); "
        "the clipped index only keeps the look-ups in range, and -1 is in range"
        for key in (
            "engine/calendar/array_forms.py:75:27-28 ArrayForms.due_array: 0 -> -1",
            "engine/calendar/array_forms.py:86:29-30 ArrayForms.due_array: 0 -> -1",
            "engine/calendar/array_forms.py:80:37-38 ArrayForms.due_array: 0 -> -1",
            "engine/calendar/array_forms.py:103:33-34 ArrayForms.due_array: 0 -> -1",
            "engine/calendar/array_forms.py:132:28-29 ArrayForms.working_days_between_array: 0 -> -1",
            "engine/calendar/array_forms.py:132:53-54 ArrayForms.working_days_between_array: 0 -> -1",
        )
    },
    **{
        key: "the table begins on 1 January of a covered year: _uncovered[0] and _uncovered[1] are 0, "
        "so whether index 0 (or 1) reads its predecessor's count or 0 gives the same answer"
        for key in (
            "engine/calendar/array_forms.py:75:27-28 ArrayForms.due_array: 0 -> 1",
            "engine/calendar/array_forms.py:76:28-33 ArrayForms.due_array: > -> >=",
            "engine/calendar/array_forms.py:76:32-33 ArrayForms.due_array: 0 -> 1",
            "engine/calendar/array_forms.py:76:32-33 ArrayForms.due_array: 0 -> -1",
            "engine/calendar/array_forms.py:76:69-70 ArrayForms.due_array: 0 -> 1",
            "engine/calendar/array_forms.py:76:69-70 ArrayForms.due_array: 0 -> -1",
            "engine/calendar/array_forms.py:134:26-32 ArrayForms.working_days_between_array: > -> >=",
            "engine/calendar/array_forms.py:134:31-32 ArrayForms.working_days_between_array: 0 -> 1",
            "engine/calendar/array_forms.py:134:31-32 ArrayForms.working_days_between_array: 0 -> -1",
            "engine/calendar/array_forms.py:134:69-70 ArrayForms.working_days_between_array: 0 -> 1",
            "engine/calendar/array_forms.py:134:69-70 ArrayForms.working_days_between_array: 0 -> -1",
        )
    },
    "engine/calendar/array_forms.py:75:37-38 ArrayForms.due_array: 1 -> 2": "the table ends on 31 December of a covered year: the last "
    "index and the one before it are in that year, so clipping to either gives the same coverage",
    **{
        key: "next_working is given indices already clipped to the table (0 .. size-1), so its own "
        "clip's bounds change nothing; at the last index a rest day has the same working-day count as the day "
        "before it, so clipping to size-2 finds the same next working day"
        for key in (
            "engine/calendar/array_forms.py:80:40-48 ArrayForms.due_array: - -> +",
            "engine/calendar/array_forms.py:80:47-48 ArrayForms.due_array: 1 -> 2",
            "engine/calendar/array_forms.py:80:47-48 ArrayForms.due_array: 1 -> 0",
        )
    },
    "engine/calendar/array_forms.py:103:33-34 ArrayForms.due_array: 0 -> 1": "index 0 is 1 January (元旦), always a rest day: rolling "
    "from it or from the next day finds the same first working day",
    **{
        f"engine/calendar/array_forms.py:68:54-55 ArrayForms.due_array: {what}": "the last days of a result not vouched for (ok False: "
        "months, years, a table from before 1992) are never read"
        for what in ("1 -> 2", "1 -> 0")
    },
    "engine/calendar/array_forms.py:96:28-29 ArrayForms.due_array: 0 -> -1": "with at least one working day to add, k = _cum + amount - 1 "
    "is never negative",
    "engine/calendar/array_forms.py:97:49-50 ArrayForms.due_array: 0 -> -1": "as above: k is never negative, the clip's lower bound is "
    "never used",
    "engine/calendar/workcal.py:318:107-108 WorkCalendar._due: 0 -> -1": "a pause cannot end before the day it "
    "began: its days are never negative",
    **{
        f"engine/calendar/workcal.py:208:{where} WorkCalendar.add_working_days: {what}": "n == 0 is answered on "
        "the line before, so n > 0, n >= 0 and n > -1 agree on every n that gets here"
        for where, what in (("13-18", "> -> >="), ("17-18", "0 -> -1"))
    },
    "engine/calendar/day_steps.py:68:34-35 DaySteps._count_days: 0 -> -1": "a pause cannot end before the day it began: its days "
    "are never negative",
}
EQUIVALENT = {k: v for k, v in EQUIVALENT.items() if v}


@dataclass
class Mutant:
    key: str  # where and what, stable across runs
    kind: str  # code | rule
    apply: object  # code: (live function, mutated function: code and defaults); rule: (path, text)
    tests: tuple[str, ...] = ()  # code: the test files to run


# -- code mutants ------------------------------------------------------------------------------------------
CMP_SWAP = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
BIN_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd}
SYMBOL = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Add: "+",
    ast.Sub: "-",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.And: "and",
    ast.Or: "or",
}


def _annotations(func: ast.AST) -> set[int]:
    """Ids of the nodes inside annotations: strings never evaluated (from __future__ import annotations)."""
    roots = [func.returns] if getattr(func, "returns", None) else []
    for node in ast.walk(func):
        if isinstance(node, ast.arg) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
    return {id(n) for root in roots for n in ast.walk(root)}


def _edits(func: ast.AST):
    """(node path, description, edit function) for each one-step change inside a function."""
    skip = _annotations(func)
    for node in ast.walk(func):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in CMP_SWAP:
                    new = CMP_SWAP[type(op)]
                    yield (
                        node,
                        f"{SYMBOL[type(op)]} -> {SYMBOL[new]}",
                        (lambda n, i=i, new=new: n.ops.__setitem__(i, new())),
                    )
        elif isinstance(node, ast.BinOp) and type(node.op) in BIN_SWAP:
            new = BIN_SWAP[type(node.op)]
            yield (
                node,
                f"{SYMBOL[type(node.op)]} -> {SYMBOL[new]}",
                (lambda n, new=new: setattr(n, "op", new())),
            )
        elif isinstance(node, ast.BoolOp):
            new = ast.Or if isinstance(node.op, ast.And) else ast.And
            yield (
                node,
                f"{SYMBOL[type(node.op)]} -> {SYMBOL[new]}",
                (lambda n, new=new: setattr(n, "op", new())),
            )
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
            yield node, "not/~ dropped", None  # handled by replacing the node with its operand
        elif isinstance(node, ast.Constant) and type(node.value) is int and -2 <= node.value <= 31:
            for step in (1, -1):
                yield (
                    node,
                    f"{node.value} -> {node.value + step}",
                    (lambda n, v=node.value + step: setattr(n, "value", v)),
                )
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            yield node, f"{node.value} -> {not node.value}", (lambda n: setattr(n, "value", not n.value))
        elif (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "max")
        ):
            new = "max" if node.func.id == "min" else "min"
            yield node, f"{node.func.id} -> {new}", (lambda n, new=new: setattr(n.func, "id", new))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("maximum", "minimum")
        ):
            new = "minimum" if node.func.attr == "maximum" else "maximum"
            yield node, f"np.{node.func.attr} -> np.{new}", (lambda n, new=new: setattr(n.func, "attr", new))


def _functions(tree: ast.Module):
    """(qualname, FunctionDef) of top-level functions and methods."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{item.name}", item


def _live_function(module, qualname: str):
    obj = module
    for part in qualname.split("."):
        obj = inspect.getattr_static(obj, part)
    for attr in ("__func__", "func", "fget"):  # staticmethod/classmethod, cached_property, property
        obj = getattr(obj, attr, obj)
    return obj


def _drop_unary(func: ast.FunctionDef, target: ast.UnaryOp) -> None:
    for parent in ast.walk(func):
        for name, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, name, target.operand)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if item is target:
                        value[i] = target.operand


def code_mutants(only: str | None = None) -> list[Mutant]:
    import importlib

    out = []
    for rel, (wanted, tests) in CODE_TARGETS.items():
        module = importlib.import_module(rel[:-3].replace("/", "."))
        source = (ROOT / rel).read_text(encoding="utf-8")
        tree = ast.parse(source)
        for qualname, func in _functions(tree):
            if wanted is not None and qualname not in wanted:
                continue
            live = _live_function(module, qualname)
            for index, (node, what, edit) in enumerate(list(_edits(func))):
                key = f"{rel}:{node.lineno}:{node.col_offset}-{node.end_col_offset} {qualname}: {what}"
                if only and only not in key:
                    continue
                mutated = copy.deepcopy(func)
                mutated.decorator_list = []
                target = list(_edits(mutated))[index][0]
                if edit is None:
                    _drop_unary(mutated, target)
                else:
                    edit(target)
                if any(isinstance(n, ast.Name) and n.id == "__class__" for n in ast.walk(mutated)):
                    continue
                namespace = dict(vars(module))
                compiled = compile(
                    ast.fix_missing_locations(ast.Module([mutated], [])), str(ROOT / rel), "exec"
                )
                exec(compiled, namespace)  # noqa: S102 - our own source, one operator changed
                new = namespace[mutated.name]
                if new.__code__.co_freevars != live.__code__.co_freevars:
                    continue
                out.append(Mutant(key, "code", (live, new), tuple(tests)))
    return out


# -- rule-pack mutants ---------------------------------------------------------------------------------------
def _day_shift(text: str, step: int) -> str:
    """A date `step` days away (through the calendar, as every date computation here)."""
    return CALENDAR.add_days(dt.date.fromisoformat(text), step, roll=False).isoformat()


LINE_RULES = [
    # (pattern on a line, description, replacement function returning new lines' texts)
    (re.compile(r"^(\s*(?:within|max|at_least|warn_within): )(\d+)(wd|d|h|m|y)?\b"), "amount"),
    (re.compile(r"\b(from|to): (\d{4}-\d{2}-\d{2})"), "date"),
    (re.compile(r"\b(month|day|years_after): (\d+)"), "due"),
    (re.compile(r"\b(roll|optional): (true|false)\b"), "flag"),
    (re.compile(r"\bstart: (strict|next-working)\b"), "start"),
]


def _rule_line_mutants(lines: list[str], i: int):
    line = lines[i]
    stripped = line.strip()
    if stripped.startswith("#"):
        return
    m = LINE_RULES[0][0].match(line)
    if m:
        prefix, amount, unit = m.group(1), int(m.group(2)), m.group(3) or ""
        rest = line[m.end() :]
        for new in (amount - 1, amount + 1):
            if new >= 0:
                yield f"{stripped} -> {new}{unit}", prefix + f"{new}{unit}" + rest
        if unit in ("wd", "d"):
            other = "d" if unit == "wd" else "wd"
            yield f"{stripped} -> {amount}{other}", prefix + f"{amount}{other}" + rest
    for m in LINE_RULES[1][0].finditer(line):
        for step in (-1, 1):
            new = _day_shift(m.group(2), step)
            yield f"{m.group(0)} -> {new}", line[: m.start(2)] + new + line[m.end(2) :]
    for m in LINE_RULES[2][0].finditer(line):
        value = int(m.group(2))
        for new in (value - 1, value + 1):
            if new >= 0:
                yield f"{m.group(0)} -> {new}", line[: m.start(2)] + str(new) + line[m.end(2) :]
    for m in LINE_RULES[3][0].finditer(line):
        new = "false" if m.group(2) == "true" else "true"
        yield f"{m.group(0)} -> {new}", line[: m.start(2)] + new + line[m.end(2) :]
    for m in LINE_RULES[4][0].finditer(line):
        new = "next-working" if m.group(1) == "strict" else "strict"
        yield f"{m.group(0)} -> {new}", line[: m.start(1)] + new + line[m.end(1) :]
    m = re.match(r"^(\s*fields: \[)(.*)(\].*)$", line)
    if m:
        items = [x.strip() for x in m.group(2).split(",")]
        for k, item in enumerate(items):
            yield f"fields: {item} dropped", m.group(1) + ", ".join(items[:k] + items[k + 1 :]) + m.group(3)
    m = re.match(r"^(\s*)- \{on: ([\w.]+), resume: [\w.]+(, max: \w+)?\}\s*$", line)
    if m:
        yield f"pause on {m.group(2)} dropped", None
        if m.group(3):
            yield f"pause on {m.group(2)}: max dropped", line.replace(m.group(3), "")
    m = re.match(r"^\s*(restart|also_triggers|also_fulfils|applies_to): ", line)
    if m and not line.startswith("      "):
        yield f"{stripped} dropped", None
    m = re.search(r", notified: [\w.]+", line)
    if m:
        yield "extend: notified dropped", line.replace(m.group(0), "")
    m = re.search(r"\btimes: (\d+)", line)
    if m:
        yield (
            f"{m.group(0)} -> {int(m.group(1)) + 1}",
            line[: m.start(1)] + str(int(m.group(1)) + 1) + line[m.end(1) :],
        )


def rule_mutants(only: str | None = None) -> list[Mutant]:
    out = []
    for path in sorted(RULES.rglob("*.yaml")):
        if path.name.endswith(".test.yaml") or path.name == "event-types.yaml":
            continue
        rel = path.relative_to(ROOT).as_posix()
        lines = path.read_text(encoding="utf-8").split("\n")
        skipping = False  # a rule's own test cases, and reading options no bundled pack chooses
        for i, line in enumerate(lines):
            if re.match(r"^\s{4}(tests|options):", line):
                skipping = True
            elif re.match(r"^\s{2}- id:|^\s{4}[a-z_]+:", line):
                skipping = False
            if skipping or line.lstrip().startswith(("text:", "title:", "reading:", "- name:", "document:")):
                continue
            for what, new in _rule_line_mutants(lines, i):
                key = f"{rel}:{i + 1}: {what}"
                if only and only not in key:
                    continue
                text = "\n".join(lines[:i] + ([] if new is None else [new]) + lines[i + 1 :])
                out.append(Mutant(key, "rule", (str(RULES / path.relative_to(RULES)), text)))
    return out


# -- running -----------------------------------------------------------------------------------------------
def _rules_pass(overrides: dict[str, str] | None = None) -> bool:
    from engine.ruleset.loader import RuleLoadError
    from engine.ruletest import run_tests

    try:
        results = run_tests([RULES], calendar=CALENDAR, overrides=overrides)
    except RuleLoadError:
        return False
    return bool(results) and all(r.passed for r in results)


def _child_code(mutant: Mutant, tests: list[str]) -> int:
    import pytest

    live, new = mutant.apply
    live.__code__, live.__defaults__, live.__kwdefaults__ = new.__code__, new.__defaults__, new.__kwdefaults__
    os.chdir(ROOT)
    if not os.environ.get("MUTATE_SHOW"):  # the tests' output, for looking into one mutant
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    if not _rules_pass():
        return 1
    code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", "--no-header", "-o", "addopts=", *tests])
    return 0 if code == 0 else 1


def start_code(mutant: Mutant) -> int:
    """Fork a child that judges one code mutant; its exit status says killed (1) or survived (0)."""
    pid = os.fork()
    if pid == 0:
        try:
            status = _child_code(mutant, list(mutant.tests))
        except BaseException:
            status = 1
        os._exit(status)
    return pid


def run_all_code(mutants: list[Mutant], jobs: int, timeout: float):
    """(mutant, outcome) as the children finish, at most `jobs` at a time."""
    pending, running = list(mutants), {}
    while pending or running:
        while pending and len(running) < jobs:
            mutant = pending.pop(0)
            running[start_code(mutant)] = (mutant, time.monotonic() + timeout)
        for pid, (mutant, deadline) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                del running[pid]
                yield mutant, "survived" if os.waitstatus_to_exitcode(status) == 0 else "killed"
            elif time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                del running[pid]
                yield mutant, "killed (timeout)"
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=["code", "rule", "all"], default="all")
    parser.add_argument("--only", help="only mutants whose key contains this text")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per code mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--jobs", type=int, default=1, help="code mutants judged at once (default 1)")
    args = parser.parse_args(argv)
    global CALENDAR
    from engine.calendar import load_calendar

    CALENDAR = load_calendar()
    mutants = []
    if args.kind in ("code", "all"):
        mutants += code_mutants(args.only)
    if args.kind in ("rule", "all"):
        mutants += rule_mutants(args.only)
    if args.list:
        for m in mutants:
            print(m.key)
        print(f"{len(mutants)} mutants")
        return 0
    if not _rules_pass():
        print("the unmutated rule packs fail their tests: fix them first", file=sys.stderr)
        return 2
    started = time.monotonic()
    tally: dict[str, dict[str, int]] = {}
    survivors = []

    def outcomes():
        yield from run_all_code([m for m in mutants if m.kind == "code"], args.jobs, args.timeout)
        for mutant in (m for m in mutants if m.kind == "rule"):
            path, text = mutant.apply
            yield mutant, "survived" if _rules_pass({path: text}) else "killed"

    for n, (mutant, outcome) in enumerate(outcomes(), 1):
        bucket = tally.setdefault(mutant.kind, {"killed": 0, "survived": 0, "equivalent": 0})
        if outcome == "survived":
            if mutant.key in EQUIVALENT:
                bucket["equivalent"] += 1
                outcome = "equivalent"
            else:
                bucket["survived"] += 1
                survivors.append(mutant.key)
        else:
            bucket["killed"] += 1
        print(f"[{n}/{len(mutants)}] {outcome}: {mutant.key}", flush=True)
    print(f"\n{time.monotonic() - started:.0f} s")
    for kind, counts in tally.items():
        total = sum(counts.values())
        score = (counts["killed"] + counts["equivalent"]) / total if total else 1.0
        print(
            f"{kind}: {total} mutants, {counts['killed']} killed, {counts['equivalent']} equivalent, "
            f"{counts['survived']} survived: score {score:.1%}"
        )
    for key in survivors:
        print(f"SURVIVED {key}")
    return 1 if survivors else 0


CALENDAR = None

if __name__ == "__main__":
    sys.exit(main())
