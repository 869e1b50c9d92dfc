"""One reader of dates as people type them: a ledger cell, a rule file's date, a log's typed time.

They used to be two parsers (the ledgers' and the rule files') that accepted different forms: a rule file
refused 2024年9月27日16时 and 20240927 that a ledger read, and a ledger refused 2024 - 9 - 27. Each form
here must read the same wherever it is typed."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.events import read_events
from engine.ledger.dates import read_date
from engine.ruleset.loader import load_rules
from engine.timeparse import OfficerDateError, parse_officer_date, parse_officer_instant, read_typed_date

FORMS = [
    ("2024-09-27", dt.datetime(2024, 9, 27), True),
    ("2024/9/27", dt.datetime(2024, 9, 27), True),
    ("2024.9.27", dt.datetime(2024, 9, 27), True),
    ("2024 - 9 - 27", dt.datetime(2024, 9, 27), True),
    ("2024年9月27日", dt.datetime(2024, 9, 27), True),
    ("2024 年 9 月 27 日", dt.datetime(2024, 9, 27), True),
    ("２０２４年９月２７日", dt.datetime(2024, 9, 27), True),  # full-width, as a Chinese input method types
    ("20240927", dt.datetime(2024, 9, 27), True),
    ("2024-09-27T16:00", dt.datetime(2024, 9, 27, 16), False),
    ("2024/9/27 16:00:30", dt.datetime(2024, 9, 27, 16, 0, 30), False),
    ("2024年9月27日16时30分", dt.datetime(2024, 9, 27, 16, 30), False),
    ("2024年9月27日 16点", dt.datetime(2024, 9, 27, 16), False),
    ("2024-09-27 16：00", dt.datetime(2024, 9, 27, 16), False),
]


@pytest.mark.parametrize("text, instant, date_only", FORMS)
def test_every_typed_form_reads_the_same_in_a_ledger_and_a_rule_file(text, instant, date_only):
    assert read_typed_date(text) == (instant, date_only)
    assert read_date(text) == (instant, date_only)  # a ledger cell holding the text
    value, has_time = parse_officer_instant(text)  # a rule file's date or a command-line option
    assert has_time is not date_only
    assert value == (instant if has_time else instant.date())


@pytest.mark.parametrize(
    "text, words",
    [
        ("9/10/2024", ["无法确定哪个是月、哪个是日", "可能是9月10日，也可能是10月9日", "不予猜测"]),
        ("27/09/2024", ["年份不在前"]),
        ("24/9/27", ["不予猜测"]),  # 2024/9/27 or 24 September 2027
        ("24年9月27日", ["年份只有两位"]),
        ("2025/02/30", ["2025年没有2月30日"]),
        ("2024-09-27 24:30", ["不存在"]),
        ("2024-09-2716:00", ["无法识别的日期"]),  # the day runs into the hour: never split by guessing
        ("下周一", ["无法识别的日期"]),
        ("1800-01-01", ["超出可处理的范围"]),
    ],
)
def test_a_date_that_cannot_be_read_is_refused_alike_everywhere(text, words):
    for reader in (read_typed_date, read_date, parse_officer_instant):
        with pytest.raises(OfficerDateError) as caught:
            reader(text)
        assert all(w in str(caught.value) for w in words), (reader.__name__, str(caught.value))


def test_a_rule_file_still_takes_an_iso_instant_with_its_offset():
    value, has_time = parse_officer_instant("2024-09-27T16:00+00:00")
    assert has_time and value == dt.datetime(2024, 9, 27, 16, tzinfo=dt.UTC)
    assert parse_officer_date("2024年9月27日") == dt.date(2024, 9, 27)


def test_a_log_line_with_a_typed_time_is_read_in_shanghai(tmp_path):
    log = tmp_path / "events.jsonl"
    log.write_text(
        '{"id":"e1","type":"document.issued","subject":"d1","time":"2024年9月27日16时","body":"b"}\n',
        encoding="utf-8",
    )
    events = read_events([log], load_rules([]).event_types).events
    assert [(e.time.isoformat(), e.date_only) for e in events] == [("2024-09-27T16:00:00+08:00", False)]


@given(st.text(alphabet="0123456789-/.年月日号时点分秒:：T ２０１９", max_size=24))
def test_any_text_is_read_whole_or_refused_with_a_reason(text):
    try:
        read = read_typed_date(text)
    except OfficerDateError as refused:
        assert str(refused)
        return
    if read is not None:
        instant, date_only = read
        assert 1900 <= instant.year <= 2999
        assert date_only == (instant.time() == dt.time(0) and not any(c in text for c in ":：时点T"))
