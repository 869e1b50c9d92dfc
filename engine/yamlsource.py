"""Safe YAML loading that remembers where each key stood, so errors can name file, line and column."""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from .errors import SourceError

try:  # the C loader is much faster on large rule packs; fall back when libyaml is absent
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class Located(dict):
    """A mapping that knows its own position and each key's (line, column), 1-based."""

    line: int = 0
    column: int = 0
    positions: dict


_RESOLVED: dict = {}  # (node kind, plain text, implicit flags) -> tag: the same scalars recur in every rule


class _Loader(_Base):
    def resolve(self, kind, value, implicit):
        """The implicit tag of a scalar, remembered: resolving by regular expressions was a third of the time
        of reading a large rule pack (no path resolvers are registered, so the tag depends on these alone)."""
        key = (kind, value, implicit)
        try:
            return _RESOLVED[key]
        except (KeyError, TypeError):
            tag = super().resolve(kind, value, implicit)
            if isinstance(value, str) and len(value) < 64 and len(_RESOLVED) < 100_000:
                _RESOLVED[key] = tag
            return tag


# YAML 1.1 reads on/off/yes/no as booleans, so a rule's `pause: {on: ...}` would lose its key.
# Only true/false are booleans here (as in YAML 1.2).
_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
# YAML 1.1 also reads 17:30 as the base-60 number 1050 (and 1:30:00.5 as a float): here such text stays
# text, so a closing time is read as written and a bare number is never taken for one.
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _INT,
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_mapping(
    loader: _Loader, node: yaml.MappingNode, child=None, result: Located | None = None
) -> Located:
    """A mapping as a Located dict (into `result` when given: an alias inside it may refer to it); `child`
    builds each key and value (PyYAML's constructor by default)."""
    child = child or (lambda n: loader.construct_object(n, deep=True))
    loader.flatten_mapping(node)
    result = Located() if result is None else result
    result.line, result.column = node.start_mark.line + 1, node.start_mark.column + 1
    result.positions = {}
    for key_node, value_node in node.value:
        key = child(key_node)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise SourceError(
                loader.name,
                key_node.start_mark.line + 1,
                None,
                "键只能是简单的文字 (mapping keys must be plain scalars)",
                key_node.start_mark.column + 1,
                code="yaml",
            )
        if key in result:
            raise SourceError(
                loader.name,
                key_node.start_mark.line + 1,
                str(key),
                f"键 '{key}' 重复出现，请删去一个 (duplicate key)",
                key_node.start_mark.column + 1,
                code="duplicate-key",
            )
        try:
            result[key] = child(value_node)
        except SourceError as exc:  # e.g. a timestamp like 2024-13-08: name the key it belongs to
            if exc.field is None and value_node is not None and isinstance(value_node, yaml.ScalarNode):
                raise SourceError(
                    exc.path, exc.line, str(key), exc.message, exc.column, code=exc.code
                ) from None
            raise
        result.positions[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode):
    """Dates like 2024-02-30 match YAML's timestamp pattern but are not dates: say where."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise SourceError(
            loader.name,
            node.start_mark.line + 1,
            None,
            f"日期 {node.value!r} 不存在（该月没有这一天），应写成 年-月-日，如 2025-01-01 (bad date)",
            node.start_mark.column + 1,
            code="bad-date",
        ) from None


def _construct_int(loader: _Loader, node: yaml.ScalarNode):
    """An integer of 4,301+ digits is refused by Python's int(): say where, not crash."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        raise SourceError(
            loader.name,
            node.start_mark.line + 1,
            None,
            f"数字过长（{len(node.value)} 位），无法读取 (number too long)",
            node.start_mark.column + 1,
            code="bad-number",
        ) from None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


