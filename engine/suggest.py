"""Did-you-mean: the known name closest to what a person typed, by its id or by its Chinese label.

One helper for every vocabulary a person types from memory (rule keys, event types, bodies, statuses,
rule ids), so that every "unknown X" message can end with the fix. Labels let an officer who typed the
Chinese name of an event type (`文件印发`) be pointed at its id (`document.issued`). `closest_few` and
`did_you_mean` give several candidates for messages that list them (ledger headers and bodies, the check's
warnings); `rule_values` collects the bodies or doc types the rules name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping


def closest(
    typed: str, known: Iterable[str], labels: Mapping[str, str] | None = None, cutoff: float = 0.6
) -> str | None:
    """The known name meant by `typed`, or None when nothing is close.

    `labels` maps each name to its Chinese label; a label typed exactly (or nearly) gives its name.
    """
    typed = str(typed).strip()
    names = sorted(set(known))
    if typed in names:
        return typed
    folded = {name.casefold(): name for name in names}
    if typed.casefold() in folded:
        return folded[typed.casefold()]
    if labels:
        by_label = {str(label): name for name, label in labels.items() if name in names or not names}
        if typed in by_label:
            return by_label[typed]
        near = difflib.get_close_matches(typed, sorted(by_label), n=1, cutoff=max(cutoff, 0.7))
        if near:
            return by_label[near[0]]
    near = difflib.get_close_matches(typed, names, n=1, cutoff=cutoff)
    return near[0] if near else None


def hint(suggestion: str | None, labels: Mapping[str, str] | None = None) -> str:
    """The sentence closing an error: 是否要写 'document.issued'（文件印发）？ / did you mean ...?"""
    if not suggestion:
        return ""
    label = f"（{labels[suggestion]}）" if labels and suggestion in labels else ""
    return f"是否要写 '{suggestion}'{label}？(did you mean '{suggestion}'?)"


def closest_few(typed: str, known: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to `n` known names most like `typed`, best first (none when nothing is close enough)."""
    return difflib.get_close_matches(str(typed).strip(), sorted({str(k) for k in known}), n=n, cutoff=cutoff)


def did_you_mean(typed: str, known: Iterable[str], n: int = 3, cutoff: float = 0.6) -> str:
    """'；是否指「A」「B」？' or '' when nothing is close: to append to a message."""
    found = closest_few(typed, known, n, cutoff)
    return "；是否指" + "".join(f"「{k}」" for k in found) + "？" if found else ""


def rule_values(ruleset, field: str) -> set[str]:
    """Every value a rule's `applies_to` names for `field` (e.g. the bodies or doc types the rules know),
    and for `body` also the bodies of task lists."""
    out: set[str] = set()
    for entry in ruleset.rules:
        rule = entry.rule
        out.update(_named((rule.applies_to or {}).get(field)))
        if field == "body" and getattr(rule, "body", None):
            out.add(str(rule.body))
    return out


def _named(spec) -> list[str]:
    if spec is None:
        return []
    if isinstance(spec, (str, int, float)) and not isinstance(spec, bool):
        return [str(spec)]
    if isinstance(spec, list):
        return [str(x) for x in spec if isinstance(x, (str, int, float))]
    if isinstance(spec, dict) and "in" in spec:
        return _named(spec["in"])
    return []
