"""`shixian validate`, `shixian test`, `shixian schema`: for people who write rules.

Exit codes: validate 0 clean (warnings allowed), 2 a rule or test file has errors; test 0 all passed,
1 a case failed (or there were none), 2 a file has errors (nothing was run).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..model.rules import RuleFile, TestFile
from ..ruleset.loader import RuleLoadError
from ..ruletest import junit_xml, run_tests, validate_paths


def register(sub: argparse._SubParsersAction) -> None:
    validate = sub.add_parser(
        "validate",
        help="检查规则文件和测试用例；每个错误给出文件:行:列和改法 (check rule files and their test cases)",
    )
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="rule files or directories")
    validate.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text（默认）或 json：每个错误的 file, line, column, code, message",
    )
    validate.set_defaults(run=run_validate)

    test = sub.add_parser("test", help="运行规则中和规则旁的测试用例 (run the test cases of rule files)")
    test.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="rule files, *.test.yaml files or directories"
    )
    test.add_argument("-v", "--verbose", action="store_true", help="also list passing cases")
    test.add_argument(
        "--format", choices=["text", "junit"], default="text", help="text（默认）或 junit（CI 用 XML）"
    )
    test.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write the report here instead of stdout"
    )
    test.set_defaults(run=run_test)

    schema = sub.add_parser("schema", help="print the JSON Schema of rule files (for editors)")
    schema.add_argument("--tests", action="store_true", help="the schema of *.test.yaml files instead")
    schema.set_defaults(run=run_schema)


def run_validate(args) -> int:
    problems, ruleset = validate_paths(args.paths)
    errors = [p for p in problems if p.severity == "error"]
    if args.format == "json":
        summary = {"ok": not errors, "errors": [e.to_json() for e in problems]}
        if ruleset is not None:
            summary.update(files=len(ruleset.files), rules=len(ruleset.rules), revision=ruleset.revision)
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 2 if errors else 0
    for problem in problems:
        print(problem)
    if errors:
        print(f"{len(errors)} 处错误 ({len(errors)} error{'s' if len(errors) != 1 else ''})")
        return 2
    warned = f", {len(problems)} 处警告 (warnings)" if problems else ""
    print(f"ok: {len(ruleset.files)} files, {len(ruleset.rules)} rules, revision {ruleset.revision}{warned}")
    return 0


def run_test(args) -> int:
    try:
        results = run_tests(args.paths)
    except RuleLoadError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print(
            f"{len(exc.errors)} 处错误，未运行测试；先修正（shixian validate） (errors: no test was run)",
            file=sys.stderr,
        )
        return 2
    failed = [r for r in results if not r.passed]
    if args.format == "junit":
        text = junit_xml(results)
    else:
        lines = []
        for result in results:
            if result.passed and args.verbose:
                lines.append(f"PASS {result.where} — {result.name}")
            elif not result.passed:
                lines.append(f"FAIL {result.where} — {result.name}")
                lines += [f"     {problem}" for problem in result.problems]
                lines += [f"   {detail}" for detail in result.details]
        lines.append(f"{len(results) - len(failed)} passed, {len(failed)} failed")
        if not results:
            lines.append("没有找到测试用例 (no test cases found)")
        text = "\n".join(lines) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"{len(results) - len(failed)} passed, {len(failed)} failed; report: {args.output}")
    else:
        sys.stdout.write(text)
    return 1 if failed or not results else 0


def schema_json(tests: bool = False) -> str:
    model = TestFile if tests else RuleFile
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "shixian 测试文件 (test file)" if tests else "shixian 规则文件 (rule file)"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def run_schema(args) -> int:
    sys.stdout.write(schema_json(args.tests))
    return 0
