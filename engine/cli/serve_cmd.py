"""`shixian serve`: the HTTP check service (uvicorn)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..engine import Engine
from ..errors import ShixianError
from . import options

TOKEN_ENV = "SHIXIAN_TOKEN"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve", help="serve POST /v1/check, /v1/audit, GET /v1/rules, /healthz (OpenAPI at /docs)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    options.add_rules(parser)
    options.add_calendar(parser)
    parser.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help=f"require 'Authorization: Bearer <token>' with the token in FILE (or ${TOKEN_ENV})",
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="serve the officers' workbench (web pages in Chinese) over this audit database too",
    )
    parser.add_argument(
        "--users",
        type=Path,
        metavar="FILE",
        help="workbench users: YAML 'users: [{name, role: read|waive|admin, token}]', each logs "
        "in with their own token",
    )
    parser.add_argument(
        "--max-body",
        type=int,
        default=1 << 20,
        metavar="BYTES",
        help="largest request body accepted (default 1 MiB); larger ones get 413",
    )
    parser.set_defaults(run=run)


def token_from(args) -> str | None:
    if args.token_file:
        token = args.token_file.read_text(encoding="utf-8").strip()
        if not token:
            raise ShixianError(f"{args.token_file}: empty token file")
        return token
    return os.environ.get(TOKEN_ENV) or None


def run(args) -> int:
    import uvicorn

    from ..server import create_app

    Engine.load(
        args.rules, args.calendar, args.calendar_dir
    )  # fail fast, with a clear error, before listening
    users = None
    if args.users:
        from ..web.auth import load_users

        users = load_users(args.users)
    if args.db and not args.db.exists():
        raise ShixianError(
            f"{args.db}: no such audit database (run 'shixian audit --db {args.db}' or 'make demo' first)"
        )
    if args.users and not args.db:
        raise ShixianError("--users is for the workbench: give --db FILE too")
    engine_args = (
        [str(p) for p in args.rules] if args.rules else None,
        args.calendar,
        [str(d) for d in args.calendar_dir] if args.calendar_dir else None,
    )
    app = create_app(
        lambda: Engine.load(args.rules, args.calendar, args.calendar_dir),
        token_from(args),
        args.max_body,
        args.db,
        users,
        engine_args,
    )
    if args.db:
        print(f"shixian: workbench on http://{args.host}:{args.port}/ over {args.db}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0
