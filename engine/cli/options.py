"""Options shared by several sub-commands, declared once."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from ..calendar import NATIONAL, SHANGHAI, Period
from ..timeparse import parse_instant


def add_rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="more rule files or directories, loaded with the bundled rules/",
    )
    parser.add_argument(
        "--no-bundled-rules", action="store_true", help="load only the --rules given, not the bundled packs"
    )


def rule_paths(args) -> list[Path]:
    """The bundled rules/ (unless --no-bundled-rules) and every --rules path, each rule file once."""
    from ..errors import ShixianError
    from ..paths import bundled

    given = list(args.rules or [])
    if getattr(args, "no_bundled_rules", False):
        if not given:
            raise ShixianError("--no-bundled-rules 需要同时给出 --rules (nothing to load)")
        return given
    home = bundled("rules").resolve()

    def within(inner: Path, outer: Path) -> bool:
        return inner == outer or outer in inner.parents

    if any(within(home, Path(p).resolve()) for p in given):  # the bundle is among the paths given
        return given
    return [home] + [p for p in given if not within(Path(p).resolve(), home)]


def add_calendar(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--calendar",
        default=NATIONAL,
        metavar="NAME",
        help="calendar name: 'national' (default) or a local calendar layered over it",
    )
    parser.add_argument(
        "--calendar-dir",
        action="append",
        type=Path,
        metavar="DIR",
        help="also read calendar files from DIR, layered over the bundled calendars/ (repeatable)",
    )


def add_evaluation(parser: argparse.ArgumentParser) -> None:
    add_rules(parser)
    add_calendar(parser)
    parser.add_argument(
        "--as-of",
        metavar="INSTANT",
        help="evaluate as of this moment (ISO 8601; default: now, Asia/Shanghai)",
    )
    parser.add_argument(
        "--warn-within",
        default="2wd",
        metavar="PERIOD",
        help="report obligations falling due within this period as due soon (default 2wd)",
    )


def as_of(args) -> dt.datetime:
    if args.as_of:
        instant, date_only = parse_instant(args.as_of)
        # a bare date means the end of that day: everything that happened on it has happened
        return instant.replace(hour=23, minute=59, second=59) if date_only else instant
    return dt.datetime.now(SHANGHAI).replace(microsecond=0)


def warn_within(args) -> Period:
    return Period.parse(args.warn_within)


def add_ledger(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mapping",
        nargs="+",
        metavar="FILE",
        help="read the .xlsx and .csv files given as office ledgers (台账) through these mapping files "
        "(or bundled ones by name: requests, policies, consultations, incidents); with several, "
        "each file is read by the one whose sheet and headers it has",
    )


def attach_ledgers(args, ruleset) -> list[Path]:
    """With --mapping, attach the workbook and CSV inputs to it (engine/ledger); the files attached."""
    from .. import ledger
    from ..errors import ShixianError
    from ..suggest import rule_values

    if not getattr(args, "mapping", None):
        return []
    mappings = [ledger.load_mapping(m, ruleset.event_types) for m in args.mapping]
    files = [p for p in args.events if p.suffix.lower() in ledger.EXCEL_SUFFIXES + (".csv",)]
    bodies = rule_values(ruleset, "body")
    for path in files:
        if not path.is_file():
            raise ShixianError(f"{path}: no such event file")
        ledger.attach([path], ledger.choose(path, mappings), bodies)
    return files
