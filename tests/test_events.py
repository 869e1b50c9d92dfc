"""Event logs: formats, time zones, malformed lines kept aside with their line numbers, duplicates."""

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.calendar import SHANGHAI
from engine.events import read_events
from engine.ruleset.loader import load_rules

VOCAB = load_rules([]).event_types


def test_jsonl_and_csv_with_bom(tmp_path):
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(
        json.dumps(
            {
                "id": "1",
                "type": "document.issued",
                "subject": "D",
                "time": "2024-09-27T10:00",
                "body": "局",
                "department": "办公室",
                "文号": "X〔2024〕1号",
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    csv = tmp_path / "b.csv"
    csv.write_bytes(
        "id,type,subject,time,body,department,有效性\n2,document.published,D,2024-09-30,局,办公室,有效\n".encode(
            "utf-8-sig"
        )
    )
    log = read_events([csv, jsonl], VOCAB)
    assert not log.rejects
    by_id = {e.id: e for e in log.events}
    assert by_id["1"].time == dt.datetime(2024, 9, 27, 10, tzinfo=SHANGHAI)
    assert by_id["1"].attrs == {"文号": "X〔2024〕1号"}
    assert by_id["2"].date_only and by_id["2"].attrs == {"有效性": "有效"}
    assert by_id["2"].time == dt.datetime(2024, 9, 30, tzinfo=SHANGHAI)


def test_offsets_and_other_zones(tmp_path):
    path = tmp_path / "z.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "id": "1",
                    "type": "incident.occurred",
                    "subject": "I",
                    "time": "2024-09-27T02:00:00Z",
                    "body": "b",
                },
                {
                    "id": "2",
                    "type": "incident.occurred",
                    "subject": "J",
                    "time": "2024-09-27T10:00",
                    "tz": "Asia/Urumqi",
                    "body": "b",
                },
            ]
        ),
        encoding="utf-8",
    )
    log = read_events([path], VOCAB)
    assert log.events[0].time.astimezone(SHANGHAI).hour == 10
    assert log.events[1].time.utcoffset() == dt.timedelta(hours=6)


def test_malformed_lines_are_kept_with_line_numbers(tmp_path):
    path = tmp_path / "bad.jsonl"
    good = {"id": "ok", "type": "document.issued", "subject": "D", "time": "2024-09-27", "body": "b"}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({**good, "id": "x1", "time": "2024-02-30"}),
        json.dumps({**good, "id": "x2", "type": "document.publised"}),
        json.dumps({"id": "x3"}),
        "",
        json.dumps([1, 2]),
        json.dumps({**good, "id": "ok2"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log = read_events([path], VOCAB)
    assert [e.id for e in log.events] == ["ok", "ok2"]
    assert [(r.line, r.reason.split(":")[0]) for r in log.rejects] == [
        (2, "bad JSON"),
        (3, "bad time '2024-02-30'"),
        (4, "unknown event type 'document.publised'"),
        (5, "missing fields"),
        (7, "expected a JSON object, got list"),
    ]
    assert log.lines == 7
    assert log.rejects[0].raw == "{not json"


def test_duplicates(tmp_path):
    path = tmp_path / "d.jsonl"
    a = {"id": "1", "type": "document.issued", "subject": "D", "time": "2024-09-27", "body": "b"}
    path.write_text("\n".join(json.dumps(r) for r in [a, a, {**a, "subject": "E"}]) + "\n", encoding="utf-8")
    log = read_events([path], VOCAB)
    assert len(log.events) == 1 and log.duplicates == 1
    assert len(log.rejects) == 1 and "duplicate id '1' with different content" in log.rejects[0].reason


def test_csv_wrong_column_count(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,type,subject,time,body\n1,document.issued,D,2024-09-27\n", encoding="utf-8")
    log = read_events([path], VOCAB)
    assert [(r.line, r.reason) for r in log.rejects] == [(2, "expected 5 columns, got 4")]


line_text = st.one_of(
    st.text(max_size=80),
    st.dictionaries(
        st.sampled_from(["id", "type", "subject", "time", "body", "department", "tz", "attrs", "x"]),
        st.one_of(
            st.text(max_size=20),
            st.integers(),
            st.none(),
            st.booleans(),
            st.sampled_from(
                ["document.issued", "2024-09-27", "2024-13-01T25:00", "Asia/Shanghai", "Mars/Base"]
            ),
        ),
        max_size=9,
    ).map(json.dumps),
)


@given(st.lists(line_text, max_size=20))
@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_event_lines_are_read_or_rejected_never_lost(tmp_path, lines):
    path = tmp_path / "r.jsonl"
    text = "\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    log = read_events([path], VOCAB)
    non_blank = sum(1 for line in text.split("\n") if line.strip())
    assert log.lines == non_blank
    assert len(log.events) + len(log.rejects) + log.duplicates == non_blank
