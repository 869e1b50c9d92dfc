"""Calendar data files: the 2005-12-31 correction, local layers, added years, malformed files."""

import datetime as dt
import textwrap

import chinese_calendar
import pytest

from engine.calendar import WorkCalendar, load_calendar_data
from engine.calendar.law import statutory_days
from engine.calendar.sources import calendar_files
from engine.errors import CalendarCoverageError, SourceError
from engine.paths import bundled

D = dt.date


def test_2005_12_31_was_a_working_day(cal):
    # 国务院办公厅关于2006年部分节假日安排的通知（国办发明电〔2005〕35号，2005-12-16）:
    # "12月31日（星期六）上班". chinese-calendar 1.11.0 gets this wrong; calendars/national/2006.yaml fixes it.
    assert chinese_calendar.is_workday(D(2005, 12, 31)) is False
    assert cal.is_working_day(D(2005, 12, 31)) is True
    info = cal.day_info(D(2005, 12, 31))
    assert info.kind == "makeup" and info.name == "元旦" and "国办发明电〔2005〕35号" in info.source
    # Fri 2005-12-30 + 1 working day is that Saturday, not Wed 2006-01-04
    assert cal.add_working_days(D(2005, 12, 30), 1) == D(2005, 12, 31)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _with_bundled(tmp_path):
    return [bundled("calendars"), tmp_path]


def test_local_calendar_layers_over_national(tmp_path):
    _write(
        tmp_path,
        "demo-closure.yaml",
        """\
        calendar: demo-county
        notice:
          title: 某县人民政府办公室关于2024年10月8日临时闭馆的通知（测试用）
        days:
          - date: 2024-10-08
            status: rest
            name: 临时闭馆
          - date: 2024-10-13
            status: work
            name: 补班
        """,
    )
    local = WorkCalendar(load_calendar_data("demo-county", _with_bundled(tmp_path)))
    national = WorkCalendar(load_calendar_data("national", _with_bundled(tmp_path)))
    # national: 09-27 + 3wd = 10-08; local: 10-08 closed -> 09-29, 09-30, 10-09
    assert national.add_working_days(D(2024, 9, 27), 3) == D(2024, 10, 8)
    assert local.add_working_days(D(2024, 9, 27), 3) == D(2024, 10, 9)
    assert local.is_working_day(D(2024, 10, 13)) and not national.is_working_day(D(2024, 10, 13))
    assert local.day_info(D(2024, 10, 8)).reason == "周二，临时闭馆放假"


def test_unknown_calendar_name_is_an_error():
    with pytest.raises(SourceError, match="unknown calendar 'nowhere'"):
        load_calendar_data("nowhere")


def _statutory_only(year: int) -> str:
    """A made-up year file that rests exactly on the law's statutory days (国务院令第795号 for 2025 on) and
    arranges no 调休: the smallest file the law's checks accept."""
    lines = [
        f"  - {{date: {d}, status: rest, name: {festival}}}"
        for festival, days in statutory_days(year).items()
        for d in days
    ]
    return (
        f"calendar: national\nnotice: {{title: 测试用 {year} 年节假日安排（虚构，仅用于测试覆盖年份的机制）}}\n"
        f"covers: [{year}]\ndays:\n" + "\n".join(lines) + "\n"
    )


def test_a_new_year_can_be_added_as_data(tmp_path):
    # The file declares it covers 2027 and so the year becomes known: 2027-01-01 (Fri) rests by law, 01-02/03
    # are a weekend, so the first working day after 2026-12-31 is Monday 2027-01-04.
    (tmp_path / "2027.yaml").write_text(_statutory_only(2027), encoding="utf-8")
    cal = WorkCalendar(load_calendar_data("national", _with_bundled(tmp_path)))
    assert 2027 in cal.covered_years
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert not cal.is_working_day(D(2027, 2, 8))  # 春节 正月初三, a Monday
    with pytest.raises(CalendarCoverageError):
        cal.is_working_day(D(2031, 1, 3))


def test_gap_year_is_not_guessed(tmp_path):
    (tmp_path / "2028.yaml").write_text(_statutory_only(2028), encoding="utf-8")
    cal = WorkCalendar(load_calendar_data("national", _with_bundled(tmp_path)))
    assert cal.is_working_day(D(2028, 1, 4))
    with pytest.raises(CalendarCoverageError) as err:
        cal.add_working_days(D(2026, 12, 30), 10)
    assert err.value.year == 2027
    with pytest.raises(CalendarCoverageError):
        cal.is_working_day(D(2027, 6, 1))


@pytest.mark.parametrize(
    "body, line, field",
    [
        (
            "calendar: national\nnotice: {title: x}\ndays:\n  - date: 2024-10-08\n    status: closed\n    name: x\n",
            5,
            "status",
        ),
        (
            "calendar: national\nnotice: {title: x}\ndays:\n  - date: 2024-13-08\n    status: rest\n    name: x\n",
            4,
            "date",
        ),
        ("calendar: national\nnotice: {title: x}\ndayz: []\n", 3, "dayz"),
        ("calendar: national\nnotice: {}\ndays: []\n", 2, "notice.title"),
        ("calendar: local-x\nnotice: {title: x}\ncovers: [2030]\ndays: []\n", 3, "covers"),
        (
            "calendar: national\nnotice: {title: x}\ndays:\n  - from: 2024-10-08\n    to: 2024-10-01\n    status: rest\n    name: x\n",
            5,
            "to",
        ),
        ("calendar: national\nnotice: {title: x}\ndays: [\n", 4, None),
    ],
)
def test_malformed_calendar_file_names_file_line_and_field(tmp_path, body, line, field):
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_calendar_data("national", [path])
    assert err.value.path == str(path)
    assert err.value.line == line
    assert err.value.field == field


def test_every_bundled_file_names_its_notice():
    files = calendar_files()
    assert files, "the bundled calendars/ has notice files"
    data = load_calendar_data()
    assert set(data.files) == set(files)
