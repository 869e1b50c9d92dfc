"""`shixian check PLAN`: a pre-publication check from the command line (exit 0 pass or warn, 1 fail, 2 bad input)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from ..check import PlanError
from ..engine import Engine
from ..errors import InputError
from ..events.jsonl import BadRecord, decode_document, parse_json
from ..model.findings import STATUS_ZH
from ..yamlsource import load_yaml_text
from . import options


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check",
        help="check a planned publication before it goes live",
        description="Exit codes: 0 pass or warn, 1 fail, 2 bad input.",
    )
    parser.add_argument("plan", help="plan file (JSON or YAML), or - for standard input")
    options.add_rules(parser)
    options.add_calendar(parser)
    parser.add_argument("--warn-within", default="2wd", metavar="PERIOD")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(run=run)


def read_plan(source: str) -> dict:
    """A plan file (or standard input) as a mapping; anything else is an InputError with where it broke."""
    name = "<stdin>" if source == "-" else source
    text = decode_document(sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes(), name)
    if text.lstrip().startswith("{"):
        data = parse_json(text)  # nesting and number length bounded, never a RecursionError
        if isinstance(data, BadRecord):
            raise InputError(f"{name}: {data}")
    else:
        data = load_yaml_text(text, name)
    if not isinstance(data, dict):
        raise InputError(f"{name}: a plan is a mapping with 'document' and the planned times")
    return data


def run(args) -> int:
    engine = Engine.load(args.rules, args.calendar, args.calendar_dir)
    try:
        result = engine.check(read_plan(args.plan), options.warn_within(args))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(f"plan field {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    except PlanError as exc:
        raise InputError(f"plan field {exc}") from None
    if args.format == "json":
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"verdict: {result.verdict}")
        for warning in result.warnings:
            print(f"  注意 (warning): {warning}")
        for f in result.findings:
            print(f"  {STATUS_ZH.get(f.status, f.status)} [{f.severity}] {f.message}")
        if result.obligations:
            print("obligations:")
            for item in result.obligations:
                print(f"  {item['state']:<16} {item['summary']}")
    return 1 if result.verdict == "fail" else 0
