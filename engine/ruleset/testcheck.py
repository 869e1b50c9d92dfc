"""Test cases checked as strictly as rules, before any is run: `shixian validate` reports a bad date, an
unknown event type, status, expectation key or rule id in a case with its file, line and column, and says
what to write instead; `shixian test` runs only cases that passed these checks.

The forms an officer types that have one reading (`2025年9月12日`, `2025/9/12 10:00`, `1个工作日`) are
accepted and rewritten here (`normalised_events`, `normalised_expect`) so the runner sees ISO text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..calendar import Period
from ..calendar.period import normalise_period_text, period_suggestion
from ..errors import InputError, SourceError
from ..events.read import REQUIRED
from ..model.findings import SEVERITIES, STATUS_ZH, STATUSES
from ..model.rules import TestCase
from ..suggest import closest, hint
from ..timeparse import parse_officer_instant
from ..yamlsource import Located, where
from .messages import PERIOD_FORMS, unknown_type_message

MATCH_KEYS = (
    "rule",
    "subject",
    "status",
    "deadline",
    "severity",
    "period",
    "overdue_by",
    "body",
    "department",
)
MATCH_ZH = {
    "rule": "规则编号",
    "subject": "主体",
    "status": "状态",
    "deadline": "截止",
    "severity": "严重程度",
    "period": "周期",
    "overdue_by": "逾期",
    "body": "机关",
    "department": "部门",
}


def _time_text(value: Any) -> Any:
    """ISO text for an officer-typed instant; other values unchanged (the reader parses them)."""
    if isinstance(value, str):
        parsed, has_time = parse_officer_instant(value)
        if isinstance(parsed, dt.datetime) and parsed.tzinfo is not None:
            return value
        return parsed.isoformat()
    return value


def normalised_events(case: TestCase) -> list[dict[str, Any]]:
    """Each event with defaults merged, an id (t1, t2, ...) and its time as ISO text."""
    events = []
    for index, raw in enumerate(case.events, start=1):
        record = {"id": f"t{index}", **case.defaults, **raw}
        try:
            record["time"] = _time_text(record.get("time"))
        except InputError:
            pass  # reported by check_case
        events.append(record)
    return events


def normalised_expect(case: TestCase) -> list[dict[str, Any]]:
    out = []
    for expected in case.expect:
        item = dict(expected)
        if isinstance(item.get("overdue_by"), str):
            item["overdue_by"] = normalise_period_text(item["overdue_by"]) or item["overdue_by"]
        if isinstance(item.get("deadline"), str):
            try:
                parsed, has_time = parse_officer_instant(item["deadline"].replace(" 24:00", ""))
                if not has_time:
                    item["deadline"] = (
                        item["deadline"] if " 24:00" in item["deadline"] else parsed.isoformat()
                    )
            except InputError:
                pass  # "2024-09-30 24:00" is matched as written
        out.append(item)
    return out


def _error(
    path: str,
    holder: Any,
    key: str | None,
    message: str,
    code: str,
    suggestion: str | None = None,
    where_case: str = "",
) -> SourceError:
    line, column = where(holder, key)
    return SourceError(path, line, key, f"{where_case}{message}", column, code=code, suggestion=suggestion)


def check_case(
    path: str,
    node: Any,
    case: TestCase,
    vocabulary: dict[str, str],
    rule_ids: set[str],
    owner: str | None = None,
) -> list[SourceError]:
    """Every problem of one case, located in its YAML `node`. `owner` is the rule the case belongs to."""
    errors: list[SourceError] = []
    label = f"规则 '{owner}' 的用例 '{case.name}'：" if owner else f"用例 '{case.name}'："
    if not isinstance(node, Located):
        return errors
    for rule_id in case.rules or []:
        if rule_id not in rule_ids:
            guess = closest(rule_id, rule_ids)
            errors.append(
                _error(
                    path,
                    node,
                    "rules",
                    f"没有编号为 '{rule_id}' 的规则。{hint(guess)} (unknown rule id)",
                    "unknown-rule",
                    guess,
                    label,
                )
            )
    defaults = node.get("defaults") if isinstance(node.get("defaults"), dict) else {}
    for event_node in node.get("events") or []:
        errors += _check_event(path, event_node, defaults, vocabulary, label)
    for expected in node.get("expect") or []:
        errors += _check_expect(path, expected, rule_ids, label)
    return errors


def _check_event(
    path: str, event: Any, defaults: dict, vocabulary: dict[str, str], label: str
) -> list[SourceError]:
    if not isinstance(event, dict):
        return [
            _error(
                path,
                event,
                None,
                "每个事件是一个映射：{type: ..., subject: ..., time: ...} (an event is a mapping)",
                "bad-type",
                where_case=label,
            )
        ]
    errors = []
    merged = {**defaults, **event}
    missing = [k for k in REQUIRED if k != "id" and merged.get(k) in (None, "")]
    if missing:
        errors.append(
            _error(
                path,
                event,
                None,
                f"事件缺少 {'、'.join(missing)}（可写在 defaults 中） (missing {', '.join(missing)})",
                "missing-key",
                where_case=label,
            )
        )
    event_type = merged.get("type")
    if isinstance(event_type, str) and event_type not in vocabulary:
        message, guess = unknown_type_message(event_type, vocabulary)
        holder = event if "type" in event else defaults
        errors.append(_error(path, holder, "type", message, "unknown-event-type", guess, label))
    if "time" in merged and merged["time"] not in (None, ""):
        holder = event if "time" in event else defaults
        try:
            _time_text(merged["time"])
        except InputError as exc:
            errors.append(_error(path, holder, "time", str(exc), "bad-date", None, label))
    return errors


def _check_expect(path: str, expected: Any, rule_ids: set[str], label: str) -> list[SourceError]:
    if not isinstance(expected, dict):
        return [
            _error(
                path,
                expected,
                None,
                "每条应得结论是一个映射，如 {subject: R1, status: overdue} (an expectation is a mapping)",
                "bad-type",
                where_case=label,
            )
        ]
    errors = []
    for key, value in expected.items():
        if key not in MATCH_KEYS:
            guess = closest(str(key), MATCH_KEYS, MATCH_ZH)
            errors.append(
                _error(
                    path,
                    expected,
                    str(key),
                    f"应得结论中没有键 '{key}'。{hint(guess, MATCH_ZH)} 可用："
                    f"{'、'.join(MATCH_KEYS)} (unknown expectation key)",
                    "unknown-key",
                    guess,
                    label,
                )
            )
        elif key == "status" and value not in STATUSES:
            guess = closest(str(value), STATUSES, STATUS_ZH) or _label_part(str(value))
            valid = "、".join(f"{s}（{STATUS_ZH[s]}）" for s in STATUSES)
            errors.append(
                _error(
                    path,
                    expected,
                    key,
                    f"未知的状态 '{value}'。{hint(guess, STATUS_ZH)} 状态要写英文代码："
                    f"{valid} (unknown status)",
                    "unknown-status",
                    guess,
                    label,
                )
            )
        elif key == "severity" and value not in SEVERITIES:
            guess = closest(str(value), SEVERITIES)
            errors.append(
                _error(
                    path,
                    expected,
                    key,
                    f"未知的严重程度 '{value}'。{hint(guess)} 可选：error、warning、info (unknown severity)",
                    "bad-value",
                    guess,
                    label,
                )
            )
        elif key == "rule" and value not in rule_ids:
            guess = closest(str(value), rule_ids)
            errors.append(
                _error(
                    path,
                    expected,
                    key,
                    f"没有编号为 '{value}' 的规则。{hint(guess)} (unknown rule id)",
                    "unknown-rule",
                    guess,
                    label,
                )
            )
        elif key == "overdue_by" and not _period_ok(value):
            guess = period_suggestion(value)
            errors.append(
                _error(
                    path,
                    expected,
                    key,
                    f"逾期写法不对：{value!r}。{hint(guess)} {PERIOD_FORMS}",
                    "bad-period",
                    guess,
                    label,
                )
            )
        elif key == "deadline" and not _deadline_ok(value):
            errors.append(
                _error(
                    path,
                    expected,
                    key,
                    f"截止写法不对：{value!r}，应写日期（如 2024-10-30）、"
                    '"2024-10-30 24:00" 或带时刻的 ISO 时间 (expected a date or an instant)',
                    "bad-date",
                    None,
                    label,
                )
            )
    return errors


def _label_part(typed: str) -> str | None:
    """A status typed as part of its Chinese label (已逾期 for 已逾期未完成): the one status it names."""
    hits = [s for s, zh in STATUS_ZH.items() if typed and typed in zh]
    return hits[0] if len(hits) == 1 else None


def _period_ok(value: Any) -> bool:
    try:
        Period.parse(value)
        return isinstance(value, str)
    except InputError:
        return False


def _deadline_ok(value: Any) -> bool:
    if isinstance(value, dt.date):
        return True
    text = str(value)
    if text.endswith(" 24:00"):
        text = text[:-6]
    try:
        parse_officer_instant(text)
        return True
    except InputError:
        return False


def _body_mentions(node: Any) -> list[tuple[str, Any, str]]:
    """(body, holder, key) for each body a rule names: applies_to, a task list's body, its test events."""
    found: list[tuple[str, Any, str]] = []

    def add(holder: Any, key: str) -> None:
        value = holder.get(key) if isinstance(holder, dict) else None
        values = (
            value if isinstance(value, list) else (value.get("in") if isinstance(value, dict) else [value])
        )
        found.extend((v, holder, key) for v in values or [] if isinstance(v, str) and v)

    if not isinstance(node, dict):
        return found
    add(node.get("applies_to"), "body")
    add(node, "body")
    for case in node.get("tests") or []:
        if isinstance(case, dict):
            add(case.get("defaults"), "body")
            for event in case.get("events") or []:
                add(event, "body")
    return found


