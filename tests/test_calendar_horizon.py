"""At and beyond the end of the published calendar: the run goes on, ranges decide where they can.

The 2027 dates below come from the law alone (国务院令第795号, in force 2025-01-01: 元旦 1月1日; 春节 除夕至
正月初三 = 2027-02-05..08) and the envelope of docs/calendar.md; no 2027 notice exists yet.
"""

import datetime as dt
import json

import pytest
from conftest import run_cli
from helpers import end_of, engine_for, events
from test_evaluator import REQUEST_RULE

from engine.calendar import load_calendar
from engine.calendar.horizon import (
    HORIZON_YEARS,
    bound_data,
    coverage_notice,
    derive_envelope,
    uncertain_days,
)
from engine.calendar.law import statutory_days
from engine.calendar.sources import CalendarData
from engine.calendar.workcal import WorkCalendar
from engine.errors import CalendarCoverageError
from engine.report import Report

EXAMPLES = [
    "examples/shanghai-2024/events.jsonl",
    "examples/linyi-2021/events.jsonl",
    "examples/binhai-2017/events.jsonl",
    "examples/jiangsu-2018/events.jsonl",
]
# one-off decisions outside any yearly notice: 国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知
ONE_OFF = {dt.date(2015, 9, 3), dt.date(2015, 9, 4), dt.date(2015, 9, 6)}


def _audit(as_of: str) -> tuple[int, dict]:
    result = run_cli("audit", "--events", *EXAMPLES, "--as-of", as_of, "--format", "json")
    assert result.stderr == ""
    return result.returncode, json.loads(result.stdout)


def test_audit_after_new_year_is_the_last_covered_day_plus_what_became_due():
    code_26, before = _audit("2026-12-31")
    code_27, after = _audit("2027-01-02")
    assert code_26 == code_27 == 1  # the usual contract: error-severity violations in the example logs
    key = {(f["rule"], f["subject"], f["status"], f["deadline_text"]) for f in before["findings"]}
    key_after = {(f["rule"], f["subject"], f["status"], f["deadline_text"]) for f in after["findings"]}
    newly = key_after - key
    assert key <= key_after
    # what became due: nothing in these logs falls due on 2027-01-01/02
    assert all(dt.date.fromisoformat(d[:10]) > dt.date(2026, 12, 31) for *_, d in newly), newly
    assert after["summary"]["awaiting_schedule"] == {}
    assert "日历已于2026-12-31结束" in after["summary"]["notices"][0]


def test_undetermined_alone_does_not_fail_the_run_and_is_counted(tmp_path):
    log = tmp_path / "events.jsonl"
    records = [
        {
            "id": "r1",
            "type": "request.received",
            "subject": "REQ-1",
            "time": "2026-12-21T09:00",
            "body": "测试局",
            "department": "办公室",
        },
        {
            "id": "r2",
            "type": "request.replied",
            "subject": "REQ-1",
            "time": "2027-01-17T10:00",
            "body": "测试局",
            "department": "办公室",
        },
    ]
    log.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    table = run_cli("audit", "--events", str(log), "--as-of", "2027-01-30")
    assert table.returncode == 0, table.stderr
    assert "无法判定" in table.stdout and "2027-01-15 24:00 至 2027-01-19 24:00" in table.stdout
    assert "注意：1 项义务等待2027年调休安排" in table.stdout
    data = json.loads(
        run_cli("audit", "--events", str(log), "--as-of", "2027-01-30", "--format", "json").stdout
    )
    assert data["summary"]["awaiting_schedule"] == {"2027": 1}
    assert data["findings"][0]["awaits_year"] == 2027


def test_failing_ignores_undetermined_but_not_violations(tmp_path):
    engine = engine_for(tmp_path, REQUEST_RULE)
    inside = events(
        {"type": "request.received", "subject": "R", "time": "2026-12-21T09:00"},
        {"type": "request.replied", "subject": "R", "time": "2027-01-17"},
    )
    found = engine.evaluate(inside, end_of("2027-01-31")).findings
    report = Report(findings=found, as_of=end_of("2027-01-31"))
    assert [f.status for f in found] == ["undetermined"] and report.failing("info") == []
    assert report.awaiting() == {2027: 1}


def test_html_and_xlsx_summaries_count_what_waits_for_which_year(tmp_path):
    import io

    import openpyxl

    from engine.report import render

    engine = engine_for(tmp_path, REQUEST_RULE)
    inside = events(
        {"type": "request.received", "subject": "R", "time": "2026-12-21T09:00"},
        {"type": "request.replied", "subject": "R", "time": "2027-01-17"},
    )
    report = Report(
        findings=engine.evaluate(inside, end_of("2027-01-31")).findings,
        as_of=end_of("2027-01-31"),
        notices=[coverage_notice(2026, dt.date(2027, 1, 31))],
    )
    page = render(report, "html").decode("utf-8")
    assert "1 项义务等待2027年调休安排" in page and "日历已于2026-12-31结束" in page
    book = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    rows = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True) if row and row[0]}
    assert rows["等待2027年调休安排"] == 1 and "日历已于2026-12-31结束" in rows["注意"]


