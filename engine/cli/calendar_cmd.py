"""`shixian calendar add|show|coverage|import-notice`: the working-day calendar from the command line."""

from __future__ import annotations

import argparse
import calendar as month_grid
import datetime as dt
import re
from pathlib import Path

import yaml

from ..calendar import NATIONAL, SHANGHAI, Conventions, Period, format_due, load_calendar
from ..calendar.horizon import coverage_notice
from ..calendar.notice import import_notices
from ..calendar.validate import check_published_year
from ..calendar.validate import summary as law_summary
from ..errors import CalendarCoverageError, InputError
from ..timeparse import parse_instant


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("calendar", help="working-day arithmetic and the holiday calendar")
    cal_sub = parser.add_subparsers(dest="calendar_command", required=True, metavar="ACTION")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--calendar",
            default=NATIONAL,
            metavar="NAME",
            help="calendar name: 'national' (default) or a local calendar layered over it",
        )
        p.add_argument(
            "--calendar-dir",
            action="append",
            type=Path,
            metavar="DIR",
            help="also read calendar files from DIR, layered over the bundled calendars/ (repeatable)",
        )

    add = cal_sub.add_parser("add", help="add a period to a date: prints the last day, then the due instant")
    add.add_argument("start", help="start date or instant, e.g. 2024-09-27 or 2024-09-27T15:00")
    add.add_argument("period", help="e.g. 7d, 3wd, 5h, 1m, 1y")
    add.add_argument("--explain", action="store_true", help="print each counting step")
    add.add_argument(
        "--no-roll", action="store_true", help="do not move a rest-day last day to the next working day"
    )
    add.add_argument(
        "--start-rule",
        choices=["strict", "next-working"],
        default="strict",
        help="strict: N-th working day after the start day (default); next-working: a rest-day "
        "start counts from the next working day",
    )
    add.add_argument("--closing", metavar="HH:MM", help="closing time of the last day instead of 24:00")
    common(add)
    add.set_defaults(run=run_add)

    show = cal_sub.add_parser("show", help="print a month with holidays, make-up working days and weekends")
    show.add_argument("month", help="YYYY-MM")
    common(show)
    show.set_defaults(run=run_show)

    cov = cal_sub.add_parser(
        "coverage",
        help="list the covered years, the source of each and its check against 全国年节及纪念日放假办法",
    )
    common(cov)
    cov.set_defaults(run=run_coverage)

    imp = cal_sub.add_parser(
        "import-notice",
        help="read the text of 国务院办公厅关于YYYY年部分节假日安排的通知 and write the year file",
    )
    imp.add_argument(
        "notice",
        nargs="+",
        type=Path,
        metavar="NOTICE.txt",
        help="the notice as plain UTF-8 text; then any notice amending it (e.g. an extension)",
    )
    imp.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write the year file here (e.g. calendars/national/2027.yaml); default: print it",
    )
    imp.set_defaults(run=run_import)


def _calendar(args):
    return load_calendar(args.calendar, args.calendar_dir)


def _closing(text: str | None) -> dt.time | None:
    if text is None:
        return None
    if not re.fullmatch(r"\d{1,2}:\d{2}", text):
        raise InputError(f"bad closing time {text!r}: expected HH:MM")
    hour, minute = map(int, text.split(":"))
    if hour > 23 or minute > 59:
        raise InputError(f"bad closing time {text!r}: expected HH:MM")
    return dt.time(hour, minute)