def body_warnings(parsed: list) -> list[SourceError]:
    """A body named once that differs by a character or two from a body named more often (江苏省司法局 beside
    江苏省司法厅) is probably a slip: a warning, since two real bodies can have close names."""
    mentions = [
        (body, str(path), holder, key)
        for path, doc, _ in parsed
        for node in doc.get("rules") or []
        for body, holder, key in _body_mentions(node)
    ]
    counts: dict[str, int] = {}
    for body, *_ in mentions:
        counts[body] = counts.get(body, 0) + 1
    warnings, warned, guesses = [], set(), {}
    for body, path, holder, key in mentions:
        if body in warned:
            continue
        if body not in guesses:  # once per body, not per mention (12,000 rules name a few hundred bodies)
            others = [b for b in counts if b != body and (counts[b], b) > (counts[body], body)]
            guesses[body] = closest(body, others, cutoff=0.8) if others else None
        guess = guesses[body]
        if guess and guess != body and len(guess) == len(body):
            warned.add(body)
            line, column = where(holder, key)
            warnings.append(
                SourceError(
                    path,
                    line,
                    key,
                    f"机关 '{body}' 与别处写的 '{guess}' 只差一个字，是否写错？"
                    f"{hint(guess)} 若确是两个机关，可不理会 (similar body names)",
                    column,
                    code="similar-body",
                    suggestion=guess,
                    severity="warning",
                )
            )
    return warnings