@pytest.mark.parametrize(
    "today, expected",
    [
        (dt.date(2026, 11, 1), None),  # 60 days before 12-31 is 11-01: 60 days left, not yet... see next
        (dt.date(2026, 11, 2), "还剩59天"),
        (dt.date(2026, 12, 31), "还剩0天"),
        (dt.date(2027, 1, 1), "日历已于2026-12-31结束"),
    ],
)
def test_coverage_notice_from_sixty_days_before_the_end(today, expected):
    notice = coverage_notice(2026, today)
    if expected is None:
        assert coverage_notice(2026, dt.date(2026, 10, 31)) is None
        assert "还剩60天" in notice
    else:
        assert expected in notice and "calendars/national/2027.yaml" in notice


def test_calendar_coverage_carries_the_notice_near_the_end():
    out = run_cli("calendar", "coverage").stdout
    today = dt.date.today()
    if (dt.date(2026, 12, 31) - today).days <= 60:
        assert "注意：" in out and "import-notice" in out
    else:
        assert "注意：" not in out


def test_calendar_dir_layers_over_the_bundled_files(tmp_path):
    (tmp_path / "county.yaml").write_text(
        "calendar: some-county\nnotice: {title: 某县关于防汛停止办公的通知}\n"
        "days:\n  - {date: 2024-07-15, status: rest, name: 防汛停止办公}\n",
        encoding="utf-8",
    )
    out = run_cli("calendar", "coverage", "--calendar-dir", str(tmp_path)).stdout
    assert "correction  2005-12-31 work (元旦)" in out  # the bundled 2006 correction stays
    shown = run_cli(
        "calendar", "show", "2024-07", "--calendar", "some-county", "--calendar-dir", str(tmp_path)
    )
    assert "2024-07-15 周一，防汛停止办公放假" in shown.stdout


def test_a_local_file_cannot_claim_covered_years(tmp_path):
    (tmp_path / "county.yaml").write_text(
        "calendar: some-county\nnotice: {title: 某县通知}\ncovers: [2027]\ndays: []\n", encoding="utf-8"
    )
    result = run_cli("calendar", "coverage", "--calendar-dir", str(tmp_path))
    assert result.returncode == 2
    assert (
        "county.yaml:3" in result.stderr and "only a national notice can add a covered year" in result.stderr
    )


# Days a notice moved in the year before its own: the next notice can still move the last days of December
# of a covered year, which the range of the unpublished year cannot show (documented in docs/calendar.md).
PREVIOUS_DECEMBER = {
    dt.date(2007, 12, 29),
    dt.date(2007, 12, 31),
    dt.date(2011, 12, 31),
    dt.date(2018, 12, 29),
    dt.date(2018, 12, 31),
}


def _moved(cal: WorkCalendar, year: int) -> set[dt.date]:
    """Days of `year` whose real status differs from the plain week (weekday work, weekend rest), without
    those that the next year's notice moved."""
    days = [
        dt.date.fromordinal(o)
        for o in range(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal() + 1)
    ]
    return {d for d in days if cal.is_working_day(d) != (d.weekday() < 5)} - PREVIOUS_DECEMBER


def test_only_the_documented_december_days_were_moved_by_the_next_years_notice():
    cal = load_calendar()
    moved = {
        d
        for y in range(2007, 2026)
        for d in [dt.date(y, 12, day) for day in range(20, 32)]
        if cal.is_working_day(d) != (d.weekday() < 5) and cal.day_info(d).name == "元旦"
    }
    assert moved == PREVIOUS_DECEMBER


@pytest.mark.parametrize("year", range(2008, 2027))
def test_envelope_without_a_year_contains_that_year(year):
    """Leave one published year out: its real schedule lies inside the envelope of all the others, and its real
    deadlines inside the range computed from the years before it."""
    cal = load_calendar()
    envelope = derive_envelope(cal.data.notes, [y for y in cal.covered_years if y != year])
    statutory, may_rest, may_work = uncertain_days(year, envelope)
    assert all(not cal.is_working_day(d) for d in statutory)
    for day in _moved(cal, year) - statutory - ONE_OFF:
        assert day in (may_work if cal.is_working_day(day) else may_rest), (day, envelope)
    # deadlines: the calendar as it stood before `year` was published, bounded over `year`
    before = CalendarData(
        "national",
        {d: n for d, n in cal.data.notes.items() if d.year < year},
        {y: s for y, s in cal.data.coverage.items() if y < year},
    )
    early, late = (WorkCalendar(d) for d in bound_data(before, envelope))
    for ordinal in range(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal() - 40, 3):
        start = dt.date.fromordinal(ordinal)
        if {dt.date.fromordinal(ordinal + k) for k in range(45)} & ONE_OFF:
            continue
        for n in (3, 20):
            real = cal.add_working_days(start, n)
            assert early.add_working_days(start, n) <= real <= late.add_working_days(start, n), (start, n)
        real = cal.add_days(start, 7)
        assert early.add_days(start, 7) <= real <= late.add_days(start, 7), start


