"""The worked examples of shared/domain.md section 1, each checked by hand against its notice."""

import datetime as dt

import pytest

from engine.calendar import SHANGHAI, Conventions, Period
from engine.errors import CalendarCoverageError

D = dt.date


def test_national_day_2024_interpretation_three_working_days(cal):
    # 国务院办公厅关于2025年部分节假日安排的通知 is not it; the 2024 notice (国办发明电〔2023〕7号):
    # 国庆节 10月1日至7日放假调休，9月29日（星期日）、10月12日（星期六）上班.
    # Fri 09-27 + 3 working days: 09-29 (make-up Sunday), 09-30, 10-08.
    assert cal.add_working_days(D(2024, 9, 27), 3) == D(2024, 10, 8)


def test_weekday_only_and_holiday_only_counts_are_wrong(cal):
    # The two wrong answers domain.md names: weekday-only says 10-02, ignoring make-up days says 10-09.
    assert cal.add_working_days(D(2024, 9, 27), 3) not in (D(2024, 10, 2), D(2024, 10, 9))
    assert cal.is_working_day(D(2024, 9, 29)) and not cal.is_working_day(D(2024, 10, 2))


def test_spring_festival_2025(cal):
    # 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）: 春节 1月28日至2月4日放假调休，
    # 1月26日（星期日）、2月8日（星期六）上班. Fri 01-24 + 3 wd: 01-26, 01-27, 02-05.
    assert cal.add_working_days(D(2025, 1, 24), 3) == D(2025, 2, 5)


def test_labour_day_2024_make_up_sunday_start(cal):
    # 2024 notice: 劳动节 5月1日至5日放假调休，4月28日（星期日）、5月11日（星期六）上班.
    # A working-day start is still not counted: 04-28 + 20 wd -> 05-28.
    assert cal.is_working_day(D(2024, 4, 28))
    assert cal.add_working_days(D(2024, 4, 28), 20) == D(2024, 5, 28)


def test_seven_days_rolls_over_national_day(cal):
    # Issued Tue 2024-09-24, 7 days -> 10-01, a holiday; rolls to 10-08 (民法典第二百零三条).
    assert cal.add_days(D(2024, 9, 24), 7) == D(2024, 10, 8)
    assert cal.add_days(D(2024, 9, 24), 7, roll=False) == D(2024, 10, 1)
    d = cal.deadline(dt.datetime(2024, 9, 24, 10, 0), "7d")
    assert d.last_day == D(2024, 10, 8)
    assert d.due == dt.datetime(2024, 10, 9, 0, 0, tzinfo=SHANGHAI)
    assert d.due_text == "2024-10-08 24:00"
    # the roll walks the holiday without counting: 10-08 is where the period ends, not a working day counted
    assert d.steps[-3:-1] == ["  2024-10-07 周一，国庆节放假，不计", "  2024-10-08 周二，工作日"]


def test_start_day_conventions(cal):
    # Sat 2026-03-07: strict reading -> 03-11; chinese-calendar's find_workday convention -> 03-12.
    assert cal.add_working_days(D(2026, 3, 7), 3) == D(2026, 3, 11)
    assert cal.add_working_days(D(2026, 3, 7), 3, start="next-working") == D(2026, 3, 12)
    d = cal.deadline(D(2026, 3, 7), "3wd", Conventions(start="next-working"))
    assert d.last_day == D(2026, 3, 12)


def test_hours_run_round_the_clock_through_holidays(cal):
    start = dt.datetime(2024, 10, 1, 22, 30, tzinfo=SHANGHAI)
    d = cal.deadline(start, Period(5, "h"))
    assert d.due == dt.datetime(2024, 10, 2, 3, 30, tzinfo=SHANGHAI)
    assert d.last_day is None


def test_instant_in_another_zone_counts_from_the_shanghai_date(cal):
    # 2024-09-26T20:00Z is 2024-09-27 04:00 in Shanghai: the start day is 09-27.
    d = cal.deadline(dt.datetime(2024, 9, 26, 20, 0, tzinfo=dt.UTC), "3wd")
    assert d.last_day == D(2024, 10, 8)


