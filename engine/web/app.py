"""The workbench's frame: templates, static files, login, the current user, CSRF, and the navigation.

Pages live in their own modules (overview, findings, work, reference), each adding routes to one
router through `Workbench`; a new page is a module with a `register(wb)` and a line in NAV.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from ..calendar import Period
from ..errors import ShixianError
from ..model.findings import SEVERITY_ZH, STATUS_ZH
from ..model.rules import KIND_ZH
from ..report.table import STATE_ZH
from ..state import AuditStore
from .auth import ROLE_ZH, SESSION_COOKIE, SESSION_SECONDS, Auth, User
from .evaluation import EvaluationCache
from .queries import choices, latest_run

# (path, Chinese name, English name): the navigation bar, in this order
NAV = [
    ("/", "总览", "Overview"),
    ("/findings", "问题清单", "Findings"),
    ("/tasks", "任务看板", "Tasks"),
    ("/check", "发布前检查", "Pre-publication check"),
    ("/rules", "规则", "Rules"),
    ("/calendar", "日历", "Calendar"),
    ("/runs", "运行记录", "Runs"),
]


class LoginRequired(Exception):
    pass


class Forbidden(Exception):
    def __init__(self, need: str):
        self.need = need


@dataclass
class Workbench:
    """What every page needs: the database, the engine, the login policy and the renderer."""

    db_path: Path
    engine_of: Callable  # () -> the current Engine (reloads swap it)
    auth: Auth
    router: APIRouter
    env: Environment
    cache: EvaluationCache

    def __post_init__(self) -> None:
        self._local = threading.local()

    # -- the database: one connection per worker thread --------------------------------------------
    def store(self) -> AuditStore:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = AuditStore(self.db_path)
        return store

    def per_run(self, name: str, compute: Callable):
        """compute(db), once per run: figures over every finding change only with a run (read from the
        counts the run keeps, engine/state/tracking.py, a few hundred milliseconds at 500,000 findings)."""
        db = self.store().db
        key = ((latest_run(db) or {}).get("id"), name)
        cache = self.__dict__.setdefault("_per_run", {})
        if key not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[key] = compute(db)
        return cache[key]

    def choices(self) -> dict[str, list]:
        """The filter menus' values (distinct values over every finding)."""
        return self.per_run("choices", choices)

    def evaluation(self):
        store = self.store()
        return self.cache.get(self.engine_of(), store, latest_run(store.db))

    # -- who is asking --------------------------------------------------------------------------------
    def user(self, request: Request, role: str = "read") -> User:
        user = self.auth.user_from(request.cookies.get(SESSION_COOKIE))
        if user is None:
            raise LoginRequired()
        if not user.may(role):
            raise Forbidden(role)
        return user

    async def form(self, request: Request, role: str) -> tuple[User, dict]:
        """A POSTed form from a logged-in user with the role, its CSRF token checked."""
        user = self.user(request, role)
        form = await request.form()
        if not self.auth.csrf_ok(request.cookies.get(SESSION_COOKIE), form.get("csrf")):
            raise Forbidden("csrf")
        return user, {k: v for k, v in form.items() if isinstance(v, str)}

    def render(self, request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        cookie = request.cookies.get(SESSION_COOKIE)
        user = self.auth.user_from(cookie)
        html = self.env.get_template(template).render(
            request=request,
            user=user,
            role_zh=ROLE_ZH,
            nav=NAV,
            path=request.url.path,
            csrf=self.auth.csrf_token(cookie) if cookie else "",
            **context,
        )
        return HTMLResponse(html, status_code=status)


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("engine.web", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        STATUS_ZH=STATUS_ZH,
        SEVERITY_ZH=SEVERITY_ZH,
        KIND_ZH=KIND_ZH,
        STATE_ZH={**STATE_ZH, "waived": "已豁免"},
        urlencode=lambda d: urllib.parse.urlencode(d),
    )
    env.filters["period_zh"] = _period_zh
    return env


def _period_zh(text: str) -> str:
    """'3wd' as an officer reads it: 3个工作日 (the text itself if it is not a period)."""
    try:
        return Period.parse(text).chinese
    except ShixianError:
        return text


def mount(app: FastAPI, engine_of: Callable, db_path: Path, auth: Auth) -> Workbench:
    """Add the workbench's pages, static files and login to the API's app."""
    from . import findings_pages, overview, reference_pages, rule_editor, work_pages

    wb = Workbench(
        db_path, engine_of, auth, APIRouter(include_in_schema=False), _env(), EvaluationCache(db_path)
    )

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return RedirectResponse("/login?" + urllib.parse.urlencode({"next": target}), status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        return wb.render(request, "forbidden.html", status=403, need=exc.need)

    @wb.router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/"):
        return wb.render(
            request,
            "login.html",
            next=_safe_next(next),
            open=auth.open,
            needs_name=not auth.users or auth.token is not None,
            error=None,
        )

    @wb.router.post("/login")
    def login(request: Request, token: str = Form(""), name: str = Form(""), next: str = Form("/")):
        user = auth.login(token, name)
        if user is None:
            return wb.render(
                request,
                "login.html",
                status=401,
                next=_safe_next(next),
                open=auth.open,
                needs_name=not auth.users or auth.token is not None,
                error="令牌不正确，或未填写姓名 (wrong token, or no name given)",
            )
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            auth.session_cookie(user),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
        )
        return response

    @wb.router.post("/logout")
    async def logout(request: Request):
        await wb.form(request, "read")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    for module in (overview, findings_pages, work_pages, reference_pages, rule_editor):
        module.register(wb)
    app.include_router(wb.router)
    wb.evaluation()  # start reading the latest run's inputs again now, in the background, not at the first page
    return wb


def _safe_next(target: str) -> str:
    """Only a path on this site (no //host or scheme): no open redirect after login."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
