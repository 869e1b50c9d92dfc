"""Hostile-input generators and the checks every input must pass, shared by tests/test_fuzz.py (a bounded,
derandomized run in CI) and bench/fuzz_run.py (`make fuzz`: a long run in child processes, counting crashes
and hangs too).

A check never raises: it returns Counts, so a long run can add them up. `tracebacks` counts exceptions the
contract does not allow (anything but a located reject, a located error or a 4xx), `lost` counts records that
went missing (read + rejected != lines in, or a valid line not read as its event at its line number),
`unlocated` errors without a file and line. Each such failure keeps its first example in `failures`.
"""

from __future__ import annotations

import datetime as dt
import json
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
BODY = "临沂市司法局"


@dataclass
class Counts:
    inputs: int = 0
    located: int = 0  # rejects and errors that named their place
    tracebacks: int = 0
    lost: int = 0
    unlocated: int = 0
    failures: list = field(default_factory=list)

    def add(self, other: Counts) -> Counts:
        self.inputs += other.inputs
        self.located += other.located
        self.tracebacks += other.tracebacks
        self.lost += other.lost
        self.unlocated += other.unlocated
        self.failures += other.failures[: max(0, 5 - len(self.failures))]
        return self

    @property
    def clean(self) -> bool:
        return not (self.tracebacks or self.lost or self.unlocated)

    def fail(self, kind: str, what: str, example) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.failures) < 5:
            self.failures.append({"kind": kind, "what": what[-1200:], "example": repr(example)[:300]})


# ---- event lines ----------------------------------------------------------------------------------------------
def valid_record(k: int, **extra) -> dict:
    return {
        "id": f"v{k}",
        "type": "request.received",
        "subject": f"S{k}",
        "time": "2024-09-27T16:00",
        "body": BODY,
        **extra,
    }


HOSTILE_VALUES = [
    "0001-01-01T00:00",
    "9999-12-31T23:00",
    "2024",
    "2024-10",
    "2024-09-27T24:00",
    "2024-02-30",
    "1e999",
    "",
    " ",
    "\u0000",
    "\ufeff",
    "长" * 300,
    "9" * 5000,
    "-1",
    "0",
    "10000",
    "NaN",
    "2024/9/27",
    "9/10/2024",
    "2024年9月27日",
    "２０２４-０９-２７",
    "1900-01-01",
    "2999-12-31T23:59",
    "1991-12-31",
]
HOSTILE_JSON = [
    "null",
    "[]",
    "1",
    '"x"',
    "{}",
    "true",
    '{"id":',
    '{"a":1} {"b":2}',
    '{"id": NaN}',
    '{"id": Infinity}',
    '{"id": 1e999}',
    '{"id": -0}',
    '{"id": "x", "attrs": {"a": {"b": {"c": 1}}}}',
]


def _deep(depth: int) -> bytes:
    return b'{"id": "d", "x": ' + b"[" * depth + b"]" * depth + b"}"


@st.composite
def hostile_line(draw, k: int) -> tuple[bytes, bool]:
    """(the bytes of one line without its line feed, whether it must be read as the valid event v{k})."""
    kind = draw(
        st.sampled_from(
            [
                "valid",
                "valid",
                "valid",
                "value",
                "json",
                "deep",
                "bytes",
                "cr",
                "truncate",
                "bigint",
                "type",
                "nul",
            ]
        )
    )
    base = valid_record(k)
    if kind == "valid":
        if draw(st.booleans()):
            base["note"] = draw(st.text(max_size=20).filter(lambda t: "\n" not in t))
        return json.dumps(base, ensure_ascii=draw(st.booleans())).encode("utf-8"), True
    if kind == "value":
        key = draw(
            st.sampled_from(["time", "id", "subject", "body", "type", "year", "days", "tz", "department"])
        )
        base[key] = draw(st.sampled_from(HOSTILE_VALUES + [10**20, -1, 0.5, None, [], {}, True]))
        return json.dumps(base, ensure_ascii=False).encode("utf-8"), False
    if kind == "json":
        return draw(st.sampled_from(HOSTILE_JSON)).encode(), False
    if kind == "deep":
        return _deep(draw(st.sampled_from([63, 64, 65, 200, 1000, 3000, 20000]))), False
    line = json.dumps(base, ensure_ascii=False).encode("utf-8")
    if kind == "bytes":  # bytes that are not UTF-8 (Latin-1, a lone continuation byte, a truncated sequence)
        at = draw(st.integers(0, len(line)))
        junk = draw(st.sampled_from([b"\xff", b"\xe9", b"\x80", b"\xe4\xb8", b"\xc0\xaf", b"\xed\xa0\x80"]))
        return line[:at] + junk + line[at:], False
    if kind == "cr":  # a raw CR where JSON allows white space: still the same event on the same line
        at = line.index(b', "subject"')
        return line[:at] + b",\r" + line[at + 1 :], True
    if kind == "truncate":
        return line[: draw(st.integers(1, len(line) - 1))], False
    if kind == "bigint":
        return line[:-1] + b', "n": ' + b"7" * draw(st.sampled_from([4300, 4301, 6000])) + b"}", False
    if kind == "type":
        base["type"] = draw(
            st.sampled_from(["收到政府信息公开申请", "request.recieved", "Request.Received", "x" * 300])
        )
        return json.dumps(base, ensure_ascii=False).encode("utf-8"), base["type"] == "收到政府信息公开申请"
    return line.replace(b'"S', b'"\x00S'), False  # nul: a NUL byte inside a string is bad JSON


