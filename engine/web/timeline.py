"""A finding's timeline for 问题详情: the subject's events in order and each rule's clock, its steps
marked by the kind of day they count (rest days, named holidays, make-up working days)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..cli.explain_cmd import QUIET_ZH
from ..model.findings import STATUS_ZH

DAY_STEP = re.compile(r"\d{4}-\d{2}-\d{2} 周")


@dataclass
class Step:
    text: str
    kind: str  # "" | rest | holiday | makeup


@dataclass
class Clock:
    rule: str
    title: str
    verdict: str
    message: str
    steps: list[Step]
    this: bool  # the clock of the finding shown


@dataclass
class Timeline:
    events: list = field(default_factory=list)
    clocks: list[Clock] = field(default_factory=list)
    available: bool = False


def step_kind(text: str) -> str:
    """The kind of day a day-by-day step counts ('2024-09-14 周六，中秋调休上班 → 第17个工作日')."""
    if not DAY_STEP.match(text):
        return ""
    if "调休上班" in text:
        return "makeup"
    if "放假" in text:
        return "holiday"
    if "周末休息" in text:
        return "rest"
    return ""


def steps_of(lines: list[str]) -> list[Step]:
    return [Step(line.strip(), step_kind(line.strip())) for line in lines]


def timeline(engine, evaluation, finding: dict) -> Timeline:
    """From the re-evaluated latest run when it is at hand; otherwise the finding's own explanation only."""
    out = Timeline()
    subject = finding["subject"]
    if evaluation is not None and evaluation.complete:
        out.available = True
        out.events = evaluation.events_by_subject.get(subject, [])
        for outcome in evaluation.outcomes_of(subject):
            verdict = STATUS_ZH.get(outcome.status) or QUIET_ZH.get(outcome.status, outcome.status)
            this = outcome.rule == finding["rule"] and outcome.fingerprint == finding["fingerprint"]
            out.clocks.append(
                Clock(
                    outcome.rule, outcome.title, verdict, outcome.message, steps_of(outcome.explanation), this
                )
            )
    if not any(c.this for c in out.clocks):
        out.clocks.insert(
            0,
            Clock(
                finding["rule"],
                finding["title"],
                STATUS_ZH.get(finding["status"], finding["status"]),
                finding["message"],
                steps_of(finding["explanation"]),
                True,
            ),
        )
    out.clocks.sort(key=lambda c: not c.this)
    return out
