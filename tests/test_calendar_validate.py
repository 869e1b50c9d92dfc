"""A national year file is checked against 《全国年节及纪念日放假办法》 before it is trusted."""

import datetime as dt

import chinese_calendar
import pytest
from chinese_calendar import constants as cc_constants
from conftest import run_cli

from engine.calendar import load_calendar_data
from engine.calendar.validate import check_published_year
from engine.errors import SourceError

HEAD = """\
calendar: national
notice: {title: 国务院办公厅关于2027年部分节假日安排的通知}
covers: [2027]
days:
"""
# A 2027 file that satisfies the law (国务院令第795号: 元旦 1月1日; 春节 除夕至初三 = 02-05..08; 清明 04-05;
# 劳动节 05-01, 02; 端午 06-09; 中秋 09-15; 国庆 10-01..03). Not a real notice: none is published yet.
LAWFUL = """\
  - {from: 2027-01-01, to: 2027-01-03, status: rest, name: 元旦, quote: "1月1日至3日放假，共3天。"}
  - {from: 2027-02-05, to: 2027-02-11, status: rest, name: 春节, quote: "2月5日至11日放假调休，共7天。"}
  - {date: 2027-02-20, status: work, name: 春节}
  - {from: 2027-04-03, to: 2027-04-05, status: rest, name: 清明节}
  - {from: 2027-05-01, to: 2027-05-05, status: rest, name: 劳动节}
  - {date: 2027-04-25, status: work, name: 劳动节}
  - {date: 2027-05-08, status: work, name: 劳动节}
  - {from: 2027-06-09, to: 2027-06-11, status: rest, name: 端午节}
  - {from: 2027-09-15, to: 2027-09-17, status: rest, name: 中秋节}
  - {from: 2027-10-01, to: 2027-10-07, status: rest, name: 国庆节}
  - {date: 2027-09-26, status: work, name: 国庆节}
  - {date: 2027-10-09, status: work, name: 国庆节}
"""


def _load(tmp_path, days: str):
    (tmp_path / "2027.yaml").write_text(HEAD + days, encoding="utf-8")
    return load_calendar_data(dirs=[tmp_path])


def test_a_lawful_year_file_is_accepted_and_covers_the_year(tmp_path):
    data = _load(tmp_path, LAWFUL)
    assert 2027 in data.coverage and data.notes[dt.date(2027, 2, 20)].working


def test_a_2027_file_with_only_new_year_is_rejected_naming_the_missing_festivals(tmp_path):
    with pytest.raises(SourceError) as caught:
        _load(tmp_path, "  - {date: 2027-01-01, status: rest, name: 元旦}\n")
    err = caught.value
    assert err.path.endswith("2027.yaml") and err.line == 4
    assert "2027年缺少春节、清明节、劳动节、端午节、中秋节、国庆节的放假安排" in err.message
    assert "国务院令第795号" in err.message and "2027-02-05" in err.message


@pytest.mark.parametrize(
    "change, line, reason",
    [
        # 春节 02-08 (正月初三, a Monday) made a working day: a statutory day must rest
        (
            ("to: 2027-02-11, status: rest, name: 春节", "to: 2027-02-07, status: rest, name: 春节"),
            6,
            "2027-02-08（周一）是春节的法定假日",
        ),
        # a make-up day on a Wednesday
        (
            ("{date: 2027-02-20, status: work", "{date: 2027-02-17, status: work"),
            7,
            "调休上班日只能是周六或周日",
        ),
        # a day both rest and work
        (("{date: 2027-05-08, status: work", "{date: 2027-05-02, status: work"), 11, "既列为放假又列为上班"),
        # "共7天" but eight days listed
        (
            ("to: 2027-02-11, status: rest, name: 春节", "to: 2027-02-12, status: rest, name: 春节"),
            6,
            "通知写“共7天”，文件列出的放假日是8天",
        ),
    ],
)
def test_each_rule_of_the_law_rejects_with_file_line_and_reason(tmp_path, change, line, reason):
    assert change[0] in LAWFUL
    with pytest.raises(SourceError) as caught:
        _load(tmp_path, LAWFUL.replace(*change))
    assert (caught.value.line, reason in caught.value.message) == (line, True), caught.value.message


def test_a_rejected_file_stops_the_audit_with_exit_2(tmp_path):
    (tmp_path / "2027.yaml").write_text(
        HEAD + "  - {date: 2027-01-01, status: rest, name: 元旦}\n", encoding="utf-8"
    )
    result = run_cli(
        "audit", "--events", "examples/shanghai-2024/events.jsonl", "--calendar-dir", str(tmp_path)
    )
    assert result.returncode == 2
    assert "2027.yaml:4" in result.stderr and "缺少春节" in result.stderr


@pytest.mark.parametrize("year", range(2004, 2027))
def test_every_year_chinese_calendar_ships_passes_the_same_checks(year):
    moved = {d: True for d in cc_constants.workdays} | {d: False for d in cc_constants.holidays}
    assert check_published_year(year, chinese_calendar.is_workday, moved) == []


def test_the_published_checks_can_fail():
    moved = {dt.date(2025, 1, 29): True}  # 2025 春节 正月初一 made a working day (a Wednesday, too)
    problems = check_published_year(2025, lambda d: d in moved or d.weekday() < 5, moved)
    assert any("春节的法定假日" in p for p in problems) and any("不是周末" in p for p in problems)


def test_coverage_states_per_year_the_source_and_the_check():
    out = run_cli("calendar", "coverage").stdout.splitlines()
    line = next(x for x in out if x.startswith("2025  "))
    assert (
        "chinese-calendar" in line
        and "已检查" in line
        and "国务院令第795号" in line
        and "13个法定假日" in line
    )