@st.composite
def jsonl_log(draw) -> tuple[bytes, dict[int, str]]:
    """A JSON Lines file and the lines that must be read as events: {line number: event id}."""
    count = draw(st.integers(1, 40))
    lines, must = [], {}
    for k in range(count):
        data, valid = draw(hostile_line(k))
        lines.append(data)
        if valid:
            must[k + 1] = f"v{k}"
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + ending.join(lines) + (ending if draw(st.booleans()) else b""), must


HEADER = "id,type,subject,time,body"


@st.composite
def csv_log(draw) -> tuple[bytes, dict[int, str]]:
    """A CSV event log and the lines that must be read as events: {line number: event id}."""
    count = draw(st.integers(1, 30))
    rows, valid = [HEADER.encode()], [False]
    for k in range(count):
        row = f"v{k},request.received,S{k},2024-09-27T16:00,{BODY}"
        kind = draw(
            st.sampled_from(
                [
                    "valid",
                    "valid",
                    "valid",
                    "quote",
                    "long",
                    "bytes",
                    "columns",
                    "midquote",
                    "cr",
                    "value",
                    "nul",
                    "quoted_newline",
                ]
            )
        )
        good = kind in ("valid", "quoted_newline")
        if kind == "valid":
            data = row.encode("utf-8")
        elif kind == "quoted_newline":  # a quoted field over two lines: one record, read from its first line
            data = f'v{k},request.received,"S{k}\nnote",2024-09-27T16:00,{BODY}'.encode()
        elif kind == "quote":  # a quote opened and never closed
            data = row.replace(f"S{k}", f'"S{k}').encode("utf-8")
        elif kind == "long":
            data = (row + "," + "x" * draw(st.sampled_from([131_073, 140_000]))).encode("utf-8")
        elif kind == "bytes":
            data = row.encode("utf-8").replace(b"S", b"S\xff", 1)
        elif kind == "columns":
            data = (row + ",extra" * draw(st.integers(1, 3))).encode("utf-8")
        elif kind == "midquote":
            data = row.replace(f"S{k}", f'S"{k}').encode("utf-8")
        elif kind == "cr":
            data = row.replace(f"S{k}", f"S\r{k}").encode("utf-8")
        elif kind == "value":
            data = row.replace("2024-09-27T16:00", draw(st.sampled_from(HOSTILE_VALUES[:12]))).encode("utf-8")
        else:  # nul
            data = row.replace(f"S{k}", f"S\x00{k}").encode("utf-8")
        rows.append(data)
        valid.append(good)
    must, line = {}, 1
    for k, (data, good) in enumerate(zip(rows, valid)):
        if good:
            must[line] = f"v{k - 1}"
        line += data.count(b"\n") + 1
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    return ending.join(rows) + ending, must


COLUMN_TYPES = [
    "string",
    "string",
    "int",
    "binary",
    "bad_utf8",
    "float",
    "date",
    "timestamp",
    "far_timestamp",
    "null",
]


def parquet_column(kind: str, texts: list[str]):
    """A Parquet column of the given type for values meant as `texts`."""
    import pyarrow as pa

    n = len(texts)
    if kind == "string":
        return pa.array(texts, pa.string())
    if kind == "int":
        return pa.array(range(n), pa.int64())
    if kind == "binary":
        return pa.array([t.encode("utf-8") for t in texts], pa.binary())
    if kind == "bad_utf8":
        return pa.array([t.encode("utf-8") + b"\xff" for t in texts], pa.binary())
    if kind == "float":
        return pa.array([1e300 * (k % 3 - 1) for k in range(n)], pa.float64())
    if kind == "date":
        return pa.array([dt.date(2024, 9, 27)] * n, pa.date32())
    if kind == "timestamp":
        return pa.array([dt.datetime(2024, 9, 27, 16)] * n, pa.timestamp("s"))
    if kind == "far_timestamp":  # past the years Python's datetime holds
        return pa.array([253_402_300_800 * 1000 + k for k in range(n)], pa.timestamp("s"))
    return pa.nulls(n, pa.string())


