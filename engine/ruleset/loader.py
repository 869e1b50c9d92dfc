"""Load rule files into typed rules, reporting every problem with file, line, column and field."""
from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ShixianError, SourceError
from ..model import rules as model
from ..paths import bundled
from ..yamlsource import Located, load_yaml_file, where
from .match import MatchError, Predicate, compile_filter

VOCABULARY_FILE = "event-types.yaml"
TEST_SUFFIX = ".test.yaml"
_PERIOD_KEYS = {"within", "at_least", "max"}
_TYPE_KEYS = ("trigger", "fulfil", "start", "end", "event", "restart")


def _all_keys() -> set[str]:
    keys: set[str] = set()
    for obj in vars(model).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            for name, info in obj.model_fields.items():
                keys.add(info.alias or name)
    return keys


_KNOWN_KEYS = _all_keys()


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
        more = f" (and {len(errors) - 1} more; run 'shixian validate')" if len(errors) > 1 else ""
        super().__init__(f"{errors[0]}{more}")


def rule_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(rule files, vocabulary files) under the given files or directories."""
    rules, vocab = [], []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise ShixianError(f"{path}: no such file or directory")
        candidates = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.name == VOCABULARY_FILE:
                vocab.append(candidate)
            elif not candidate.name.endswith(TEST_SUFFIX):
                rules.append(candidate)
    return rules, vocab


def _locate(doc: Any, loc: tuple) -> tuple[int | None, int | None, str | None, str | None]:
    """Follow a pydantic error location through the YAML tree: (line, column, field, rule id)."""
    node, line, column, key, rule_id = doc, None, None, None, None
    line, column = where(doc)
    for part in loc:
        if isinstance(node, dict) and part in node:
            line, column = where(node, part)
            key, node = str(part), node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if isinstance(node, Located):
                line, column = node.line, node.column
                if isinstance(node.get("id"), str) and rule_id is None:
                    rule_id = node["id"]
        # other parts are union tags; skip them
    return line, column, key, rule_id


def _explain(err: dict) -> tuple[str | None, str]:
    """(field override, message) for one pydantic error, in words a rule author can act on."""
    kind, loc, value = err["type"], err["loc"], err.get("input")
    last = str(loc[-1]) if loc else None
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(last or "", sorted(_KNOWN_KEYS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return last, f"unknown key '{last}'{hint}"
    if kind == "missing":
        if last == "resume":
            return "pause", "pause without resume: every pause needs 'resume: <event type>'"
        return last, f"required key '{last}' is missing"
    if kind == "string_pattern_mismatch" and last in _PERIOD_KEYS:
        return last, (f"bad period {value!r}: expected a whole number and a unit "
                      "(d days, wd working days, h hours, m months, y years), e.g. 7d, 3wd, 5h")
    if kind == "string_pattern_mismatch" and last in _TYPE_KEYS + ("on", "resume", "to"):
        return last, f"bad event type {value!r}: expected dotted lower-case words, e.g. document.published"
    if kind == "union_tag_invalid":
        return "kind", f"unknown kind {err['ctx'].get('tag')!r}; expected one of {err['ctx'].get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "kind", "each rule needs 'kind' (deadline, min_span, count, due_by, task_list, required_fields)"
    return None, err["msg"]


def _node_at(doc: Any, loc: tuple) -> Any:
    node = doc
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
    return node


def _validation_errors(path: Path, doc: Any, exc: ValidationError) -> list[SourceError]:
    raw = exc.errors()
    # a misspelt key also shows up as a missing one: report only the misspelling
    extras = {(e["loc"][:-1], str(e["loc"][-1])) for e in raw if e["type"] == "extra_forbidden"}
    errors = []
    for err in raw:
        if err["type"] == "missing" and any(prefix == err["loc"][:-1] and difflib.get_close_matches(
                str(err["loc"][-1]), [key], n=1) for prefix, key in extras):
            continue
        line, column, key, rule_id = _locate(doc, err["loc"])
        if err["type"] == "missing":  # the key is absent: point at the mapping that lacks it
            line, column, _, rule_id = _locate(doc, err["loc"][:-1])
        override, message = _explain(err)
        node = _node_at(doc, err["loc"])
        if override and isinstance(node, Located) and override in node.positions:
            line, column = node.positions[override]
        if rule_id:
            message = f"rule '{rule_id}': {message}"
        errors.append(SourceError(str(path), line, override or key, message, column))
    return errors


def _type_checks(path: Path, node: Located, rule: model.Rule, vocabulary: dict[str, str]) -> list[SourceError]:
    """Every event type a rule names must be in the vocabulary (catches typos like document.publised)."""
    errors = []
    spots: list[tuple[Any, str]] = [(node, k) for k in _TYPE_KEYS if k in node]
    spots += [(p, k) for p in node.get("pause", []) or [] if isinstance(p, dict) for k in ("on", "resume")]
    for sub in ("extend", "link"):
        if isinstance(node.get(sub), dict):
            spots += [(node[sub], k) for k in ("on", "to") if k in node[sub]]
    for holder, key in spots:
        value = holder.get(key)
        if isinstance(value, str) and value not in vocabulary:
            close = difflib.get_close_matches(value, sorted(vocabulary), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            line, column = where(holder, key)
            errors.append(SourceError(str(path), line, key, f"rule '{rule.id}': unknown event type '{value}'{hint}; "
                                      f"known types are listed in rules/{VOCABULARY_FILE}", column))
    return errors


def _read_vocabulary(paths: list[Path]) -> dict[str, str]:
    vocabulary: dict[str, str] = {}
    for path in paths:
        doc = load_yaml_file(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("event_types"), dict):
            raise SourceError(str(path), 1, "event_types", "expected a mapping 'event_types: {type: 中文名}'")
        vocabulary.update({str(k): str(v) for k, v in doc["event_types"].items()})
    return vocabulary


def load_rules(paths: list[Path | str]) -> RuleSet:
    """Load every rule file under `paths`. Raises RuleLoadError listing all problems found."""
    files, vocab_files = rule_files([Path(p) for p in paths])
    default_vocab = bundled("rules") / VOCABULARY_FILE
    vocabulary = _read_vocabulary([default_vocab] + [v for v in vocab_files if v.resolve() != default_vocab.resolve()])
    errors: list[SourceError] = []
    parsed: list[tuple[Path, Located, model.RuleFile]] = []
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        try:
            doc = load_yaml_file(path)
        except SourceError as exc:
            errors.append(exc)
            continue
        if not isinstance(doc, Located):
            errors.append(SourceError(str(path), 1, None, "a rule file is a mapping with 'pack' and 'rules'"))
            continue
        try:
            rule_file = model.RuleFile.model_validate(doc)
        except ValidationError as exc:
            errors.extend(_validation_errors(path, doc, exc))
            continue
        vocabulary.update(rule_file.event_types)
        parsed.append((path, doc, rule_file))

    loaded: list[LoadedRule] = []
    versions: dict[str, list[LoadedRule]] = {}  # by id: only versions of one rule can overlap
    for path, doc, rule_file in parsed:
        for node, rule in zip(doc["rules"], rule_file.rules):
            errors.extend(_type_checks(path, node, rule, vocabulary))
            try:
                predicate = compile_filter(rule.applies_to)
            except MatchError as exc:
                line, column = where(node.get("applies_to"), exc.field)
                errors.append(SourceError(str(path), line, exc.field, f"rule '{rule.id}': applies_to: {exc}", column))
                continue
            for other in versions.get(rule.id, ()):
                if other.rule.effective.overlaps(rule.effective):
                    line, column = where(node, "effective" if "effective" in node else "id")
                    errors.append(SourceError(str(path), line, "effective",
                                              f"rule '{rule.id}' is already in force on overlapping dates at "
                                              f"{other.path}:{other.line}; give each version its own 'effective' range",
                                              column))
            loaded.append(LoadedRule(rule, str(path), node.line, rule_file.pack, predicate))
            versions.setdefault(rule.id, []).append(loaded[-1])
    if errors:
        raise RuleLoadError(errors)
    return RuleSet(loaded, vocabulary, files, digest.hexdigest()[:12])
