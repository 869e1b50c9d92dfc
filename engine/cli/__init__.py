"""The `shixian` command: one sub-command module per job, chosen here."""

from __future__ import annotations

import argparse
import sys

from ..errors import ShixianError
from . import (
    audit_cmd,
    calendar_cmd,
    check_cmd,
    contract,
    explain_cmd,
    ledger_cmd,
    options,
    plan_cmd,
    rule_cmd,
    rules_cmd,
    serve_cmd,
    state_cmd,
    store_cmd,
    watch_cmd,
)

COMMANDS = [
    audit_cmd,
    state_cmd,
    store_cmd,
    check_cmd,
    serve_cmd,
    watch_cmd,
    explain_cmd,
    rules_cmd,
    rule_cmd,
    plan_cmd,
    calendar_cmd,
    ledger_cmd,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shixian",
        description="时限：政务公开时限检查（按节假日、调休上班日计算期限）。规则编写见 docs/authoring.md。"
        " Deadline checking for Chinese open-government (政务公开) obligations.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if hasattr(args, "rules"):  # --rules adds packs to the bundled ones (engine/cli/options.py)
            args.rules = options.rule_paths(args)
        return int(args.run(args) or 0)
    except ShixianError as exc:
        print(f"shixian: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"shixian: error: {exc.filename or exc}: no such file", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
    except (PermissionError, IsADirectoryError, NotADirectoryError) as exc:  # a path that cannot be used
        print(f"shixian: error: {exc.filename or exc}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except (
        Exception
    ) as exc:  # a bug, not bad input: its own exit code and a crash log (engine/cli/contract.py)
        return contract.report_crash(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