@st.composite
def parquet_log(draw):
    """(table, row group size, lines that must be events): columns of every type where text is expected.
    Only a log whose id, subject and time are text must give its events."""
    import pyarrow as pa

    rows = draw(st.integers(1, 12))
    kinds = {name: draw(st.sampled_from(COLUMN_TYPES)) for name in ("id", "subject", "time", "year", "note")}
    texts = {
        "id": [f"v{k}" for k in range(rows)],
        "subject": [f"S{k}" for k in range(rows)],
        "time": ["2024-09-27T16:00"] * rows,
        "year": ["2024"] * rows,
        "note": ["x"] * rows,
    }
    table = {"type": pa.array(["request.received"] * rows), "body": pa.array([BODY] * rows)}
    for name, kind in kinds.items():
        table[name] = parquet_column(kind, texts[name])
    plain = all(kinds[name] == "string" for name in ("id", "subject", "time"))
    return pa.table(table), draw(st.integers(1, 5)), ({k + 1: f"v{k}" for k in range(rows)} if plain else {})


LEDGER_HEADERS = [
    "申请编号",
    "机关",
    "承办科室",
    "收到申请日期",
    "补正告知日期",
    "补正收到日期",
    "征求第三方意见日期",
    "第三方回复日期",
    "是否延期",
    "延期审批日期",
    "延期工作日数",
    "答复日期",
]
CELL_VALUES = [
    None,
    "",
    "0001-01-01",
    "9999-12-31",
    "2024-02-30",
    "9/10/2024",
    "2024",
    "2024年9月27日",
    "#VALUE!",
    "=1/0",
    1e308,
    -5,
    0,
    2_958_466,
    45_562.5,
    True,
    "长" * 3000,
    dt.datetime(1900, 1, 1),
    dt.datetime(2024, 10, 8, 9),
    dt.date(2024, 9, 30),
    "是",
    "否",
    "20",
    "x",
]


@st.composite
def xlsx_ledger(draw) -> tuple[list[list], int]:
    """Rows of a 依申请公开登记台账 (the bundled `requests` mapping) under a merged-looking title, with
    hostile cells in any column; (rows, how many)."""
    rows = [["依申请公开登记台账"], LEDGER_HEADERS]
    for k in range(draw(st.integers(1, 15))):
        row = [f"A{k}", BODY, "办公室", dt.datetime(2024, 9, 27, 16)] + [None] * (len(LEDGER_HEADERS) - 4)
        for _ in range(draw(st.integers(0, 3))):
            row[draw(st.integers(0, len(row) - 1))] = draw(st.sampled_from(CELL_VALUES))
        rows.append(row)
    return rows, len(rows)


