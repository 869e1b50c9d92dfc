"""Subordinate bodies (下级机关) declared in rule packs, and `applies_to: {body: {under: X}}` read through them.

A pack declares them under `bodies:` as `{parent: [child, ...]}` (江苏省司法厅2018年工作要点: 各市、县（市、区）
司法局, 省监狱局、戒毒局). `{under: X}` stands for every body declared below X, at any depth; the loader writes it
as that list before the rule is compiled, so the row and the columnar engines both read a plain list. Each
finding about a subordinate names its parent (`parent_body`), and reports roll findings up to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import SourceError
from ..yamlsource import where
from .match import MatchError


@dataclass
class Hierarchy:
    parents: dict[str, str] = field(default_factory=dict)  # child -> parent
    children: dict[str, list[str]] = field(default_factory=dict)  # parent -> children, as declared

    def below(self, body: str) -> list[str]:
        """Every body under `body`, at any depth, in declaration order."""
        out, queue = [], list(self.children.get(body, ()))
        while queue:
            child = queue.pop(0)
            if child not in out:
                out.append(child)
                queue.extend(self.children.get(child, ()))
        return out


def declared_bodies(parsed, errors: list[SourceError]) -> Hierarchy:
    """The packs' `bodies:` merged; a body given two parents, or a body under itself, is a located error."""
    tree = Hierarchy()
    for path, doc, rule_file in parsed:
        node = doc.get("bodies")
        for parent, children in rule_file.bodies.items():
            for child in children:
                known = tree.parents.get(child)
                problem = None
                if child == parent or parent in tree.below(child):
                    problem = f"机关「{child}」不能在自己之下 (a body cannot be under itself)"
                elif known is not None and known != parent:
                    problem = (
                        f"机关「{child}」已声明为「{known}」的下级，不能再属于「{parent}」 "
                        f"(a body has one parent)"
                    )
                if problem:
                    line, column = where(node, parent)
                    errors.append(SourceError(str(path), line, "bodies", problem, column, code="bad-bodies"))
                    continue
                tree.parents[child] = parent
                tree.children.setdefault(parent, []).append(child)
    return tree


def resolve_under(spec: dict[str, Any], tree: Hierarchy, key: str) -> dict[str, Any]:
    """`spec` with each `{under: X}` value replaced by the bodies under X (the same object when there is none)."""
    out = None
    for name, value in spec.items():
        if isinstance(value, dict) and "under" in value:
            if len(value) != 1 or not isinstance(value["under"], str):
                raise MatchError(
                    str(name),
                    "under 只写一个上级机关，如 {under: 江苏省司法厅} "
                    "(write one parent: {under: 江苏省司法厅})",
                )
            below = tree.below(value["under"])
            if not below:
                raise MatchError(
                    str(name),
                    f"「{value['under']}」没有在任何规则包的 bodies 中声明下级机关 "
                    f"(no subordinate bodies declared for it under 'bodies:')",
                )
            out = dict(spec) if out is None else out
            out[name] = below
    return spec if out is None else out
