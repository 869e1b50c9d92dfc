"""Pydantic's errors about a rule file, turned into located Chinese messages that say how to fix them.

Pydantic knows what was wrong; this module knows where it stands in the YAML (line, column, the rule's
id) and what an officer should write instead (the key, event type, kind, unit or value probably meant).
Every message is Chinese first with English after it, and carries a stable `code` for tools.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from ..calendar.period import period_suggestion
from ..errors import SourceError
from ..model import rules as model
from ..suggest import closest, hint
from ..yamlsource import Located, locate

VOCABULARY_FILE = "event-types.yaml"
PERIOD_KEYS = {"within", "at_least", "max", "warn_within", "every"}
TYPE_KEYS = (
    "trigger",
    "fulfil",
    "start",
    "end",
    "event",
    "restart",
    "on",
    "resume",
    "to",
    "notified",
    "first",
    "then",
    "open",
    "close",
)
PERIOD_FORMS = (
    "应写数字加单位：d 日、wd 工作日、h 小时、m 月、y 年，如 7d、3wd、5h、1m；"
    "也可写 7日、7天、3个工作日、5小时、1个月 (expected a number and a unit, e.g. 7d, 3wd, 5h)"
)
_TYPE_WORDS = {
    "date_type": "日期（年-月-日，如 2025-01-01）",
    "bool_type": "true 或 false",
    "int_type": "整数（不加引号，如 4）",
    "string_type": "文字",
    "list_type": "列表（如 [a, b]）",
    "dict_type": "映射（键: 值）",
    "model_type": "映射（键: 值）",
    "time_type": '时:分（如 "17:30"）',
    "datetime_type": "日期或日期时间（如 2025-01-01 或 2025-01-01T10:00）",
    "float_type": "数字",
}


def _key_labels() -> tuple[set[str], dict[str, str]]:
    keys: set[str] = set()
    labels: dict[str, str] = {}
    first = [
        model.RuleFile,
        model.DeadlineRule,
        model.SpanRule,
        model.CountRule,
        model.DueByRule,
        model.TaskListRule,
        model.FieldsRule,
    ]  # their titles win for keys shared with smaller models
    others = [obj for obj in vars(model).values() if isinstance(obj, type) and issubclass(obj, BaseModel)]
    for obj in first + others:
        for name, info in obj.model_fields.items():
            key = info.alias or name
            keys.add(key)
            if info.title:
                labels.setdefault(key, info.title.split(" (")[0])
    return keys, labels


KNOWN_KEYS, KEY_LABELS = _key_labels()


def unknown_type_message(value: str, vocabulary: dict[str, str]) -> tuple[str, str | None]:
    """(message, suggestion) for an event type not in the vocabulary; a Chinese label finds its id."""
    guess = closest(value, vocabulary, vocabulary)
    return (
        f"未知的事件类型 '{value}'。{hint(guess, vocabulary)} 可用的事件类型见 rules/{VOCABULARY_FILE}"
        f"（包内可在 event_types 下新增） (unknown event type)",
        guess,
    )


def node_at(doc: Any, loc: tuple) -> Any:
    node = doc
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
    return node


def explain(err: dict, vocabulary: dict[str, str]) -> tuple[str | None, str, str, str | None]:
    """(field override, message, code, suggestion) for one pydantic error."""
    kind, loc, value = err["type"], err["loc"], err.get("input")
    last = next((str(p) for p in reversed(loc) if isinstance(p, str) and p not in model.KIND_ZH), None)
    if kind == "extra_forbidden":
        guess = closest(last or "", KNOWN_KEYS, KEY_LABELS)
        return last, f"未知的键 '{last}'。{hint(guess, KEY_LABELS)} (unknown key)", "unknown-key", guess
    if kind == "missing":
        if last == "resume":
            return (
                "pause",
                ("中止计时缺少恢复事件：每个 pause 都要写 'resume: 事件类型' (pause without resume)"),
                "missing-key",
                None,
            )
        label = f"（{KEY_LABELS[last]}）" if last in KEY_LABELS else ""
        return last, f"缺少必填的键 '{last}'{label} (required key '{last}' is missing)", "missing-key", None
    if last == "at_least" and "ratio" in loc and kind in ("string_pattern_mismatch", "string_type"):
        number = str(value).strip().removesuffix("%").removesuffix("％")
        guess = f"{number}%" if number.replace(".", "", 1).isdigit() else None
        return (
            last,
            f"比例应写百分数，如 80%、4%，而不是 {value!r}。{hint(guess)} (expected a percentage, e.g. 80%)",
            "bad-percent",
            guess,
        )
    if last in PERIOD_KEYS and kind in ("string_pattern_mismatch", "string_type"):
        guess = period_suggestion(value) if isinstance(value, str) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return (
                last,
                f"期限 {value} 缺少单位：是 {value}d（日）还是 {value}wd（工作日）？{PERIOD_FORMS}",
                "bad-period",
                None,
            )
        return (
            last,
            f"期限写法不对：{value!r}。{hint(guess)} {PERIOD_FORMS}".replace("。 ", "。"),
            "bad-period",
            guess,
        )
    if last in TYPE_KEYS and kind == "string_pattern_mismatch":
        message, guess = unknown_type_message(str(value), vocabulary)
        return last, message, "unknown-event-type", guess
    if kind == "string_pattern_mismatch" and last == "id":
        return (
            last,
            (
                f"规则编号 {value!r} 只能用字母、数字和 . _ -，以字母或数字开头，如 linyi-2021.publish-7d "
                "(bad rule id)"
            ),
            "bad-id",
            None,
        )
    if kind == "union_tag_invalid":
        tag = str(err["ctx"].get("tag"))
        guess = closest(tag, model.KIND_ZH, model.KIND_ZH)
        kinds = "、".join(f"{k}（{v}）" for k, v in model.KIND_ZH.items())
        return (
            "kind",
            f"未知的规则种类 '{tag}'。{hint(guess, model.KIND_ZH)} 可选：{kinds} (unknown kind)",
            "unknown-kind",
            guess,
        )
    if kind == "union_tag_not_found":
        kinds = "、".join(f"{k}（{v}）" for k, v in model.KIND_ZH.items())
        return (
            "kind",
            f"每条规则都要写 kind（规则种类）：{kinds} (each rule needs 'kind')",
            "missing-key",
            None,
        )
    if kind == "literal_error":
        expected = [
            e.strip(" '") for e in str(err["ctx"].get("expected", "")).replace(" or ", ",").split(",")
        ]
        expected = [e for e in expected if e]
        guess = closest(str(value), expected)
        return (
            last,
            f"{value!r} 不是可选的值，可选：{'、'.join(expected)}。{hint(guess)} (not one of the choices)",
            "bad-value",
            guess,
        )
    if kind in ("bad_date", "bad_time"):
        return last, err["msg"], "bad-date", None
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {k: v for k, v in err.get("ctx", {}).items()}
        words = {"ge": "不小于", "le": "不大于", "gt": "大于", "lt": "小于"}
        limit = "、".join(f"{words[k]} {v}" for k, v in bound.items() if k in words)
        return last, f"{value!r} 超出范围：应{limit} (out of range)", "out-of-range", None
    if kind == "value_error":
        return last, str(err["msg"]).removeprefix("Value error, "), "invalid", None
    base = kind.split("_parsing")[0].replace("_from_datetime", "") + ("_type" if "_parsing" in kind else "")
    if base in _TYPE_WORDS or kind in _TYPE_WORDS:
        wanted = _TYPE_WORDS.get(kind) or _TYPE_WORDS[base]
        shown = value if not isinstance(value, dict) else "{…}"
        return (
            last,
            f"这里应写{wanted}，而不是 {shown!r} (expected {base.removesuffix('_type')})",
            "bad-type",
            None,
        )
    return last, str(err["msg"]), "invalid", None


def _case_name(doc: Any, loc: tuple) -> str | None:
    """The name of the test case an error lies in, if it lies in one."""
    for i, part in enumerate(loc[:-1]):
        if part in ("tests", "cases") and isinstance(loc[i + 1], int):
            case = node_at(doc, loc[: i + 2])
            return case.get("name") if isinstance(case, dict) and isinstance(case.get("name"), str) else None
    return None


def validation_errors(
    path: Any, doc: Any, exc: ValidationError, vocabulary: dict[str, str]
) -> list[SourceError]:
    raw = exc.errors()
    # a misspelt key also shows up as a missing one: report only the misspelling
    extras = {(e["loc"][:-1], str(e["loc"][-1])) for e in raw if e["type"] == "extra_forbidden"}
    errors, seen = [], set()
    for err in raw:
        if err["type"] == "missing" and any(
            prefix == err["loc"][:-1] and closest(key, [str(err["loc"][-1])], KEY_LABELS)
            for prefix, key in extras
        ):
            continue
        line, column, _, rule_id = locate(doc, err["loc"])
        if err["type"] == "missing":  # the key is absent: point at the mapping that lacks it
            line, column, _, rule_id = locate(doc, err["loc"][:-1])
        field, message, code, suggestion = explain(err, vocabulary)
        node = node_at(doc, err["loc"])
        if (
            err["type"] in ("union_tag_invalid", "union_tag_not_found", "missing")
            and isinstance(node, Located)
            and field in node.positions
        ):
            line, column = node.positions[field]
        case = _case_name(doc, err["loc"])
        if rule_id or case:
            whose = f"规则 '{rule_id}'" + (" 的" if case else "") if rule_id else ""
            message = whose + (f"用例 '{case}'" if case else "") + f"：{message}"
        # a union of types (datetime | date) reports once per member: one line is enough
        if (line, column, field, code) in seen:
            continue
        seen.add((line, column, field, code))
        errors.append(SourceError(str(path), line, field, message, column, code=code, suggestion=suggestion))
    return errors
