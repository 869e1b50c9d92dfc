"""`shixian validate`, `shixian test`, `shixian schema`: for people who write rules."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..model.rules import RuleFile, TestFile
from ..ruleset.loader import RuleLoadError, load_rules
from ..ruletest import run_tests


def register(sub: argparse._SubParsersAction) -> None:
    validate = sub.add_parser("validate", help="check rule files; each error names file, line, column and field")
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="rule files or directories")
    validate.set_defaults(run=run_validate)

    test = sub.add_parser("test", help="run the test cases written in and beside rule files")
    test.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="rule files, *.test.yaml files or directories")
    test.add_argument("-v", "--verbose", action="store_true", help="also list passing cases")
    test.set_defaults(run=run_test)

    schema = sub.add_parser("schema", help="print the JSON Schema of rule files (for editors)")
    schema.add_argument("--tests", action="store_true", help="the schema of *.test.yaml files instead")
    schema.set_defaults(run=run_schema)


def run_validate(args) -> int:
    try:
        ruleset = load_rules(args.paths)
    except RuleLoadError as exc:
        for error in exc.errors:
            print(error)
        print(f"{len(exc.errors)} error{'s' if len(exc.errors) != 1 else ''}")
        return 1
    print(f"ok: {len(ruleset.files)} files, {len(ruleset.rules)} rules, revision {ruleset.revision}")
    return 0


def run_test(args) -> int:
    results = run_tests(args.paths)
    failed = [r for r in results if not r.passed]
    for result in results:
        if result.passed and args.verbose:
            print(f"PASS {result.where} — {result.name}")
        elif not result.passed:
            print(f"FAIL {result.where} — {result.name}")
            for problem in result.problems:
                print(f"     {problem}")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or not results else 0


def schema_json(tests: bool = False) -> str:
    model = TestFile if tests else RuleFile
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "shixian test file" if tests else "shixian rule file"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def run_schema(args) -> int:
    sys.stdout.write(schema_json(args.tests))
    return 0
