"""The HTTP service for CMS pre-publication checks (FastAPI on uvicorn).

Rules and calendar are loaded once; a reload (SIGHUP or POST /v1/admin/reload) builds a new engine
off to the side and swaps one reference, so requests in flight finish on the old one and none is dropped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import hmac
import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from .calendar import SHANGHAI, Period
from .check import Plan, PlanError, PlanTime
from .checkpool import LargeChecks
from .engine import Engine
from .errors import CalendarCoverageError
from .events.read import BadRecord, event_from_record
from .httpjson import BodyLimit, coverage_error, detail, install
from .model.rules import PeriodText
from .report import Report
from .report.json_report import as_dict

MAX_AUDIT_EVENTS = 10_000


class AuditRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[dict[str, Any]] = Field(max_length=MAX_AUDIT_EVENTS)
    as_of: PlanTime | None = Field(default=None, description="default: now")
    warn_within: PeriodText = Field(default="2wd")
    packs: list[str] | None = None


class EngineHolder:
    """The current engine; replaced whole on reload (and the large-check worker restarted with it)."""

    def __init__(self, load: Callable[[], Engine], pool=None):
        self._load, self._lock, self.pool = load, threading.Lock(), pool
        self.engine = load()
        self.loaded_at = dt.datetime.now(SHANGHAI)
        gc.freeze()

    def reload(self) -> Engine:
        with self._lock:
            engine = self._load()  # may raise: the old engine stays in place
            self.engine, self.loaded_at = engine, dt.datetime.now(SHANGHAI)
            if self.pool is not None:
                self.pool.restart()
            gc.freeze()  # the loaded rules live long: keep them out of every collection
            return engine


def _api_docs(app: FastAPI) -> None:
    """/docs: Swagger UI from the swagger-ui-bundle package, served here (an intranet has no CDN)."""
    import swagger_ui_bundle

    static = Path(__file__).parent / "web" / "static"  # the workbench's assets, and the docs page's script
    app.mount("/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=static), name="static")
    page = (static / "docs.html").read_bytes()

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        return Response(page, media_type="text/html; charset=utf-8")


def _json(data) -> Response:
    return Response(json.dumps(data, ensure_ascii=False).encode("utf-8"), media_type="application/json")


def create_app(
    load: Callable[[], Engine],
    token: str | None = None,
    max_body: int = 1 << 20,
    db: Path | None = None,
    users: dict | None = None,
    engine_args: tuple | None = None,
) -> FastAPI:
    """The check API; with `db`, the officers' workbench too (engine/web), in the same process. With
    `engine_args` (rule paths, calendar, calendar directories: how `load` loads), large plan bodies are
    checked in a worker process (engine/checkpool.py); without, on the event loop like the others."""
    pool = None
    if engine_args is not None:
        from .checkpool import CheckPool

        pool = CheckPool(*engine_args)
    holder = EngineHolder(load, pool)

    def reload_on_signal() -> None:
        """SIGHUP: reload, and say on stderr what happened (a broken rule file keeps the previous rules)."""
        try:
            engine = holder.reload()
        except Exception as exc:
            print(
                f"shixian serve: 重新载入规则失败，继续使用原有规则 (reload failed, still serving the previous "
                f"rules): {exc}",
                file=sys.stderr,
                flush=True,
            )
        else:
            print(
                f"shixian serve: 已重新载入规则 (rules reloaded): {len(engine.ruleset.rules)} rules, revision "
                f"{engine.ruleset.revision}",
                file=sys.stderr,
                flush=True,
            )

    async def lifespan(app: FastAPI):
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, reload_on_signal))
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread (tests), or no SIGHUP
            pass
        if pool is not None:
            pool.warm()  # the worker loads rules and calendar now, not on the first large plan
        yield
        if pool is not None:
            pool.close()

    app = FastAPI(
        title="shixian",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="Pre-publication checks and small audits of Chinese open-government time limits.",
    )
    install(app)  # bodies read as hostile input; 422s say where, without echoing the input
    app.state.holder = holder
    _api_docs(app)
    if db is not None:
        from .web.app import mount
        from .web.auth import Auth

        mount(app, lambda: holder.engine, db, Auth(token, users))

    def allowed(given: str) -> bool:
        return token is None or hmac.compare_digest(given.encode(), f"Bearer {token}".encode())

    def authorised(request: Request) -> None:
        if not allowed(request.headers.get("authorization", "")):
            raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})

    guard = [Depends(authorised)]

    @app.exception_handler(PlanError)
    async def plan_error(request: Request, exc: PlanError):
        return JSONResponse(
            status_code=422,
            content={
                "detail": [
                    {"loc": ["body", *exc.loc], "msg": str(exc).split(": ", 1)[-1], "type": "value_error"}
                ]
            },
        )

    @app.exception_handler(CalendarCoverageError)
    async def coverage(
        request: Request, exc: CalendarCoverageError
    ):  # a plan years past the calendar: a 500 before
        return JSONResponse(status_code=422, content=detail([coverage_error(exc)]))

    @app.get("/healthz")
    async def healthz() -> dict:
        engine = holder.engine
        return {
            "status": "ok",
            "rules": len(engine.ruleset.rules),
            "revision": engine.ruleset.revision,
            "loaded_at": holder.loaded_at.isoformat(),
        }

    # A check takes well under a millisecond: run it on the event loop rather than hop to a worker thread,
    # and serialise the result once, directly. With a worker process, large bodies never reach this route
    # (engine/checkpool.py: LargeChecks answers them off the loop).
    @app.post("/v1/check", dependencies=guard)
    async def check(plan: Plan) -> Response:
        return _json(holder.engine.check(plan).to_json())

    @app.post("/v1/audit", dependencies=guard)
    def audit(request: AuditRequest) -> dict:
        engine = holder.engine
        events = []
        for index, raw in enumerate(request.events):
            try:
                events.append(event_from_record(raw, f"request.events[{index}]", engine.ruleset.event_types))
            except BadRecord as exc:
                raise PlanError(("events", index), str(exc)) from None
        ruleset = engine.ruleset
        if request.packs:
            known = {r.pack for r in ruleset.rules}
            for index, pack in enumerate(request.packs):
                if pack not in known:
                    raise PlanError(("packs", index), f"unknown rule pack '{pack}'")
            ruleset = type(ruleset)(
                [r for r in ruleset.rules if r.pack in request.packs],
                ruleset.event_types,
                ruleset.files,
                ruleset.revision,
            )
        as_of = request.as_of or dt.datetime.now(SHANGHAI)
        as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=SHANGHAI)
        warn = Period.parse(request.warn_within)
        result = Engine(ruleset, engine.calendar).evaluate(events, as_of, warn)
        report = Report(
            findings=result.findings,
            as_of=as_of,
            rules_revision=ruleset.revision,
            rule_count=len(ruleset.rules),
            events_read=len(request.events),
            events_evaluated=result.events_evaluated,
            calendar=engine.calendar.name,
            warn_within=str(warn),
        )
        return as_dict(report)

    @app.get("/v1/rules", dependencies=guard)
    def rules() -> list[dict]:
        return [
            {
                "id": r.id,
                "title": r.rule.title,
                "kind": r.rule.kind,
                "severity": r.rule.severity,
                "pack": r.pack,
                "effective": r.rule.effective.model_dump(by_alias=True, mode="json"),
                "source": r.rule.source.model_dump(exclude_none=True),
            }
            for r in holder.engine.ruleset.rules
        ]

    @app.post("/v1/admin/reload", dependencies=guard)
    def reload() -> dict:
        try:
            engine = holder.reload()
        except Exception as exc:  # a broken rule file: keep serving the old rules, say why
            raise HTTPException(409, f"reload failed, still serving the previous rules: {exc}") from None
        return {"status": "reloaded", "rules": len(engine.ruleset.rules), "revision": engine.ruleset.revision}

    served = app if pool is None else LargeChecks(app, pool, allowed)
    return BodyLimit(served, max_body) if max_body else served