def test_months_clamp_to_month_end_then_roll(cal):
    # 民法典第二百零二条: 2024-01-31 + 1 month -> 2024-02-29 (Thu, a working day).
    assert cal.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    # 2023-01-31 + 1 month -> 2023-02-28 (Tue).
    assert cal.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    # 2024-08-31 + 1 month -> 09-30 (Mon, working); 2024-09-01 + 1 month -> 10-01 holiday -> 10-08.
    assert cal.add_months(D(2024, 8, 31), 1) == D(2024, 9, 30)
    assert cal.add_months(D(2024, 9, 1), 1) == D(2024, 10, 8)
    assert cal.deadline(D(2024, 2, 29), "1y", Conventions(roll=False)).last_day == D(2025, 2, 28)


def test_closing_time(cal):
    d = cal.deadline(D(2024, 9, 27), "3wd", Conventions(closing=dt.time(17, 30)))
    assert d.due == dt.datetime(2024, 10, 8, 17, 30, tzinfo=SHANGHAI)


def test_zero_days_is_the_same_day(cal):
    d = cal.deadline(dt.datetime(2024, 9, 27, 9), "0d")
    assert d.last_day == D(2024, 9, 27)
    # a same-day obligation on a holiday still rolls unless the rule says not to
    assert cal.deadline(D(2024, 10, 1), "0d", Conventions(roll=False)).last_day == D(2024, 10, 1)


def test_working_days_between_and_neighbours(cal):
    # (2024-09-27, 2024-10-08]: 09-29, 09-30, 10-08 -> 3
    assert cal.working_days_between(D(2024, 9, 27), D(2024, 10, 8)) == 3
    assert cal.working_days_between(D(2024, 10, 8), D(2024, 9, 27)) == -3
    assert cal.next_working_day(D(2024, 9, 30)) == D(2024, 10, 8)
    assert cal.previous_working_day(D(2024, 10, 8)) == D(2024, 9, 30)
    assert cal.next_working_day(D(2024, 9, 28)) == D(2024, 9, 29)
    assert cal.add_working_days(D(2024, 10, 8), -3) == D(2024, 9, 27)


def test_day_info_says_why(cal):
    assert cal.day_info(D(2024, 10, 1)).reason == "周二，国庆节放假"
    assert cal.day_info(D(2024, 9, 29)).reason == "周日，国庆节调休上班"
    assert cal.day_info(D(2024, 9, 28)).reason == "周六，周末休息"
    assert cal.day_info(D(2024, 9, 27)).kind == "weekday"


def test_explanation_names_skipped_days(cal):
    d = cal.deadline(dt.datetime(2024, 9, 27, 15), "3wd")
    text = "\n".join(d.steps)
    assert "2024-09-29 周日，国庆节调休上班 → 第1个工作日" in text
    assert "2024-10-01 周二，国庆节放假，不计" in text
    assert "2024-10-08 周二，工作日 → 第3个工作日" in text


@pytest.mark.parametrize("day", [D(2003, 12, 31), D(2027, 1, 4)])
def test_uncovered_years_raise_a_specific_error(cal, day):
    with pytest.raises(CalendarCoverageError) as err:
        cal.is_working_day(day)
    assert err.value.year == day.year
    assert f"calendars/national/{day.year}.yaml" in str(err.value)


def test_arithmetic_that_runs_past_coverage_raises(cal):
    # 2026-12-28 + 5 working days needs January 2027, whose notice is not in the calendar.
    with pytest.raises(CalendarCoverageError) as err:
        cal.add_working_days(D(2026, 12, 28), 5)
    assert err.value.year == 2027
    with pytest.raises(CalendarCoverageError):
        cal.add_days(D(2026, 12, 30), 3)
    with pytest.raises(CalendarCoverageError) as err:
        cal.add_working_days(D(2004, 1, 5), -5)
    assert err.value.year == 2003


def test_one_working_day_past_either_end_of_the_table_names_the_missing_year(cal):
    """The calendar holds 2004-2026 (chinese-calendar 1.11.0's years): Thu 2026-12-31 is its last working day and
    Fri 2004-01-02 its first (2004-01-01 元旦). One working day further either way is a year it does not hold,
    named in the error, never a day wrapped around from the other end."""
    last, first = dt.date(2026, 12, 31), dt.date(2004, 1, 2)
    assert cal.previous_working_day(last, include_self=True) == last
    assert cal.next_working_day(dt.date(2004, 1, 1), include_self=True) == first
    for step, day, year in ((1, last, 2027), (-1, first, 2003)):
        with pytest.raises(CalendarCoverageError) as caught:
            cal.add_working_days(day, step)
        assert caught.value.year == year