def _build(loader: _Loader, node: yaml.Node, built: dict) -> Any:
    """The Python value of a composed node: plain text, lists and mappings directly, every other scalar by the
    loader's own (safe) constructor for its tag, anything else by PyYAML's safe construction. Each node is
    built once (`built`), so aliases share their value as with PyYAML (and a billion laughs stays small)."""
    found = built.get(id(node))
    if found is not None:
        return found[1]
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR:
            return node.value
        constructor = loader.yaml_constructors.get(node.tag)
        return (
            constructor(loader, node) if constructor is not None else loader.construct_object(node, deep=True)
        )
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        items: list = []
        built[id(node)] = (node, items)  # the node is kept alive, so its id is not reused
        items.extend(_build(loader, item, built) for item in node.value)
        return items
    if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        value = Located()
        built[id(node)] = (node, value)  # before its contents: `&a {b: *a}` refers to itself
        return _construct_mapping(loader, node, lambda n: _build(loader, n, built), value)
    return loader.construct_object(node, deep=True)  # !!set, !!omap and the like; unsafe tags raise here


MAX_DEPTH = 64  # rule, calendar and plan files nest a few levels; building deeper trees recursed too far


@contextmanager
def _deep_enough():
    """Room for the composer's recursion up to libyaml's own nesting limit (1,000 levels, refused with its
    line); below Python's default limit a file 500 levels deep raised RecursionError, with no line."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, 5000))
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def _check_depth(root: yaml.Node, name: str) -> None:
    """Refuse nesting past MAX_DEPTH with the line where it goes too deep (a walk without recursion)."""
    stack, seen = [(root, 1)], set()
    while stack:
        node, depth = stack.pop()
        if id(node) in seen or isinstance(node, yaml.ScalarNode):
            continue
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise SourceError(
                name,
                node.start_mark.line + 1,
                None,
                f"YAML 嵌套超过 {MAX_DEPTH} 层，无法读取 (YAML nested deeper than {MAX_DEPTH} levels)",
                node.start_mark.column + 1,
                code="yaml",
            )
        children = (
            [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode) else node.value
        )
        stack.extend((child, depth + 1) for child in children)


def load_yaml_text(text: str, name: str) -> Any:
    """Parse YAML text safely; syntax errors become SourceError with the line and column."""
    loader = _Loader(text)
    loader.name = name
    try:
        with _deep_enough():
            node = loader.get_single_node()  # composed by libyaml when it is there
        if node is not None:
            _check_depth(node, name)
        return None if node is None else _build(loader, node, {})
    except SourceError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise SourceError(
            name,
            line,
            None,
            f"YAML 格式错误 (YAML syntax)：{exc.problem or exc.context}。"
            "常见原因：缩进不齐、括号或引号未闭合、冒号后缺空格",
            column,
            code="yaml",
        ) from None
    except yaml.YAMLError as exc:
        raise SourceError(name, None, None, f"YAML 格式错误 (YAML)：{exc}", code="yaml") from None
    except RecursionError:  # nesting the C parser allows but building the Python objects cannot
        raise SourceError(
            name, None, None, "YAML 嵌套层数过多，无法读取 (YAML nested too deeply)", code="yaml"
        ) from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path) -> Any:
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            str(path),
            line,
            None,
            f"文件不是 UTF-8 编码，请另存为 UTF-8 (not UTF-8 text: {exc.reason})",
            exc.start - data.rfind(b"\n", 0, exc.start),
            code="encoding",
        ) from None
    return load_yaml_text(text, str(path))


def where(mapping: Any, key: str | None = None) -> tuple[int | None, int | None]:
    """Line and column of `key` in `mapping` (or of the mapping itself), when known."""
    if isinstance(mapping, Located):
        if key is not None and key in mapping.positions:
            return mapping.positions[key]
        return mapping.line, mapping.column
    return None, None


def locate(doc: Any, loc: tuple) -> tuple[int | None, int | None, str | None, str | None]:
    """Follow a pydantic error location through the YAML tree: (line, column, field, rule id)."""
    node, key, rule_id = doc, None, None
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
