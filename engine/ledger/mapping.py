"""The ledger mapping: what a compliance officer writes to say how the office's spreadsheet becomes events.

    ledger: 依申请公开登记台账
    sheet: 登记台账                     # default: the first sheet (CSV has one)
    subject: {column: 申请编号}          # each row is one request, document, consultation or incident
    body: {value: 上海市司法局}          # a constant, or {column: 机关}
    department: {column: 承办科室}
    events:                              # each date column becomes an event of that type
      - {column: 收到申请日期, type: request.received}
      - {column: 延期日期, type: 延长答复期限经批准, when: {column: 是否延期, equals: 是}}
    attributes:                          # columns carried by the events, under these names
      - {column: 有效性}
      - {column: 成文日期, date: true}

Event types by id or by their Chinese label from rules/event-types.yaml. Loaded with the same safe YAML
loader as the rules; every mistake is reported with file, line, column and field (JSON Schema in
docs/ledger-mapping-schema.json, written by `shixian ledger schema`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ShixianError, SourceError
from ..paths import bundled
from ..suggest import did_you_mean
from ..yamlsource import Located, load_yaml_file, locate, where


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Value(Strict):
    """Where a field's value comes from: a column of the row, or one value for every row."""

    column: str | None = Field(default=None, description="表头文字 (header text) of the column")
    value: str | None = Field(default=None, description="the same value for every row, e.g. the body's name")

    @model_validator(mode="after")
    def _one(self) -> Value:
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of 'column' or 'value'")
        return self


class Condition(Strict):
    """The event is made only when this column is filled in (or holds one of `equals`)."""

    column: str
    equals: str | list[str] | None = Field(
        default=None, description="the cell must hold one of these; default: any non-empty cell"
    )


class EventSpec(Strict):
    column: str = Field(description="the date column whose date is the event's time")
    type: str = Field(
        description="event type id (request.received) or its Chinese label (收到政府信息公开申请)"
    )
    time_column: str | None = Field(default=None, description="a separate column holding the time of day")
    subject: str | None = Field(
        default=None,
        description="the event's subject; default the row's. May use "
        "{subject} and {表头}, e.g. '{subject}-JD' for an interpretation",
    )
    department: Value | None = Field(default=None, description="this event's department (default the row's)")
    link: str | None = Field(default=None, description="attribute set to the row's subject, e.g. policy")
    attributes: list[str] | None = Field(
        default=None, description="names of the row's attributes this event carries (default: all)"
    )
    when: Condition | None = None
    required: bool = Field(
        default=False, description="a row without this date is rejected (e.g. 收到申请日期)"
    )
    optional: bool = Field(
        default=False,
        description="the ledger may lack this column (an office that does not keep it, e.g. "
        "征求其他机关意见日期): then the row has no such event; its time, condition and department "
        "columns are optional with it",
    )

    def own_columns(self) -> list[str]:
        """The headers this event reads: its date, time, condition and department columns."""
        out = [self.column] + [c for c in (self.time_column,) if c]
        out += [self.when.column] if self.when else []
        out += [self.department.column] if self.department and self.department.column else []
        return out


class Attribute(Strict):
    column: str
    name: str | None = Field(default=None, description="attribute name (default: the header text)")
    date: bool = Field(default=False, description="the column holds dates: carried as YYYY-MM-DD")
    optional: bool = Field(
        default=False,
        description="the ledger may lack this column (an office that does not "
        "keep it): then its events carry no such attribute",
    )


