"""`shixian plan import`: a work plan's text to a task list (a rule file) and a review list."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from ..errors import InputError
from ..planimport import import_plan, review_file, rule_file
from ..ruleset.loader import load_rules


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("plan", help="work plans (政务公开工作要点)")
    plan_sub = parser.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    imp = plan_sub.add_parser(
        "import", help="read a plan's plain text into tasks, draft obligations and what could not be read"
    )
    imp.add_argument("plan", type=Path, help="the plan as plain text (UTF-8)")
    imp.add_argument("--body", required=True, help="the body whose plan it is (机关), e.g. 江苏省司法厅")
    imp.add_argument("--year", required=True, type=int, help="the year the plan covers")
    imp.add_argument("-o", "--output", type=Path, help="task list rule file to write (default: stdout)")
    imp.add_argument(
        "--review",
        type=Path,
        help="draft obligations and unread phrases (default: beside -o as *.review.yaml, or stderr)",
    )
    imp.add_argument("--id-prefix", help="task id prefix (default: T<year>)")
    imp.add_argument("--title", help="the plan's title (default: the first non-empty line)")
    imp.set_defaults(run=run_import)


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def run_import(args) -> int:
    try:
        text = args.plan.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{args.plan}: not UTF-8 text") from None
    if not 1990 <= args.year <= 2100:
        raise InputError(f"bad year {args.year}")
    title = args.title or next((line.strip() for line in text.splitlines() if line.strip()), str(args.plan))
    prefix = args.id_prefix or f"T{args.year}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", prefix):
        raise InputError(f"bad --id-prefix {prefix!r}: letters, digits, '.', '_' and '-'")
    result = import_plan(text, args.year, prefix)
    pack = f"plan-{prefix.lower()}"
    rules_text = _dump(rule_file(result, args.body, args.year, title, pack))
    review_text = _dump(review_file(result, title))
    if args.output:
        args.output.write_text(rules_text, encoding="utf-8")
        load_rules([args.output])  # what we write must load: fail loudly otherwise
        review = args.review or args.output.with_name(args.output.name.replace(".yaml", "") + ".review.yaml")
        review.write_text(review_text, encoding="utf-8")
        dated = sum(1 for t in result.tasks if t.due)
        print(
            f"{len(result.tasks)} tasks ({dated} with a due date) -> {args.output}; "
            f"{len(result.drafts)} draft obligations, {len(result.unread)} unread -> {review}"
        )
    else:
        sys.stdout.write(rules_text)
        if args.review:
            args.review.write_text(review_text, encoding="utf-8")
        else:
            sys.stderr.write(review_text)
    return 0
