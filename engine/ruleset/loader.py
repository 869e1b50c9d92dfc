"""Load rule files into typed rules, reporting every problem with file, line, column and field."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ShixianError, SourceError
from ..gcpause import gc_paused
from ..model import rules as model
from ..paths import bundled
from ..yamlsource import Located, load_yaml_file, load_yaml_text, where
from .bodies import Hierarchy, declared_bodies, resolve_under
from .match import MatchError, Predicate, compile_filter
from .messages import VOCABULARY_FILE, unknown_type_message, validation_errors
from .testcheck import body_warnings, check_case

TEST_SUFFIX = ".test.yaml"
_TYPE_KEYS = ("trigger", "fulfil", "start", "end", "event", "restart", "first", "then", "open", "close")
_TYPE_LISTS = ("also_triggers", "also_fulfils")


@dataclass
class LoadedRule:
    """A rule with where it came from and its compiled filter."""

    rule: model.Rule
    path: str
    line: int
    pack: str
    matches: Predicate

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass
class RuleSet:
    rules: list[LoadedRule]
    event_types: dict[str, str]
    files: list[Path]
    revision: str
    by_type: dict[str, list[LoadedRule]] = field(default_factory=dict)
    warnings: list[SourceError] = field(default_factory=list)  # likely slips that do not stop loading
    parents: dict[str, str] = field(default_factory=dict)  # subordinate body -> its parent (packs' `bodies:`)

    def __post_init__(self) -> None:
        for loaded in self.rules:
            for event_type in loaded.rule.event_types():
                self.by_type.setdefault(event_type, []).append(loaded)

    def get(self, rule_id: str) -> list[LoadedRule]:
        return [r for r in self.rules if r.id == rule_id]


class RuleLoadError(ShixianError):
    """One or more rule files are malformed; `errors` holds each, in file order."""

    def __init__(self, errors: list[SourceError]):
        self.errors = errors
        more = ""
        if len(errors) > 1:
            more = (
                f"（另有 {len(errors) - 1} 处错误，运行 shixian validate 查看） (and {len(errors) - 1} more; "
                "run 'shixian validate')"
            )
        super().__init__(f"{errors[0]}{more}")


def rule_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(rule files, vocabulary files) under the given files or directories."""
    rules, vocab = [], []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise ShixianError(f"{path}: 文件或目录不存在 (no such file or directory)")
        candidates = sorted(p for p in path.rglob("*.yaml") if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.name == VOCABULARY_FILE:
                vocab.append(candidate)
            elif not candidate.name.endswith(TEST_SUFFIX):
                rules.append(candidate)
    return rules, vocab


def _apply_choices(parsed, loaded: list[LoadedRule]) -> list[SourceError]:
    """A pack's `choose: {rule id: option}` reads every version of that rule that has the option as it says
    (model.DeadlineRule.with_option); a choice no loaded rule offers, or two packs choosing differently, is an
    error at the choice."""
    errors: list[SourceError] = []
    chosen: dict[str, tuple[str, str]] = {}
    for path, doc, rule_file in parsed:
        for rule_id, name in rule_file.choose.items():
            line, column = where(doc["choose"], rule_id)
            offered = [r for r in loaded if r.id == rule_id and name in getattr(r.rule, "options", {})]
            if not offered:
                names = sorted({o for r in loaded if r.id == rule_id for o in getattr(r.rule, "options", {})})
                known = f"可选：{'、'.join(names)}" if names else "该编号的规则没有可选解读"
                errors.append(
                    SourceError(
                        str(path),
                        line,
                        "choose",
                        f"选用解读 '{rule_id}: {name}' 不存在（{known}） (no such reading option)",
                        column,
                        code="unknown-option",
                    )
                )
                continue
            if rule_id in chosen and chosen[rule_id][0] != name:
                errors.append(
                    SourceError(
                        str(path),
                        line,
                        "choose",
                        f"规则 '{rule_id}' 已在 {chosen[rule_id][1]} 选用解读 "
                        f"'{chosen[rule_id][0]}'，不能再选 '{name}' (conflicting choices)",
                        column,
                        code="conflicting-option",
                    )
                )
                continue
            chosen[rule_id] = (name, f"{path}:{line}")
            for r in offered:
                r.rule = r.rule.with_option(name)
    return errors


def _type_checks(
    path: Path, node: Located, rule: model.Rule, vocabulary: dict[str, str]
) -> list[SourceError]:
    """Every event type a rule names must be in the vocabulary (catches typos like document.publised)."""
    errors = []
    spots: list[tuple[Any, str]] = [(node, k) for k in _TYPE_KEYS if k in node]
    spots += [(p, k) for p in node.get("pause", []) or [] if isinstance(p, dict) for k in ("on", "resume")]
    for option in (node.get("options") or {}).values() if isinstance(node.get("options"), dict) else ():
        if isinstance(option, dict):
            spots += [(option, "restart")] if "restart" in option else []
            spots += [
                (p, k) for p in option.get("pause") or [] if isinstance(p, dict) for k in ("on", "resume")
            ]
    for sub in ("extend", "link"):
        if isinstance(node.get(sub), dict):
            spots += [(node[sub], k) for k in ("on", "to", "notified") if k in node[sub]]
    named = [(holder, key, holder.get(key)) for holder, key in spots]
    named += [(node, k, v) for k in _TYPE_LISTS if isinstance(node.get(k), list) for v in node[k]]
    for holder, key, value in named:
        if isinstance(value, str) and value not in vocabulary:
            message, guess = unknown_type_message(value, vocabulary)
            line, column = where(holder, key)
            errors.append(
                SourceError(
                    str(path),
                    line,
                    key,
                    f"规则 '{rule.id}'：{message}",
                    column,
                    code="unknown-event-type",
                    suggestion=guess,
                )
            )
    return errors


def _read_vocabulary(paths: list[Path]) -> dict[str, str]:
    vocabulary: dict[str, str] = {}
    for path in paths:
        doc = load_yaml_file(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("event_types"), dict):
            raise SourceError(
                str(path),
                1,
                "event_types",
                "应是映射 'event_types: {事件类型: 中文名}' "
                "(expected a mapping 'event_types: {type: 中文名}')",
                code="bad-type",
            )
        vocabulary.update({str(k): str(v) for k, v in doc["event_types"].items()})
    return vocabulary


def load_rules(paths: list[Path | str], overrides: dict[str, str] | None = None) -> RuleSet:
    """Load every rule file under `paths`. Raises RuleLoadError listing all problems found.

    `overrides` maps a file's path (as listed) to text read instead of the file: an edit not yet saved.
    The cyclic collector is paused meanwhile: its passes over the growing YAML trees made loading
    superlinear (12,000 rules: 5.9 s with it, 2.2 s without; bench/rule_load_bench.py).
    """
    with gc_paused():
        return _load_rules(paths, overrides)


def _load_rules(paths: list[Path | str], overrides: dict[str, str] | None) -> RuleSet:
    overrides = {str(Path(k)): v for k, v in (overrides or {}).items()}
    files, vocab_files = rule_files([Path(p) for p in paths])
    default_vocab = bundled("rules") / VOCABULARY_FILE
    vocabulary = _read_vocabulary(
        [default_vocab] + [v for v in vocab_files if v.resolve() != default_vocab.resolve()]
    )
    errors: list[SourceError] = []
    parsed: list[tuple[Path, Located, model.RuleFile]] = []
    digest = hashlib.sha256()
    for path in files:
        text = overrides.get(str(path))
        raw = path.read_bytes() if text is None else text.encode("utf-8")
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        try:
            doc = load_yaml_file(path) if text is None else load_yaml_text(text, str(path))
        except SourceError as exc:
            errors.append(exc)
            continue
        if not isinstance(doc, Located):
            errors.append(
                SourceError(
                    str(path),
                    1,
                    None,
                    "规则文件应是含 pack 和 rules 的映射 (a rule file is a mapping with 'pack' and 'rules')",
                    code="bad-type",
                )
            )
            continue
        try:
            rule_file = model.RuleFile.model_validate(doc)
        except ValidationError as exc:
            errors.extend(validation_errors(path, doc, exc, vocabulary))
            continue
        vocabulary.update(rule_file.event_types)
        parsed.append((path, doc, rule_file))

    hierarchy: Hierarchy = declared_bodies(parsed, errors)
    loaded: list[LoadedRule] = []
    versions: dict[str, list[LoadedRule]] = {}  # by id: only versions of one rule can overlap
    for path, doc, rule_file in parsed:
        for node, rule in zip(doc["rules"], rule_file.rules):
            errors.extend(_type_checks(path, node, rule, vocabulary))
            filters = [("applies_to", rule.applies_to)] + (
                [("where", rule.where)] if getattr(rule, "where", None) else []
            )
            try:
                for key, spec in filters:
                    resolved = resolve_under(spec, hierarchy, key)
                    if (
                        resolved is not spec
                    ):  # {under: X} written as the bodies under X (both engines read the list)
                        rule = rule.model_copy(update={key: resolved})
                    compile_filter(resolved)
                predicate = compile_filter(rule.applies_to)
            except MatchError as exc:
                line, column = where(node.get(key), exc.field)
                label = "适用范围 applies_to" if key == "applies_to" else "计入条件 where"
                errors.append(
                    SourceError(
                        str(path),
                        line,
                        exc.field,
                        f"规则 '{rule.id}'：{label}：{exc}",
                        column,
                        code=f"bad-{key.replace('_', '-')}",
                    )
                )
                continue
            for other in versions.get(rule.id, ()):
                if other.rule.effective.overlaps(rule.effective):
                    line, column = where(node, "effective" if "effective" in node else "id")
                    errors.append(
                        SourceError(
                            str(path),
                            line,
                            "effective",
                            f"规则 '{rule.id}' 的施行期间与 {other.path}:{other.line} 的同编号规则重叠；"
                            "同一义务的各版本要写不重叠的 effective (overlapping dates)",
                            column,
                            code="overlap",
                        )
                    )
            loaded.append(LoadedRule(rule, str(path), node.line, rule_file.pack, predicate))
            versions.setdefault(rule.id, []).append(loaded[-1])
    errors.extend(_apply_choices(parsed, loaded))
    rule_ids = {r.id for _, _, rule_file in parsed for r in rule_file.rules}
    for path, doc, rule_file in parsed:
        for node, rule in zip(doc["rules"], rule_file.rules):
            for case_node, case in zip(node.get("tests") or [], rule.tests):
                errors.extend(check_case(str(path), case_node, case, vocabulary, rule_ids, owner=rule.id))
    if errors:
        raise RuleLoadError(errors)
    return RuleSet(
        loaded,
        vocabulary,
        files,
        digest.hexdigest()[:12],
        warnings=body_warnings(parsed),
        parents=hierarchy.parents,
    )