class LedgerMapping(Strict):
    ledger: str = Field(description="what the ledger is, e.g. 依申请公开登记台账")
    sheet: str | None = Field(default=None, description="worksheet name (default: the first sheet)")
    header_row: int | None = Field(
        default=None,
        ge=1,
        description="row of the headers (default: the first row "
        "holding every mapped header, so a merged title row above is skipped)",
    )
    subject: Value
    body: Value
    department: Value | None = None
    id: Value | None = Field(default=None, description="what makes event ids unique (default: the subject)")
    events: list[EventSpec] = Field(min_length=1)
    attributes: list[Attribute] = Field(default_factory=list)
    constants: dict[str, str] = Field(default_factory=dict, description="attributes every event carries")

    def columns(self) -> list[str]:
        """Every header the ledger must have."""
        named = [self.subject, self.body, self.department, self.id]
        out = [v.column for v in named if v is not None and v.column]
        for spec in self.events:
            out += [] if spec.optional else spec.own_columns()
        out += [a.column for a in self.attributes if not a.optional]
        return list(dict.fromkeys(out))

    def optional_columns(self) -> list[str]:
        """Headers read when the ledger has them."""
        out = [c for spec in self.events if spec.optional for c in spec.own_columns()]
        out += [a.column for a in self.attributes if a.optional]
        required = set(self.columns())
        return [c for c in dict.fromkeys(out) if c not in required]


def header_key(text: Any) -> str:
    """Headers compared without spaces and line breaks (Excel headers often wrap: 收到申请\\n日期)."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def resolve(reference: str | Path) -> Path:
    """A mapping file, or the name of a bundled one (requests, policies, consultations, incidents)."""
    path = Path(reference)
    if path.is_file():
        return path
    for candidate in (bundled("ledgers") / path.name, bundled("ledgers") / f"{path.name}.yaml"):
        if candidate.is_file() and (len(path.parts) == 1 or path.parts[0] == "ledgers"):
            return candidate
    names = sorted(p.stem for p in bundled("ledgers").glob("*.yaml"))
    raise ShixianError(
        f"{reference}: 没有这个映射文件 (no such mapping file){did_you_mean(path.stem, names)}"
        f"；自带的映射：{'、'.join(names)}"
    )


def load_mapping(reference: str | Path, vocabulary: dict[str, str]) -> LedgerMapping:
    """Read and check a mapping; event types given by label are turned into ids. Raises SourceError."""
    path = resolve(reference)
    doc = load_yaml_file(path)
    if not isinstance(doc, Located):
        raise SourceError(str(path), 1, None, "映射文件应是一个映射（ledger, subject, body, events …）")
    try:
        mapping = LedgerMapping.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        line, column, key, _ = locate(doc, err["loc"])
        more = f"（另有 {len(exc.errors()) - 1} 处）" if len(exc.errors()) > 1 else ""
        raise SourceError(str(path), line, key, f"{_say(err)}{more}", column) from None
    labels = {label: type_id for type_id, label in vocabulary.items()}
    seen: dict[tuple, int] = {}
    for index, spec in enumerate(mapping.events):
        node = doc["events"][index]
        if spec.type not in vocabulary:
            if spec.type not in labels:
                line, column = where(node, "type")
                raise SourceError(
                    str(path),
                    line,
                    "type",
                    f"未知的事件类型「{spec.type}」"
                    f"{did_you_mean(spec.type, list(vocabulary) + list(labels))}"
                    f"（见 rules/event-types.yaml） (unknown event type)",
                    column,
                )
            spec.type = labels[spec.type]
        key = (spec.type, spec.subject or "{subject}")
        if key in seen:
            line, column = where(node, "type")
            raise SourceError(
                str(path),
                line,
                "type",
                f"第{seen[key] + 1}项已把同一主体映射为 {spec.type}；同一行"
                f"同一类型只能有一个事件，请给一项写不同的 subject",
                column,
            )
        seen[key] = index
    return mapping


def _say(err: dict) -> str:
    last = str(err["loc"][-1]) if err["loc"] else ""
    if err["type"] == "extra_forbidden":
        known = {n for m in (LedgerMapping, EventSpec, Attribute, Value, Condition) for n in m.model_fields}
        return f"未知的键「{last}」{did_you_mean(last, known)} (unknown key)"
    if err["type"] == "missing":
        return f"缺少必填的键「{last}」 (required key missing)"
    return err["msg"]


def schema() -> dict:
    """JSON Schema of a mapping file, for editors (docs/ledger-mapping-schema.json)."""
    out = LedgerMapping.model_json_schema()
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out["title"] = "shixian ledger mapping (台账映射)"
    return out
