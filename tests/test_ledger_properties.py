"""Random ledgers (headers in any order, a title row or not, blank rows, dates in every accepted form and
some that must be refused, xlsx or CSV in UTF-8, UTF-8 with BOM or GBK): each data row becomes exactly its
events, or one reject on its own row naming each bad cell; never a traceback."""

import datetime as dt

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import ledger
from engine.events import read_events
from engine.ledger.sheets import column_letter
from engine.ruleset.loader import load_rules

VOCABULARY = load_rules([]).event_types
MAPPING = """\
ledger: 随机台账
subject: {column: 编号}
body: {column: 机关}
events:
  - {column: 收到日期, type: 收到政府信息公开申请, required: true}
  - {column: 补正日期, type: supplement.requested}
  - {column: 答复日期, type: 答复申请人}
"""
DATES = {"收到日期": "request.received", "补正日期": "supplement.requested", "答复日期": "request.replied"}
HEADERS = ["编号", "机关", *DATES, "备注"]
REFUSED = ["9/10/2024", "27/09/2024", "2024/2/30", "下周一", "2024/9/27 25:00", "24/9/27", "12"]
NOTES = st.text(alphabet="abc 办理中已答复，。0123", max_size=6)


def forms(moment: dt.datetime, timed: bool):
    """Every way the generator may type this instant (a date cell only in a workbook)."""
    d, hm = moment, f"{moment.hour}:{moment.minute:02d}"
    if not timed:
        return [
            d.date().isoformat(),
            f"{d.year}/{d.month}/{d.day}",
            f"{d.year}.{d.month}.{d.day}",
            f"{d.year}年{d.month}月{d.day}日",
            f"{d:%Y%m%d}",
            dt.datetime.combine(d.date(), dt.time(0)),
            float(d.toordinal() - dt.date(1899, 12, 30).toordinal()),
        ]
    return [
        f"{d:%Y-%m-%dT%H:%M}",
        f"{d.year}/{d.month}/{d.day} {hm}",
        f"{d.year}年{d.month}月{d.day}日 {hm}",
        f"{d.year}年{d.month}月{d.day}日{d.hour}时{d.minute}分",
        d,
    ]


@st.composite
def cell(draw):
    """(value as typed, expected instant or None for empty, refused?)"""
    kind = draw(st.sampled_from(["empty", "good", "good", "good", "bad"]))
    if kind == "empty":
        return "", None, False
    if kind == "bad":
        return draw(st.sampled_from(REFUSED)), None, True
    day = dt.date(2024, 1, 1).toordinal() + draw(st.integers(0, 700))
    timed = draw(st.booleans())
    clock = dt.time(draw(st.integers(0, 23)), draw(st.integers(1, 59))) if timed else dt.time(0)
    moment = dt.datetime.combine(dt.date.fromordinal(day), clock)
    return draw(st.sampled_from(forms(moment, timed))), (moment, not timed), False


@st.composite
def ledgers(draw):
    order = draw(st.permutations(HEADERS))
    rows = []
    for i in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 4)) == 0:
            rows.append(None)  # a blank line
            continue
        rows.append(
            {
                "编号": f"R{i}" if draw(st.integers(0, 9)) else "",
                "机关": "临沂市司法局",
                **{h: draw(cell()) for h in DATES},
                "备注": draw(NOTES),
            }
        )
    return order, draw(st.booleans()), rows, draw(st.sampled_from(["xlsx", "utf-8", "utf-8-sig", "gbk"]))


def write(path, order, title, rows, fmt):
    table = ([["随机台账"] + [""] * (len(order) - 1)] if title else []) + [list(order)]
    for row in rows:
        table.append(
            [""] * len(order) if row is None else [row[h][0] if h in DATES else row[h] for h in order]
        )
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        for line in table:
            book.active.append([None if c == "" else c for c in line])
        path = path.with_suffix(".xlsx")
        book.save(path)
        return path
    path = path.with_suffix(".csv")

    def text(c):  # as Excel saves a CSV: a date cell as it displays it, a date-only cell without 0:00
        if isinstance(c, dt.datetime):
            return f"{c:%Y/%m/%d}" if c.time() == dt.time(0) else f"{c:%Y/%m/%d %H:%M}"
        return repr(c) if isinstance(c, float) else str(c)

    path.write_bytes("\r\n".join(",".join(text(c) for c in line) for line in table).encode(fmt) + b"\r\n")
    return path


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ledgers())
def test_each_row_is_its_events_or_a_located_reject(tmp_path, drawn):
    order, title, rows, fmt = drawn
    path = write(tmp_path / "台账", order, title, rows, fmt)
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text(MAPPING, encoding="utf-8")
    ledger.attach([path], ledger.load_mapping(mapping_file, VOCABULARY))
    try:
        log = read_events([path], VOCABULARY)
    finally:
        ledger.detach([path])
    first = 2 + int(title)  # the first data row's number: below the header (and the title above it)
    expected_events, expected_rejects = [], {}
    for k, row in enumerate(rows):
        number = first + k
        if row is None:
            continue
        bad = [h for h in DATES if row[h][2]]
        if not row["编号"]:
            bad.append("编号")
        if row["收到日期"][1] is None and not row["收到日期"][2]:
            bad.append("收到日期")
        if bad:
            expected_rejects[number] = bad
            continue
        for header, kind in DATES.items():
            if row[header][1] is not None:
                moment, date_only = row[header][1]
                expected_events.append((number, row["编号"], kind, moment.isoformat(), date_only))
    got = [
        (
            int(e.origin.rsplit(":", 1)[1]),
            e.subject,
            e.type,
            e.time.replace(tzinfo=None).isoformat(),
            e.date_only,
        )
        for e in log.events
    ]
    assert got == expected_events
    assert {r.line for r in log.rejects} == set(expected_rejects)
    for reject in log.rejects:
        assert f"第{reject.line}行" in reject.reason
        for header in expected_rejects[reject.line]:
            assert f"{column_letter(order.index(header))}{reject.line}「{header}」" in reject.reason
        if fmt != "xlsx":
            assert ("GB18030" if fmt == "gbk" else "UTF-8") in reject.reason
