"""Pre-publication checks: what a planned publication would break, and what it starts, by when.

The plan is turned into the events it would create (document issued and published, its interpretation,
a comment period) plus any earlier events of the subject, and evaluated with the same rules as the
audit, as of the last planned moment. Only per-subject rules apply here (deadlines, spans, fields, order);
counts, yearly dates and task lists belong to the audit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .calendar import SHANGHAI, Period
from .errors import InputError
from .events.read import BadRecord, event_from_record
from .model.events import Event
from .model.findings import SEVERITY_RANK, VIOLATIONS, Finding
from .model.rules import DeadlineRule, FieldsRule, OrderRule, SpanRule
from .ruleset.loader import RuleSet
from .timeparse import check_year

PER_SUBJECT = (DeadlineRule, SpanRule, FieldsRule, OrderRule)
MAX_PLAN_EVENTS = 10_000  # a subject's history, not a log: larger plans are refused with 422


def _in_range(value: dt.date) -> dt.date:
    """A planned time in the years shixian times (timeparse.check_year): 0001 or 9999 is a 422, not a crash."""
    try:
        check_year(value, value.isoformat())
    except InputError as exc:
        raise ValueError(str(exc)) from None  # pydantic reports it with the field's path
    return value


PlanTime = Annotated[dt.datetime | dt.date, AfterValidator(_in_range)]


class PlannedDocument(BaseModel):
    """The document about to be published; any other key (文号, 成文日期, 发布日期, 有效性 ...) is an attribute."""

    model_config = ConfigDict(extra="allow")
    subject: str = Field(min_length=1, description="the document's id, e.g. JS-2018-101")
    body: str = Field(min_length=1, description="机关")
    department: str = ""
    doc_type: str | None = Field(default=None, description="政策文件, 规范性文件, ...")
    disclosure: str | None = Field(default=None, description="主动公开, 依申请公开, 不予公开")
    issued_at: PlanTime | None = Field(default=None, description="印发 (formed) at")


class CommentPeriod(BaseModel):
    model_config = ConfigDict(extra="forbid")
    open: PlanTime
    close: PlanTime
    feedback: PlanTime | None = Field(
        default=None, description="结果反馈 (意见采纳情况) published at: feedback.published"
    )
    subject: str | None = Field(default=None, description="default: the document's subject")


class Plan(BaseModel):
    """A planned publication, as a CMS sends it."""

    model_config = ConfigDict(extra="forbid")
    document: PlannedDocument
    publish_at: PlanTime | None = Field(default=None, description="planned publication")
    interpretation_at: PlanTime | None = Field(default=None, description="planned interpretation")
    interpretation_subject: str | None = None
    comment_period: CommentPeriod | None = None
    events: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=MAX_PLAN_EVENTS,
        description="the subject's earlier events (at most 10,000)",
    )
    packs: list[str] | None = Field(default=None, description="only these rule packs (default: all)")
    as_of: PlanTime | None = Field(default=None, description="default: the last planned moment")


class PlanError(ValueError):
    """A plan that cannot be checked; `loc` is the field path, as in a 422 response."""

    def __init__(self, loc: tuple, message: str):
        self.loc = loc
        super().__init__(f"{'.'.join(map(str, loc))}: {message}")


@dataclass
class CheckResult:
    verdict: str  # pass | warn | fail
    findings: list[Finding]
    obligations: list[dict]
    as_of: dt.datetime
    events: list[Event] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. no rule applied to the plan's body or doc type

    def to_json(self) -> dict:
        return {
            "verdict": self.verdict,
            "as_of": self.as_of.isoformat(),
            "findings": [f.to_json() for f in self.findings],
            "obligations": self.obligations,
            "warnings": self.warnings,
        }


def plan_instant(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    return dt.datetime.combine(value, dt.time(9, 0), SHANGHAI)


def plan_events(plan: Plan, vocabulary: dict[str, str]) -> list[Event]:
    doc = plan.document
    attrs = {k: v for k, v in (doc.model_extra or {}).items() if v not in (None, "")}
    for key in ("doc_type", "disclosure"):
        if getattr(doc, key):
            attrs[key] = getattr(doc, key)
    attrs = {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in attrs.items()}
    common = {"body": doc.body, "department": doc.department}
    events: list[Event] = []
    for index, raw in enumerate(plan.events):
        try:
            events.append(event_from_record({**common, **raw}, f"plan.events[{index}]", vocabulary))
        except BadRecord as exc:
            raise PlanError(("events", index), str(exc)) from None

    def add(kind: str, subject: str, when, extra: dict) -> None:
        events.append(
            Event(
                f"plan:{kind}:{subject}",
                kind,
                subject,
                plan_instant(when),
                doc.body,
                doc.department,
                extra,
                isinstance(when, dt.date) and not isinstance(when, dt.datetime),
                "plan",
            )
        )

    if doc.issued_at:
        add("document.issued", doc.subject, doc.issued_at, attrs)
    if plan.publish_at:
        add("document.published", doc.subject, plan.publish_at, attrs)
    if plan.interpretation_at:
        add(
            "interpretation.published",
            plan.interpretation_subject or f"{doc.subject}-JD",
            plan.interpretation_at,
            {"policy": doc.subject},
        )
    if plan.comment_period:
        subject = plan.comment_period.subject or doc.subject
        if plan_instant(plan.comment_period.close) < plan_instant(plan.comment_period.open):
            raise PlanError(("comment_period", "close"), "closes before it opens")
        add("consultation.opened", subject, plan.comment_period.open, {})
        add("consultation.closed", subject, plan.comment_period.close, {})
        if plan.comment_period.feedback:
            add("feedback.published", subject, plan.comment_period.feedback, {})
    if not events:
        raise PlanError(
            ("document",), "nothing planned: give issued_at, publish_at, interpretation_at or comment_period"
        )
    return events


def subset(ruleset: RuleSet, packs: list[str] | None) -> RuleSet:
    """The per-subject rules of the chosen packs (all packs when none are named)."""
    known = {r.pack for r in ruleset.rules}
    for index, pack in enumerate(packs or []):
        if pack not in known:
            raise PlanError(
                ("packs", index), f"unknown rule pack '{pack}'; known: {', '.join(sorted(known))}"
            )
    chosen = [r for r in ruleset.rules if isinstance(r.rule, PER_SUBJECT) and (not packs or r.pack in packs)]
    return RuleSet(chosen, ruleset.event_types, ruleset.files, ruleset.revision, parents=ruleset.parents)


def verdict_of(findings: list[Finding]) -> str:
    violations = [f for f in findings if f.status in VIOLATIONS]  # undetermined waits for a year's schedule
    if any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK["error"] for f in violations):
        return "fail"
    return "warn" if findings else "pass"


def obligation(outcome: Finding, within: str | None) -> dict:
    """An obligation the plan starts: what, by when, under which period and article, and how the plan fares."""
    state = {"on_time": "planned on time", "pending": "open", "due_soon": "open", "met": "met"}.get(
        outcome.status, outcome.status
    )
    source = outcome.source
    period = f"，{Period.parse(within).chinese}" if within else ""
    return {
        "rule": outcome.rule,
        "title": outcome.title,
        "subject": outcome.subject,
        "severity": outcome.severity,
        "within": within,
        "deadline": outcome.deadline.isoformat() if outcome.deadline else None,
        "deadline_text": outcome.deadline_text,
        "state": state,
        "source": f"{source.get('document', '')} {source.get('article', '')}".strip(),
        "summary": f"{outcome.title}：期限 {outcome.deadline_text}{period}（{source.get('document', '')}"
        f"{source.get('article', '')}）",
    }


def applicability(chosen: RuleSet, every: RuleSet, events: list[Event]) -> list[str]:
    """Warnings a CMS must see (Chinese first): a planned event that rules of its type exist for but none of
    them applies to, and a body or doc type no rule names though one it names is close (a typo such as
    临沂司法局 or 政策性文件 keeps every local rule away, and the plan would otherwise pass in silence)."""
    from .suggest import closest_few, rule_values

    bodies, doc_types = rule_values(every, "body"), rule_values(every, "doc_type")
    out: list[str] = []
    planned = [e for e in events if e.id.startswith("plan:")]
    for event in planned:
        candidates = chosen.by_type.get(event.type, [])
        if candidates and not any(rule.matches(event) for rule in candidates):
            label = every.event_types.get(event.type, event.type)
            doc_type = event.attrs.get("doc_type")
            out.append(
                f"没有一条规则适用于计划中的「{label}」（{event.type}，机关「{event.body}」"
                + (f"，文件类型「{doc_type}」" if doc_type else "")
                + "）：期限无从检查 "
                "(no rule of this kind applies to the plan's body and document type)"
            )
    if planned:
        first = planned[0]
        for what, value, known in (
            ("机关", first.body, bodies),
            ("文件类型", first.attrs.get("doc_type"), doc_types),
        ):
            if value and value not in known:
                near = closest_few(str(value), known, n=3, cutoff=0.4)
                if near:
                    out.append(
                        f"{what}「{value}」不是规则中出现的{what}，相应的地方规则不会适用；最接近的："
                        + "、".join(f"「{n}」" for n in near)
                        + f" (unknown {'body' if what == '机关' else 'doc type'})"
                    )
    return out
