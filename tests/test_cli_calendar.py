"""`shixian calendar ...` through the real command."""

import pytest
from conftest import run_cli


def test_add_prints_the_day_first():
    result = run_cli("calendar", "add", "2024-09-27", "3wd")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "2024-10-08"


def test_add_explain_lists_the_steps():
    result = run_cli("calendar", "add", "2024-09-27", "3wd", "--explain")
    assert "2024-09-29 周日，国庆节调休上班 → 第1个工作日" in result.stdout


@pytest.mark.parametrize(
    "args, expected",
    [
        (("2024-09-24", "7d"), "2024-10-08"),
        (("2024-09-24", "7d", "--no-roll"), "2024-10-01"),
        (("2026-03-07", "3wd", "--start-rule", "next-working"), "2026-03-12"),
        (("2024-01-31", "1m"), "2024-02-29"),
        (("2024-09-27T15:00", "5h"), "2024-09-27T20:00+0800"),
    ],
)
def test_add_units(args, expected):
    assert run_cli("calendar", "add", *args).stdout.splitlines()[0] == expected


def test_add_past_the_horizon_gives_the_range_or_the_certain_day():
    # 2026-12-21 + 20wd: 8 working days in 2026, then 2027 (unpublished): 元旦 01-01 rests by law
    # (国务院令第795号); 01-02/03 may be make-up days: earliest 01-15, latest 01-19
    out = run_cli("calendar", "add", "2026-12-21", "20wd")
    assert out.returncode == 0
    assert out.stdout.splitlines()[:2] == [
        "2027-01-15 至 2027-01-19",
        "due 2027-01-15 24:00 至 2027-01-19 24:00 Asia/Shanghai",
    ]
    assert "import-notice" in out.stdout
    # Mon 2027-03-01 + 3wd: no festival within reach of any arrangement, so the day is certain
    certain = run_cli("calendar", "add", "2027-03-01", "3wd", "--explain")
    assert certain.stdout.splitlines()[0] == "2027-03-04"
    assert "2027年调休安排尚未公布，但任何可能的安排下结果相同" in certain.stdout


def test_show_marks_holidays_and_make_up_days():
    out = run_cli("calendar", "show", "2024-10").stdout
    assert "12班" in out and "1休" in out
    assert "2024-10-12 周六，国庆节调休上班" in out


def test_coverage_lists_years_and_the_correction():
    out = run_cli("calendar", "coverage").stdout
    assert out.splitlines()[0] == "national calendar covers 23 years: 2004-2026"
    assert "correction  2005-12-31 work (元旦)" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (("calendar", "add", "2024-02-30", "3wd"), "bad date or time '2024-02-30'"),
        (("calendar", "add", "2024-09-27", "3weeks"), "bad period '3weeks'"),
        (("calendar", "add", "2029-03-01", "3wd"), "year 2029 is not covered"),
        (("calendar", "add", "2003-03-01", "3wd"), "year 2003 is not covered"),
        (("calendar", "show", "2024-13"), "bad month '2024-13'"),
        (("calendar", "add", "2024-09-27", "3wd", "--closing", "25:00"), "bad closing time"),
        (("calendar", "add", "2024-09-27", "3wd", "--calendar", "atlantis"), "unknown calendar 'atlantis'"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in result.stderr
