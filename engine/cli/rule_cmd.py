"""`shixian rule new`: write a rule from an obligation's parts (a deadline, or `--kind` order, recurrence or
ratio), with two test cases: one that keeps the obligation and one that does not.

Every part can be given as a flag; on a terminal the missing ones are asked for, in Chinese, one at a time,
and a wrong answer is asked again with the fix (an event type typed as its Chinese name is taken as its id).
The file written is validated and its two cases run before the command ends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from ..calendar import SHANGHAI, Period, load_calendar
from ..calendar.period import normalise_period_text, period_suggestion
from ..errors import InputError, ShixianError
from ..model.findings import SEVERITIES
from ..paths import bundled
from ..ruleset.loader import VOCABULARY_FILE, RuleLoadError, _read_vocabulary
from ..ruleset.scaffold import Obligation, build
from ..ruletest import run_tests
from ..suggest import closest, hint
from ..timeparse import parse_officer_date, parse_officer_instant

# (flag, prompt, required)
HEAD = [
    ("id", "规则编号（字母、数字和 . _ -，如 linyi-2021.normative-submit）", True),
    ("title", "标题（用业务人员的话写明义务，如 规范性文件应在印发之日起20日内报送备案）", True),
    ("document", "出处：文件名称（如《XX市行政规范性文件管理办法》）", True),
    ("article", "出处：条款（如 第十五条）", True),
    ("text", "出处：原文（照录）", True),
]
TAIL = [
    ("body", "适用机关（只适用于某一机关时填写，否则直接回车）", False),
    ("effective_from", "施行日期（如 2025-01-01，直接回车表示不限）", False),
]
KIND_PARTS = {
    "deadline": [
        ("trigger", "触发事件（开始计时的事件，如 document.issued 或 文件印发）", True),
        ("fulfil", "履行事件（应在期限内发生的事件，如 normative.submitted 或 规范性文件报送）", True),
        ("within", "期限（如 20日、3个工作日、5小时、1个月，或 20d、3wd、5h、1m）", True),
    ],
    "order": [
        ("first", "在先事件（应先发生的，如 document.reviewed 或 文件保密审查）", True),
        ("then", "在后事件（须以在先事件为前提的，如 document.published 或 文件公开发布）", True),
    ],
    "recurrence": [
        ("open", "开启事件（状态开始，如 incident.occurred 或 突发事件发生）", True),
        ("close", "结束事件（状态结束，如 incident.closed）", True),
        ("event", "重复事件（状态开启期间应反复发生的，如 info.released 或 发布权威信息）", True),
        ("every", "最长间隔（如 24小时、7日、1个月，或 24h、7d、1m）", True),
    ],
    "ratio": [
        ("event", "计数的对象事件（每个对象一个主体，如 service.listed）", True),
        ("where", "计入分子的条件（属性=值，如 网上办=是）", True),
        ("at_least", "不低于（百分数，如 80%）", True),
        ("by", "判定日期（在这一日24时判定，如 2018-06-30）", True),
    ],
}
PARTS = HEAD + KIND_PARTS["deadline"] + TAIL  # every flag, for the parser
EVENT_FLAGS = ("trigger", "fulfil", "first", "then", "open", "close", "event")


def register(sub: argparse._SubParsersAction) -> None:
    rule = sub.add_parser("rule", help="规则编写工具 (rule authoring tools)")
    rule_sub = rule.add_subparsers(dest="rule_command", required=True, metavar="COMMAND")
    new = rule_sub.add_parser(
        "new",
        help="由义务的各部分生成一条规则（期限、先后顺序、持续发生、比例）和两个测试用例 "
        "(write a rule and two test cases: one kept, one not)",
    )
    new.add_argument(
        "--kind",
        choices=list(KIND_PARTS),
        default="deadline",
        help="规则种类：deadline 期限（默认）、order 先后顺序、recurrence 持续发生、ratio 比例",
    )
    flags = dict.fromkeys(f for parts in [HEAD, *KIND_PARTS.values(), TAIL] for f, _, _ in parts)
    prompts = {f: p for parts in [HEAD, *KIND_PARTS.values(), TAIL] for f, p, _ in parts}
    for flag in flags:
        new.add_argument("--" + flag.replace("_", "-"), dest=flag, help=prompts[flag])
    new.add_argument(
        "--severity",
        choices=SEVERITIES,
        default="error",
        help="error 法定义务（默认）、warning 本地目标、info 提示",
    )
    new.add_argument("--reading", help="解读：对原文如何理解（可选）")
    new.add_argument("--pack", help="规则包名称（新文件时；默认取规则编号的第一段）")
    new.add_argument(
        "--example-start",
        metavar="INSTANT",
        help="测试用例的起算时刻（默认：施行日期或今天的 10:00，Asia/Shanghai）",
    )
    new.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="写入的规则文件；已存在时加在其 rules 列表末尾",
    )
    new.add_argument("--no-input", action="store_true", help="不提问：缺少的部分直接报错")
    new.set_defaults(run=run_new)


def _vocabulary(output: Path) -> dict[str, str]:
    files = [bundled("rules") / VOCABULARY_FILE]
    beside = output.parent / VOCABULARY_FILE
    return _read_vocabulary(files + ([beside] if beside.exists() else []))


def _check(flag: str, value: str, vocabulary: dict[str, str]) -> str:
    """The value as it will be written, or InputError saying what to write instead."""
    value = value.strip()
    if flag in EVENT_FLAGS:
        if value in vocabulary:
            return value
        by_label = {label: name for name, label in vocabulary.items()}
        if value in by_label:
            return by_label[value]
        guess = closest(value, vocabulary, vocabulary)
        raise InputError(
            f"未知的事件类型 '{value}'。{hint(guess, vocabulary)} 可用的事件类型见 rules/{VOCABULARY_FILE}"
        )
    if flag == "at_least":
        text = value.replace("％", "%")
        if not re.fullmatch(r"\d+(\.\d+)?%?", text):
            raise InputError(f"百分数写法不对：{value!r}，应写如 80%")
        return text if text.endswith("%") else text + "%"
    if flag == "by":
        return parse_officer_date(value).isoformat()
    if flag == "where":
        pairs = [p.strip() for p in re.split(r"[,，、;；]", value) if p.strip()]
        if not pairs or not all(re.fullmatch(r"[^=＝]+[=＝][^=＝]+", p) for p in pairs):
            raise InputError(f"条件写法不对：{value!r}，应写如 网上办=是（几项用逗号隔开）")
        return value
    if flag in ("within", "every"):
        normal = normalise_period_text(value) or value
        try:
            return str(Period.parse(normal))
        except InputError:
            guess = period_suggestion(value)
            raise InputError(
                f"期限写法不对：{value!r}。{hint(guess)} 应写如 20日、3个工作日、5小时、1个月"
            ) from None
    if flag == "effective_from":
        return parse_officer_date(value).isoformat()
    if flag == "id":
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", value):
            raise InputError(f"规则编号 {value!r} 只能用字母、数字和 . _ -，以字母或数字开头")
    if not value:
        raise InputError("这一项必须填写")
    return value


def _where(text: str) -> dict[str, str]:
    """ "网上办=是，类型=审批" -> {"网上办": "是", "类型": "审批"} (checked by _check first)."""
    pairs = (re.split(r"[=＝]", p, maxsplit=1) for p in re.split(r"[,，、;；]", text) if p.strip())
    return {key.strip(): value.strip() for key, value in pairs}


def _ask(prompt: str) -> str:
    print(prompt + "：", end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    if not line:
        raise ShixianError("输入已结束，未生成规则 (input ended)")
    return line.rstrip("\n")


def run_new(args) -> int:
    vocabulary = _vocabulary(args.output)
    interactive = sys.stdin.isatty() and not args.no_input
    parts: dict[str, str | None] = {}
    for flag, prompt, required in HEAD + KIND_PARTS[args.kind] + TAIL:
        value = getattr(args, flag)
        while True:
            if value is None and interactive:
                value = _ask(prompt)
            if value is None or (not value.strip() and not required):
                if required:
                    raise InputError(
                        f"缺少 --{flag.replace('_', '-')}：{prompt} (missing --{flag.replace('_', '-')})"
                    )
                parts[flag] = None
                break
            try:
                parts[flag] = _check(flag, value, vocabulary)
                break
            except InputError as exc:
                if not interactive:
                    raise InputError(f"--{flag.replace('_', '-')}：{exc}") from None
                print(f"  {exc}", file=sys.stderr)
                value = None
    effective = dt.date.fromisoformat(parts["effective_from"]) if parts["effective_from"] else None
    if args.example_start:
        start, _ = parse_officer_instant(args.example_start)
        if not isinstance(start, dt.datetime):
            start = dt.datetime.combine(start, dt.time(10))
    else:
        day = effective or dt.datetime.now(SHANGHAI).date()
        start = dt.datetime.combine(day, dt.time(10))
    where = parts.get("where")
    obligation = Obligation(
        id=parts["id"],
        title=parts["title"],
        document=parts["document"],
        article=parts["article"],
        text=parts["text"],
        body=parts["body"],
        severity=args.severity,
        effective_from=effective,
        reading=args.reading,
        kind=args.kind,
        **{f: parts[f] for f, _, _ in KIND_PARTS[args.kind] if f not in ("where", "by")},
        where=_where(where) if where else None,
        by=dt.date.fromisoformat(parts["by"]) if parts.get("by") else None,
    )
    scaffold = build(obligation, start, load_calendar())
    output: Path = args.output
    if output.exists():
        text = output.read_text(encoding="utf-8-sig")
        if not text.rstrip().splitlines() or not _rules_last(text):
            raise ShixianError(
                f"{output}: 只能加在以 rules 列表结尾的规则文件末尾 (the file must end with its rules list)"
            )
        if re.search(rf"^\s*-?\s*id:\s*['\"]?{re.escape(parts['id'])}['\"]?\s*$", text, re.M):
            raise ShixianError(
                f"{output}: 已有编号为 {parts['id']} 的规则；新版本请另起编号或手工写不重叠的 effective "
                f"(a rule with this id exists)"
            )
        output.write_text(text.rstrip("\n") + "\n" + scaffold.rule_text(), encoding="utf-8")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(scaffold.pack_text(args.pack or parts["id"].split(".")[0]), encoding="utf-8")
    print(
        f"已写入 {output}：规则 {parts['id']}"
        + (f"，示例截止 {scaffold.due_text}" if scaffold.due_text else "")
    )
    print("测试用例的依据（请对照原文和节假日安排核对）：")
    for step in scaffold.steps:
        print(f"  {step}")
    try:
        results = [r for r in run_tests([output]) if r.where.endswith(" " + parts["id"])]
    except RuleLoadError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        return 2
    failed = [r for r in results if not r.passed]
    for result in results:
        print(f"{'PASS' if result.passed else 'FAIL'} {result.name}")
        for line in result.problems + result.details:
            print(f"     {line}")
    return 1 if failed else 0


def _rules_last(text: str) -> bool:
    """Whether the file's last top-level key is `rules` (so a rule can be appended to the end)."""
    top = [
        line
        for line in text.splitlines()
        if line and not line[0].isspace() and not line.startswith(("#", "-"))
    ]
    return bool(top) and top[-1].startswith("rules:")
