"""`shixian test`: run the test cases rule authors write beside their rules.

A case gives events and an as-of moment and lists the findings it expects; it passes when the
findings of the rule (or, in a *.test.yaml file, of every rule loaded) match one to one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .audit import Engine
from .calendar import SHANGHAI, Period, WorkCalendar, load_calendar
from .events.read import BadRecord, event_from_record
from .model.findings import Finding
from .model.rules import TestCase, TestFile
from .ruleset.loader import TEST_SUFFIX, RuleSet, _validation_errors, load_rules
from .yamlsource import load_yaml_file

MATCH_KEYS = ("rule", "subject", "status", "deadline", "severity", "period", "overdue_by", "body", "department")


@dataclass
class CaseResult:
    where: str
    name: str
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


def _as_of(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    return dt.datetime.combine(value, dt.time(23, 59, 59), SHANGHAI)


def _matches(expected: dict[str, Any], finding: Finding) -> bool:
    for key, want in expected.items():
        want = str(want)
        if key == "deadline":
            text = finding.deadline_text or ""
            if not (text == want or text.split(" ")[0] == want
                    or (finding.deadline and finding.deadline.isoformat() == want)):
                return False
        elif str(getattr(finding, key)) != want:
            return False
    return True


def _short(finding: Finding) -> str:
    return (f"{{rule: {finding.rule}, subject: {finding.subject}, status: {finding.status}, "
            f"deadline: {finding.deadline_text}}}")


def run_case(engine: Engine, case: TestCase, rule_ids: set[str] | None, where: str) -> CaseResult:
    problems: list[str] = []
    events = []
    for index, raw in enumerate(case.events, start=1):
        record = {"id": f"t{index}", **case.defaults, **raw}
        try:
            events.append(event_from_record(record, f"{where} event {index}", engine.ruleset.event_types))
        except BadRecord as exc:
            problems.append(f"event {index}: {exc}")
    for index, expected in enumerate(case.expect, start=1):
        unknown = set(expected) - set(MATCH_KEYS)
        if unknown:
            problems.append(f"expect {index}: unknown key(s) {sorted(unknown)}; use {', '.join(MATCH_KEYS)}")
    if problems:
        return CaseResult(where, case.name, problems)
    result = engine.evaluate(events, _as_of(case.as_of), Period(2, "wd"))
    findings = [f for f in result.findings if rule_ids is None or f.rule in rule_ids]
    remaining = list(findings)
    for expected in case.expect:
        hit = next((f for f in remaining if _matches(expected, f)), None)
        if hit is None:
            problems.append(f"expected {expected} not found")
        else:
            remaining.remove(hit)
    for extra in remaining:
        problems.append(f"unexpected {_short(extra)}")
    if problems and findings:
        problems.append("got: " + "; ".join(_short(f) for f in findings))
    return CaseResult(where, case.name, problems)


def _test_files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        found.extend(sorted(path.rglob(f"*{TEST_SUFFIX}")) if path.is_dir() else
                     ([path] if path.name.endswith(TEST_SUFFIX) else []))
    return found


def run_tests(paths: list[Path], calendar: WorkCalendar | None = None) -> list[CaseResult]:
    """Run every case of every rule under `paths`, and every *.test.yaml file there.

    A test file named on its own is run against the rules of its directory.
    """
    rule_paths = [p.parent if p.name.endswith(TEST_SUFFIX) else p for p in paths]
    ruleset: RuleSet = load_rules(list(dict.fromkeys(rule_paths)))
    engine = Engine(ruleset, calendar or load_calendar())
    results: list[CaseResult] = []
    for loaded in ruleset.rules:
        for case in loaded.rule.tests:
            results.append(run_case(engine, case, {loaded.id}, f"{loaded.path}:{loaded.line} {loaded.id}"))
    for path in _test_files(paths):
        doc = load_yaml_file(path)
        try:
            test_file = TestFile.model_validate(doc)
        except ValidationError as exc:
            raise _validation_errors(path, doc, exc)[0] from None
        for case in test_file.cases:
            ids = set(case.rules) if case.rules else None
            results.append(run_case(engine, case, ids, str(path)))
    return results
