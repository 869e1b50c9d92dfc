"""`shixian test`: run the test cases rule authors write beside their rules.

A case gives events and an as-of moment and lists the findings it expects; it passes when the
findings of the rule (or, in a *.test.yaml file, of every rule loaded) match one to one. A failing
case says which expectation failed, expected against actual in the rule's words (截止 2025-10-09 vs
2025-10-08; 状态 逾期完成 vs 按期完成), and how the actual deadline was counted, so the author can
tell a wrong rule from a wrong expectation. Cases are checked (engine.ruleset.testcheck) before any runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .calendar import SHANGHAI, Period, WorkCalendar, load_calendar
from .engine import Engine
from .errors import SourceError
from .events.read import BadRecord, event_from_record
from .model.findings import QUIET_ZH, STATUS_ZH, Finding
from .model.rules import TestCase, TestFile
from .ruleset.loader import TEST_SUFFIX, RuleLoadError, RuleSet, load_rules
from .ruleset.messages import validation_errors
from .ruleset.testcheck import MATCH_KEYS, MATCH_ZH, check_case, normalised_events, normalised_expect
from .yamlsource import load_yaml_file


@dataclass
class CaseResult:
    where: str
    name: str
    problems: list[str]
    details: list[str] = field(default_factory=list)  # expected vs actual, explanation steps

    @property
    def passed(self) -> bool:
        return not self.problems


def _as_of(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    return dt.datetime.combine(value, dt.time(23, 59, 59), SHANGHAI)


def _actual(key: str, finding: Finding, want: Any = None) -> str:
    if key == "deadline":
        text = finding.deadline_text or "-"
        return text.split(" ")[0] if want is not None and " " not in str(want) else text
    return str(getattr(finding, key) or "-")


def _differs(key: str, want: Any, finding: Finding) -> bool:
    want = str(want)
    if key == "deadline":
        text = finding.deadline_text or ""
        return not (
            text == want
            or text.split(" ")[0] == want
            or (finding.deadline is not None and finding.deadline.isoformat() == want)
        )
    return _actual(key, finding) != want


def _words(key: str, value: str) -> str:
    if key == "status":
        zh = STATUS_ZH.get(value) or QUIET_ZH.get(value)
        return f"{zh}（{value}）" if zh else value
    return value


def _expect_text(expected: dict[str, Any]) -> str:
    return (
        "，".join(f"{MATCH_ZH.get(k, k)} {_words(k, str(v))}" for k, v in expected.items()) or "（任一结论）"
    )


def _finding_text(finding: Finding) -> str:
    return (
        f"规则 {finding.rule}，主体 {finding.subject}，状态 {_words('status', finding.status)}，"
        f"截止 {finding.deadline_text or '-'}"
        + (f"，逾期 {finding.overdue_by}" if finding.overdue_by else "")
    )


def _closest(expected: dict[str, Any], outcomes: list[Finding]) -> Finding | None:
    """The outcome the expectation was about: same subject (and rule) first, then most keys agreeing."""

    def score(outcome: Finding) -> tuple:
        same_subject = "subject" not in expected or not _differs("subject", expected["subject"], outcome)
        same_rule = "rule" not in expected or not _differs("rule", expected["rule"], outcome)
        agree = sum(not _differs(k, v, outcome) for k, v in expected.items())
        return same_subject, same_rule, agree

    candidates = sorted(outcomes, key=score, reverse=True)
    if candidates and score(candidates[0])[:2] == (True, True):
        return candidates[0]
    return None


def run_case(engine: Engine, case: TestCase, rule_ids: set[str] | None, where: str) -> CaseResult:
    problems: list[str] = []
    details: list[str] = []
    events = []
    for index, record in enumerate(normalised_events(case), start=1):
        try:
            events.append(event_from_record(record, f"{where} event {index}", engine.ruleset.event_types))
        except BadRecord as exc:
            problems.append(f"第 {index} 个事件无法读取 (event {index})：{exc}")
    if problems:
        return CaseResult(where, case.name, problems)
    # judged as a log is audited (engine/pipeline.py); the quiet outcomes too only to explain a failure
    result = engine.evaluate(events, _as_of(case.as_of), Period(2, "wd"))
    findings = [f for f in result.findings if rule_ids is None or f.rule in rule_ids]
    kept: list[list[Finding]] = []

    def mine() -> list[Finding]:
        """Every outcome of the case's rules, on time and pending included (the same findings, by value)."""
        if not kept:
            everything = engine.evaluate(events, _as_of(case.as_of), Period(2, "wd"), keep_outcomes=True)
            kept.append([f for f in everything.outcomes if rule_ids is None or f.rule in rule_ids])
        return kept[0]

    remaining = list(findings)
    explained: list[Finding] = []
    for index, expected in enumerate(normalised_expect(case), start=1):
        hit = next((f for f in remaining if not any(_differs(k, v, f) for k, v in expected.items())), None)
        if hit is not None:
            remaining.remove(hit)
            continue
        problems.append(
            f"应得结论第 {index} 条没有得到 (expectation {index} not met)：{_expect_text(expected)}"
        )
        near = _closest(expected, [f for f in mine() if f in remaining or f not in findings])
        if near is None:
            details.append(f"  第 {index} 条：没有该主体的任何结论或计时 (no outcome for this subject)")
            continue
        diffs = [
            f"{MATCH_ZH[k]} 应为 {_words(k, str(v))}，实际 {_words(k, _actual(k, near, v))}"
            for k, v in expected.items()
            if _differs(k, v, near)
        ]
        details.append(f"  第 {index} 条 应为/实际 (expected vs actual)：" + "；".join(diffs))
        if not any(near is done for done in explained):
            details += _steps(near)
            explained.append(near)
    for extra in remaining:
        problems.append(f"多出的结论 (unexpected finding)：{_finding_text(extra)}")
        if not any(extra is done for done in explained):
            details += _steps(extra)
            explained.append(extra)
    return CaseResult(where, case.name, problems, details)