def write_xlsx(rows: list[list], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "登记台账"
    for row in rows:
        sheet.append(row)
    book.save(path)


def check_event_file(
    path: Path, must: dict[int, str], vocabulary, attributes, last_line: int | None = None
) -> Counts:
    """Both readers: no exception, every record once (read = events + rejects + duplicates), every line that
    must be an event read as that event at its line, every reject with this file and a line in the file,
    and the two readers agree on every reject."""
    from engine.columnar.frame import read_frame
    from engine.events import read_events

    counts = Counts(inputs=1)
    data = path.read_bytes()
    physical = last_line or data.count(b"\n") + (not data.endswith(b"\n"))
    results = {}
    for name in ("rows", "columnar"):
        try:
            if name == "rows":
                log = read_events([path], vocabulary)
                events, rejects, read, dups = log.events, log.rejects, log.lines, log.duplicates
            else:
                import numpy as np

                frame = read_frame([path], vocabulary, attributes)
                events = frame.events(np.arange(len(frame)), vocabulary)
                rejects, read, dups = frame.log.rejects, frame.log.lines, frame.log.duplicates
        except Exception:
            counts.fail("tracebacks", f"{name}: {traceback.format_exc()}", data)
            continue
        if read != len(events) + len(rejects) + dups:
            counts.fail(
                "lost", f"{name}: read {read} != {len(events)} events + {len(rejects)} rejects + {dups}", data
            )
        by_line = {int(e.origin.rpartition(":")[2]): e.id for e in events}
        if len(by_line) < len(events) and must:  # a ledger row makes several events; logs one per line
            counts.fail("lost", f"{name}: two events from one line", data)
        for line, event_id in must.items():
            if by_line.get(line) != event_id:
                counts.fail(
                    "lost", f"{name}: line {line} should be event {event_id}, got {by_line.get(line)}", data
                )
        for reject in rejects:
            if reject.file != str(path) or not 1 <= reject.line <= physical:
                counts.fail("unlocated", f"{name}: reject at {reject.file}:{reject.line}", data)
            else:
                counts.located += 1
        results[name] = (
            sorted((r.line, r.reason) for r in rejects),
            sorted((int(e.origin.rpartition(":")[2]), e.id) for e in events),
        )
    if len(results) == 2 and results["rows"] != results["columnar"]:
        counts.fail("lost", f"readers differ: rows {results['rows']} columnar {results['columnar']}", data)
    return counts


# ---- rule files -----------------------------------------------------------------------------------------------
RULE_PACKS = sorted(
    p
    for p in (ROOT / "rules").rglob("*.yaml")
    if p.name != "event-types.yaml" and not p.name.endswith(".test.yaml")
)
RULE_VALUES = [
    9000,
    "9000y",
    "99999m",
    "99999wd",
    "0d",
    "-1d",
    True,
    None,
    [],
    {},
    10**30,
    1e999,
    float("nan"),
    "0001-01-01",
    "9999-12-31",
    "2024-02-30",
    0,
    90,
    "17:30",
    "25:00",
    {"month": 2, "day": 30},
    {"from": 0},
    "x" * 10_000,
    "收到政府信息公开申请",
    "document.lost",
    [[[[[[]]]]]],
    {"not": {"not": {}}},
    {"in": []},
    {"exists": "maybe"},
    "é",
    "\u0000",
]


def _paths(node, prefix=()):
    """Every place in a parsed YAML tree where a value could be put."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


@st.composite
def rule_file(draw) -> bytes:
    """A bundled pack with hostile values put at random places, or with its bytes damaged."""
    path = draw(st.sampled_from(RULE_PACKS))
    text = path.read_bytes()
    if draw(st.integers(0, 3)) == 0:  # bytes: flips, cuts, insertions
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(text)))
            junk = draw(
                st.sampled_from(
                    [
                        b"\xff",
                        b"\t",
                        b":",
                        b"- ",
                        b"{",
                        b"[",
                        b"&a ",
                        b"*a",
                        b"!!python/object ",
                        b"\n",
                        b"'",
                        b"9" * 5000,
                        b"[" * 2000,
                    ]
                )
            )
            text = text[:at] + junk + text[at + draw(st.integers(0, 5)) :]
        return text
    doc = yaml.safe_load(text)
    places = [p for p in _paths(doc) if p]
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(places))
        node = doc
        try:
            for part in where[:-1]:
                node = node[part]
            node[where[-1]] = draw(st.sampled_from(RULE_VALUES))
        except (KeyError, IndexError, TypeError):
            continue
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


def check_rule_file(folder: Path, data: bytes) -> Counts:
    """Load the pack alone: a rule set, or errors that each name this file and a line; a pack that loads is
    audited over a small log (a rule that validates must never crash an audit)."""
    from engine.engine import Engine
    from engine.errors import ShixianError
    from engine.ruleset.loader import RuleLoadError, load_rules

    counts = Counts(inputs=1)
    path = folder / "pack.yaml"
    path.write_bytes(data)
    try:
        ruleset = load_rules([path])
    except RuleLoadError as exc:
        for error in exc.errors:
            if error.path != str(path) or error.line is None:
                counts.fail("unlocated", str(error), data)
            else:
                counts.located += 1
        return counts
    except ShixianError as exc:
        counts.fail("unlocated", f"not a RuleLoadError: {exc}", data)
        return counts
    except Exception:
        counts.fail("tracebacks", traceback.format_exc(), data)
        return counts
    try:
        from engine.calendar import SHANGHAI, Period, load_calendar
        from engine.events.read import event_from_record

        vocabulary = ruleset.event_types
        events = [
            event_from_record(
                {
                    "id": f"e{k}",
                    "type": t,
                    "subject": "S1",
                    "time": f"2024-0{1 + k % 9}-1{k % 9}T10:00",
                    "body": BODY,
                    "year": "2023",
                    "days": "20",
                    "policy": "S1",
                },
                f"x:{k}",
                vocabulary,
            )
            for k, t in enumerate(sorted(vocabulary))
        ]
        engine = Engine(ruleset, load_calendar())
        engine.evaluate(events, dt.datetime(2025, 3, 31, tzinfo=SHANGHAI), Period(2, "wd"))
    except Exception:
        counts.fail("tracebacks", "a pack that validated crashed an audit: " + traceback.format_exc(), data)
    return counts


# ---- plans and request bodies -----------------------------------------------------------------------------
PLAN = {
    "document": {
        "subject": "LY-2021-200",
        "body": BODY,
        "department": "法制科",
        "doc_type": "政策文件",
        "disclosure": "主动公开",
        "文号": "临司发〔2021〕200号",
        "issued_at": "2021-09-24T10:00",
    },
    "publish_at": "2021-10-08T10:00",
    "interpretation_at": "2021-10-09T10:00",
    "comment_period": {"open": "2021-08-02", "close": "2021-09-10"},
}
PLAN_VALUES = HOSTILE_VALUES + [
    10**20,
    -1,
    1.5,
    None,
    [],
    {},
    True,
    [valid_record(1)],
    [{"id": 1}],
    [valid_record(2, time="9999-12-31T23:00")],
    ["national-ogi-2019"],
    ["nowhere"],
]


@st.composite
def plan(draw) -> dict:
    doc = json.loads(json.dumps(PLAN))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(
            st.sampled_from(
                [("document", k) for k in ("subject", "body", "doc_type", "issued_at", "x")]
                + [
                    (k,)
                    for k in (
                        "publish_at",
                        "interpretation_at",
                        "events",
                        "packs",
                        "as_of",
                        "comment_period",
                        "extra",
                    )
                ]
                + [("comment_period", k) for k in ("open", "close", "subject")]
            )
        )
        node = doc
        for part in where[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node[where[-1]] = draw(st.sampled_from(PLAN_VALUES))
    return doc


def check_plan(engine, data: dict) -> Counts:
    """engine.check: a result, or a validation error naming the field, or the year the calendar lacks."""
    from pydantic import ValidationError

    from engine.check import PlanError
    from engine.errors import CalendarCoverageError

    counts = Counts(inputs=1)
    try:
        result = engine.check(data)
        json.dumps(result.to_json(), allow_nan=False)
    except CalendarCoverageError:  # a plan years past the calendar: the error names the year (HTTP: 422)
        counts.located += 1
    except (ValidationError, PlanError) as exc:
        locs = [e["loc"] for e in exc.errors()] if isinstance(exc, ValidationError) else [exc.loc]
        counts.located += 1 if all(locs) else 0
        if not all(locs):
            counts.fail("unlocated", str(exc), data)
    except Exception:
        counts.fail("tracebacks", traceback.format_exc(), data)
    return counts


@st.composite
def body_bytes(draw) -> bytes:
    """A request body: a hostile plan as JSON, or its bytes damaged."""
    text = json.dumps(draw(plan()), ensure_ascii=draw(st.booleans()), default=str).encode("utf-8")
    kind = draw(st.sampled_from(["plain", "plain", "nan", "bytes", "deep", "cut", "bigint"]))
    if kind == "nan":
        text = text.replace(
            b'"2021-10-08T10:00"', draw(st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e999"]))
        )
    elif kind == "bytes":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from([b"\xff", b"\xc0", b"\xe4\xb8"])) + text[at:]
    elif kind == "deep":
        text = text[:-1] + b', "x": ' + b"[" * draw(st.sampled_from([65, 1000, 10000])) + b"]" * 10000 + b"}"
    elif kind == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif kind == "bigint":
        text = text[:-1] + b', "n": ' + b"1" * 5000 + b"}"
    return text


# ---- the live monitor -----------------------------------------------------------------------------------------
def check_watch(monitor, lines: list[bytes]) -> Counts:
    """Each stdin line as `shixian watch` takes it: decoded and parsed on its own, then accepted or rejected
    with a reason; the monitor keeps ticking."""
    from engine.events.jsonl import BadRecord, decode_line, parse_json

    counts = Counts(inputs=1)
    for number, raw in enumerate(lines, start=1):
        try:
            record = decode_line(raw)
            if not isinstance(record, BadRecord):
                record = parse_json(record)
            if isinstance(record, BadRecord):
                counts.located += 1
                continue
            why = monitor.accept(record, f"stdin:{number}")
            counts.located += bool(why)
            monitor.tick()
        except Exception:
            counts.fail("tracebacks", traceback.format_exc(), raw)
    return counts