def run_add(args) -> int:
    start, _ = parse_instant(args.start)
    period = Period.parse(args.period)
    conventions = Conventions(roll=not args.no_roll, start=args.start_rule, closing=_closing(args.closing))
    cal = _calendar(args)
    try:
        deadline = cal.deadline(start, period, conventions)
    except CalendarCoverageError as exc:  # an unpublished year: the range over its possible arrangements
        early, late = cal.beyond(lambda bound: bound.deadline(start, period, conventions))
        if early is None or late is None:
            raise
        if early.due != late.due:
            print(f"{early.last_day} 至 {late.last_day}")
            print(
                f"due {format_due(early.due, early.last_day)} 至 {format_due(late.due, late.last_day)} Asia/Shanghai"
            )
            print(f"注意：期限取决于尚未公布的调休安排（docs/calendar.md）。{exc.chinese}")
            return 0
        deadline = late
        deadline.steps.insert(
            0, f"{exc.year}年调休安排尚未公布，但任何可能的安排下结果相同（docs/calendar.md）"
        )
    if deadline.last_day is not None:
        print(deadline.last_day.isoformat())
    else:
        print(deadline.due.strftime("%Y-%m-%dT%H:%M%z"))
    print(f"due {format_due(deadline.due, deadline.last_day)} Asia/Shanghai")
    if args.explain:
        for step in deadline.steps:
            print(step)
    return 0


def run_show(args) -> int:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", args.month)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InputError(f"bad month {args.month!r}: expected YYYY-MM, e.g. 2024-10")
    year, month = int(match.group(1)), int(match.group(2))
    cal = _calendar(args)
    days = [dt.date(year, month, d) for d in range(1, month_grid.monthrange(year, month)[1] + 1)]
    infos = [cal.day_info(d) for d in days]
    print(f"{year}年{month}月  ({cal.name} calendar)")
    print(" ".join(f"  {w} " for w in "一二三四五六日").rstrip())
    cells = ["     "] * days[0].weekday()
    mark = {"weekday": "\u3000", "weekend": "・", "holiday": "休", "makeup": "班"}
    for info in infos:
        cells.append(f"{info.date.day:>3}{mark[info.kind]}")
    for row in range(0, len(cells), 7):
        print(" ".join(cells[row : row + 7]).rstrip())
    print("休 = 放假 (holiday)  班 = 调休上班 (make-up working day)  ・ = 周末 (weekend)")
    for info in infos:
        if info.kind in ("holiday", "makeup"):
            print(f"{info.date} {info.reason}  [{info.source}]")
    return 0


def run_import(args) -> int:
    doc, year = import_notices(args.notice)
    text = (
        f"# {year}: imported by `shixian calendar import-notice` from {', '.join(p.name for p in args.notice)};\n"
        f"# checked against 全国年节及纪念日放假办法. Every day quotes the sentence of the notice it comes from.\n"
        + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200)
    )
    if args.output is None:
        print(text, end="")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    days = doc["days"]
    print(
        f"{args.output}: {year}年，{sum(d['status'] == 'rest' for d in days)} 段放假、"
        f"{sum(d['status'] == 'work' for d in days)} 个调休上班日，已按《全国年节及纪念日放假办法》检查"
    )
    return 0


def run_coverage(args) -> int:
    cal = _calendar(args)
    print(
        f"{cal.name} calendar covers {len(cal.covered_years)} years: "
        f"{cal.covered_years[0]}-{cal.covered_years[-1]}"
    )
    library = {d: n.working for d, n in cal.data.notes.items()}
    failed = 0
    for year in cal.covered_years:
        # a year file was checked when it was read (a failing one stops here with its line); check the rest now
        problems = check_published_year(year, cal.is_working_day, library) if year >= 2000 else []
        verdict = "检查未通过：" + "；".join(problems) if problems else "已检查，" + law_summary(year)
        failed += bool(problems)
        print(f"{year}  {cal.data.coverage[year]}  {verdict}")
    for path in cal.data.files:
        print(f"file  {path}")
    for day, note in sorted(cal.data.corrections.items()):
        print(f"correction  {day} {'work' if note.working else 'rest'} ({note.name})  [{note.source}]")
    notice = coverage_notice(cal.last_year, dt.datetime.now(SHANGHAI).date())
    if notice:
        print(f"注意：{notice}")
    return 2 if failed else 0  # bad calendar data is a configuration error (exit contract: 2)