def _december_log(year: int) -> list:
    """A request received every day of December `year` (20 working days to reply), replied 10 to 40 days later."""
    records = []
    for day in range(1, 32):
        for wait in (10, 20, 25, 30, 35, 40):
            received = dt.date(year, 12, day)
            replied = dt.date.fromordinal(received.toordinal() + wait)
            records += [
                {"type": "request.received", "subject": f"R{day}-{wait}", "time": f"{received}T09:00"},
                {"type": "request.replied", "subject": f"R{day}-{wait}", "time": f"{replied}T10:00"},
            ]
    return sorted(events(*records), key=lambda e: e.time)


def _verdicts(engine, evs, as_of) -> dict[str, str]:
    return {f.subject: f.status for f in engine.evaluate(evs, end_of(as_of), keep_outcomes=True).outcomes}


def test_december_january_verdicts_that_are_certain_are_right(tmp_path):
    """Pretend 2026 were unpublished (the calendar as it stood in 2025): every verdict the range makes certain
    equals the verdict of the real 2026 schedule, and most of the December-January verdicts are certain."""
    real = engine_for(tmp_path, REQUEST_RULE)
    data = real.calendar.data
    before = CalendarData(
        "national",
        {d: n for d, n in data.notes.items() if d.year < 2026},
        {y: s for y, s in data.coverage.items() if y < 2026},
    )
    blind = type(real)(real.ruleset, WorkCalendar(before))
    evs = _december_log(2025)
    truth, guess = _verdicts(real, evs, "2026-03-31"), _verdicts(blind, evs, "2026-03-31")
    assert set(truth) == set(guess) and len(truth) == 186
    certain = {s for s, v in guess.items() if v != "undetermined"}
    assert all(guess[s] == truth[s] for s in certain)
    assert len(certain) >= 150  # recorded in docs/calendar.md


def test_december_january_2027_counts(tmp_path):
    evs = _december_log(2026)
    verdicts = _verdicts(engine_for(tmp_path, REQUEST_RULE), evs, "2027-03-31")
    assert len(verdicts) == 186
    assert sum(v == "undetermined" for v in verdicts.values()) < 186 // 4  # recorded in docs/calendar.md
    assert statutory_days(2027)["春节"][0] == dt.date(2027, 2, 5) and HORIZON_YEARS == 2


def test_an_as_of_past_every_bounded_year_still_judges_and_counts_at_least():
    """As of 2040 nothing bounds 2029-2040's arrangements, but a reply due 2024-02-19 is certainly overdue:
    the run judges it and says it is late by *at least* the working days it can count (through 2028-12-31),
    instead of stopping the whole audit (it used to exit 2 naming 2040)."""
    code, report = _audit("2040-01-01")
    assert code == 1
    overdue = [f for f in report["findings"] if f["subject"] == "SH-YSQ-2024-006"]
    assert [f["status"] for f in overdue] == ["overdue"]
    assert "已逾期至少" in overdue[0]["message"] and overdue[0]["message"].endswith("个工作日")


def test_units_past_the_bounded_years_are_a_floor_counted_to_their_last_day():
    cal = load_calendar("national")
    edge = cal.last_bounded_day()
    assert edge == dt.datetime(2026 + HORIZON_YEARS, 12, 31, tzinfo=edge.tzinfo)
    due = dt.datetime(2024, 2, 20, tzinfo=edge.tzinfo)  # 24:00 of 2024-02-19
    as_of = dt.datetime(2040, 1, 1, 23, 59, tzinfo=edge.tzinfo)
    floor, most = cal.units_range(due, as_of, "wd")
    assert most is None and floor == cal.units_range(due, edge, "wd")[0]
    # calendar days and hours need no arrangement: exact (2024-02-20 .. 2040-01-01 is 5794 days)
    assert cal.units_range(due, as_of, "d") == (5794, 5794)
    with pytest.raises(CalendarCoverageError):  # no floor when the count starts past them too
        cal.units_range(dt.datetime(2039, 1, 4, tzinfo=edge.tzinfo), as_of, "wd")
