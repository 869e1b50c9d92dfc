"""Options shared by several sub-commands, declared once."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from ..calendar import NATIONAL, SHANGHAI, Period
from ..timeparse import parse_instant


def add_rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", nargs="+", type=Path, metavar="PATH",
                        help="rule files or directories (default: the bundled rules/)")


def add_calendar(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calendar", default=NATIONAL, metavar="NAME",
                        help="calendar name: 'national' (default) or a local calendar layered over it")
    parser.add_argument("--calendar-dir", action="append", type=Path, metavar="DIR",
                        help="read calendar files from DIR instead of the bundled calendars/ (repeatable)")


def add_evaluation(parser: argparse.ArgumentParser) -> None:
    add_rules(parser)
    add_calendar(parser)
    parser.add_argument("--as-of", metavar="INSTANT",
                        help="evaluate as of this moment (ISO 8601; default: now, Asia/Shanghai)")
    parser.add_argument("--warn-within", default="2wd", metavar="PERIOD",
                        help="report obligations falling due within this period as due soon (default 2wd)")


def as_of(args) -> dt.datetime:
    if args.as_of:
        instant, date_only = parse_instant(args.as_of)
        # a bare date means the end of that day: everything that happened on it has happened
        return instant.replace(hour=23, minute=59, second=59) if date_only else instant
    return dt.datetime.now(SHANGHAI).replace(microsecond=0)


def warn_within(args) -> Period:
    return Period.parse(args.warn_within)
