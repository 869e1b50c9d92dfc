"""`shixian explain`: the timeline of one subject, the clocks each rule ran, and the verdict."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine import Engine
from ..evaluate.context import fmt
from ..model.findings import QUIET_ZH, STATUS_ZH
from ..pipeline import judge, read
from . import options


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("explain", help="print one subject's events, each rule's clock and the verdict")
    parser.add_argument("--events", nargs="+", type=Path, required=True, metavar="FILE")
    parser.add_argument("--subject", required=True, help="the document, request, incident or task id")
    parser.add_argument("--rule", help="only this rule id")
    options.add_evaluation(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    engine = Engine.load(args.rules, args.calendar, args.calendar_dir)
    frame = read(engine.ruleset, args.events)  # the audit's reader: the same events, rejects and repeats
    as_of = options.as_of(args)
    result = judge(
        engine.ruleset, engine.calendar, frame, as_of, options.warn_within(args), keep_outcomes=True
    )
    mine = sorted(
        (
            e
            for e in frame.all_events(engine.ruleset.event_types)
            if e.subject == args.subject or args.subject in map(str, e.attrs.values())
        ),
        key=lambda e: e.time,
    )
    print(f"对象 {args.subject}（截至 {fmt(as_of)}）")
    if not mine:
        print("  没有该对象的事件 (no events for this subject)")
    for event in mine:
        later = "  [晚于截至时刻，未计入]" if event.time > as_of else ""
        name = engine.ruleset.event_types.get(event.type, "")
        print(
            f"  {fmt(event.time)}  {event.type} {name}  {event.id}  {event.body}/{event.department or '-'}{later}"
        )
    outcomes = [
        o for o in result.outcomes if o.subject == args.subject and (not args.rule or o.rule == args.rule)
    ]
    if not outcomes:
        print("没有规则对该对象计时 (no rule applies)")
    for outcome in outcomes:
        verdict = STATUS_ZH.get(outcome.status) or QUIET_ZH.get(outcome.status, outcome.status)
        print(f"\n规则 {outcome.rule}：{outcome.title}")
        print(f"  依据：{outcome.source.get('document', '')} {outcome.source.get('article', '')}")
        for step in outcome.explanation:
            print(f"  {step}")
        print(f"  结论：{verdict} — {outcome.message}")
    return 0