def _steps(outcome: Finding) -> list[str]:
    head = (
        f"  实际截止 {outcome.deadline_text} 的计算 (how the actual deadline was counted)："
        if outcome.deadline_text
        else f"  {outcome.subject} 的计算过程："
    )
    return (
        [head]
        + [f"    {step}" for step in outcome.explanation or []]
        + ([f"    结论：{outcome.message}"] if outcome.message else [])
    )


def _test_files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        found.extend(
            sorted(path.rglob(f"*{TEST_SUFFIX}"))
            if path.is_dir()
            else ([path] if path.name.endswith(TEST_SUFFIX) else [])
        )
    return found


def load_test_files(paths: list[Path], ruleset: RuleSet) -> list[tuple[Path, TestFile]]:
    """Every *.test.yaml under `paths`, checked like a rule file; raises RuleLoadError with every problem."""
    errors: list[SourceError] = []
    loaded = []
    rule_ids = {r.id for r in ruleset.rules}
    for path in _test_files(paths):
        try:
            doc = load_yaml_file(path)
            test_file = TestFile.model_validate(doc)
        except SourceError as exc:
            errors.append(exc)
            continue
        except ValidationError as exc:
            errors.extend(validation_errors(path, doc, exc, ruleset.event_types))
            continue
        for node, case in zip(doc["cases"], test_file.cases):
            errors.extend(check_case(str(path), node, case, ruleset.event_types, rule_ids))
        loaded.append((path, test_file))
    if errors:
        raise RuleLoadError(errors)
    return loaded


def rule_paths(paths: list[Path]) -> list[Path]:
    """A test file named on its own is run against the rules of its directory."""
    return list(dict.fromkeys(p.parent if p.name.endswith(TEST_SUFFIX) else p for p in map(Path, paths)))


def validate_paths(
    paths: list[Path], overrides: dict[str, str] | None = None
) -> tuple[list[SourceError], RuleSet | None]:
    """(errors or warnings, rule set or None): the rule files and the *.test.yaml files beside them.

    This is `shixian validate`; the workbench's rule editor checks an unsaved text with `overrides`.
    """
    try:
        ruleset = load_rules(rule_paths(paths), overrides)
        load_test_files([Path(p) for p in paths], ruleset)
    except RuleLoadError as exc:
        return exc.errors, None
    return list(ruleset.warnings), ruleset


def run_tests(
    paths: list[Path],
    calendar: WorkCalendar | None = None,
    overrides: dict[str, str] | None = None,
    only_file: str | None = None,
) -> list[CaseResult]:
    """Run every case of every rule under `paths`, and every *.test.yaml file there (with `only_file`:
    the cases written in that rule file only)."""
    paths = [Path(p) for p in paths]
    ruleset: RuleSet = load_rules(rule_paths(paths), overrides)
    test_files = load_test_files(paths, ruleset) if only_file is None else []
    engine = Engine(ruleset, calendar or load_calendar())
    results: list[CaseResult] = []
    for loaded in ruleset.rules:
        if only_file is not None and loaded.path != str(only_file):
            continue
        for case in loaded.rule.tests:
            results.append(run_case(engine, case, {loaded.id}, f"{loaded.path}:{loaded.line} {loaded.id}"))
    for path, test_file in test_files:
        for case in test_file.cases:
            ids = set(case.rules) if case.rules else None
            results.append(run_case(engine, case, ids, str(path)))
    return results


def junit_xml(results: list[CaseResult]) -> str:
    """JUnit XML for CI dashboards: one testcase per case, the failure text as `shixian test` prints it."""
    from xml.etree import ElementTree as ET

    failures = sum(not r.passed for r in results)
    suite = ET.Element(
        "testsuite",
        name="shixian rule tests",
        tests=str(len(results)),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    for result in results:
        case = ET.SubElement(suite, "testcase", classname=result.where, name=result.name)
        if not result.passed:
            failure = ET.SubElement(case, "failure", message=result.problems[0], type="RuleTestFailure")
            failure.text = "\n".join(result.problems + result.details)
    suites = ET.Element("testsuites", tests=str(len(results)), failures=str(failures))
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


__all__ = [
    "CaseResult",
    "MATCH_KEYS",
    "junit_xml",
    "load_test_files",
    "run_case",
    "run_tests",
    "validate_paths",
]
