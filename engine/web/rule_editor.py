"""规则编辑: edit a rule pack file in the workbench, checked as you type.

The page shows one of the files the server's rules were loaded from in a plain textarea with line
numbers. Every change is POSTed (debounced, by static/rule_editor.js) and checked exactly as
`shixian validate` checks it, with the other files loaded beside it; the errors come back with their
lines and are shown there. The file's test cases run on demand, with `shixian test`'s words. Saving
refuses a file with errors; a saved change is recorded (who, when, the diff) in the audit database and
the server's rules are reloaded, as `POST /v1/admin/reload` would.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
from pathlib import Path

from fastapi import Request
from fastapi.responses import JSONResponse

from ..calendar import SHANGHAI
from ..ruletest import run_tests, validate_paths
from .app import Forbidden
from .auth import SESSION_COOKIE

EDITS_TABLE = """CREATE TABLE IF NOT EXISTS rule_edits (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL, file TEXT NOT NULL,
    before_sha TEXT NOT NULL, after_sha TEXT NOT NULL, diff TEXT NOT NULL)"""
MAX_TEXT = 1 << 20


def editable_files(engine) -> list[str]:
    """The rule files the server loaded: the only files this page reads or writes."""
    return [str(path) for path in engine.ruleset.files]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def check(engine, file: str, text: str) -> tuple[list[dict], int, object]:
    """(problems in this file as JSON, problems in the other files, rule set or None)."""
    problems, ruleset = validate_paths(engine.ruleset.files, {file: text})
    mine = [p.to_json() for p in problems if str(p.path) == file]
    return mine, len(problems) - len(mine), ruleset


def history(store, file: str, limit: int = 20) -> list[dict]:
    store.db.execute(EDITS_TABLE)
    rows = store.db.execute(
        "SELECT at, user, before_sha, after_sha, diff FROM rule_edits WHERE file = ? "
        "ORDER BY id DESC LIMIT ?",
        (file, limit),
    ).fetchall()
    return [dict(zip(("at", "user", "before", "after", "diff"), row)) for row in rows]


def register(wb) -> None:
    async def payload(request: Request, role: str) -> tuple:
        """(user, file, text) from a JSON POST carrying the page's CSRF token in a header."""
        user = wb.user(request, role)
        if not wb.auth.csrf_ok(request.cookies.get(SESSION_COOKIE), request.headers.get("x-csrf-token")):
            raise Forbidden("csrf")
        body = await request.body()
        if len(body) > MAX_TEXT:
            return user, None, None
        try:
            data = json.loads(body)
        except ValueError:
            return user, None, None
        file, text = data.get("file"), data.get("text")
        if file not in editable_files(wb.engine_of()) or not isinstance(text, str):
            return user, None, None
        return user, file, text

    def refused() -> JSONResponse:
        return JSONResponse(
            {"error": "不是本服务载入的规则文件，或内容不是文字 (unknown file or bad text)"}, 400
        )

    @wb.router.get("/rules/edit")
    def editor(request: Request, file: str = ""):
        user = wb.user(request)
        files = editable_files(wb.engine_of())
        chosen = file if file in files else (files[0] if files else "")
        text = Path(chosen).read_text(encoding="utf-8-sig") if chosen else ""
        return wb.render(
            request,
            "rule_editor.html",
            files=files,
            file=chosen,
            text=text,
            history=history(wb.store(), chosen) if chosen else [],
            may_save=user.may("admin"),
        )

    @wb.router.post("/rules/edit/validate")
    async def validate(request: Request):
        _, file, text = await payload(request, "read")
        if file is None:
            return refused()
        mine, others, ruleset = check(wb.engine_of(), file, text)
        return {
            "errors": mine,
            "other_files": others,
            "rules": sum(1 for r in ruleset.rules if r.path == file) if ruleset else None,
        }

    @wb.router.post("/rules/edit/test")
    async def test(request: Request):
        _, file, text = await payload(request, "read")
        if file is None:
            return refused()
        mine, others, ruleset = check(wb.engine_of(), file, text)
        if ruleset is None or any(e["severity"] == "error" for e in mine) or others:
            return JSONResponse({"errors": mine, "other_files": others, "cases": None}, 422)
        results = run_tests(
            wb.engine_of().ruleset.files, wb.engine_of().calendar, {file: text}, only_file=file
        )
        return {
            "errors": mine,
            "cases": [
                {
                    "where": r.where,
                    "name": r.name,
                    "passed": r.passed,
                    "problems": r.problems,
                    "details": r.details,
                }
                for r in results
            ],
        }

    @wb.router.post("/rules/edit/save")
    async def save(request: Request):
        user, file, text = await payload(request, "admin")
        if file is None:
            return refused()
        mine, others, ruleset = check(wb.engine_of(), file, text)
        if ruleset is None:
            return JSONResponse(
                {
                    "saved": False,
                    "errors": mine,
                    "other_files": others,
                    "message": "未保存：文件有错误，请先改正 (not saved: the file has errors)",
                },
                422,
            )
        path = Path(file)
        before = path.read_text(encoding="utf-8-sig")
        if before == text:
            return {"saved": False, "errors": mine, "message": "内容没有改动，未保存 (no change)"}
        temporary = path.with_name(f".{path.name}.saving")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
        diff = "".join(
            difflib.unified_diff(
                before.splitlines(True), text.splitlines(True), f"a/{path.name}", f"b/{path.name}"
            )
        )
        at = dt.datetime.now(SHANGHAI).isoformat(timespec="seconds")
        store = wb.store()
        store.db.execute(EDITS_TABLE)
        store.db.execute(
            "INSERT INTO rule_edits (at, user, file, before_sha, after_sha, diff) VALUES (?, ?, ?, ?, ?, ?)",
            (at, user.name, file, _sha(before), _sha(text), diff),
        )
        store.db.commit()
        holder = getattr(request.app.state, "holder", None)  # the server's engine, as POST /v1/admin/reload
        if holder is not None:
            holder.reload()
        return {
            "saved": True,
            "errors": mine,
            "at": at,
            "user": user.name,
            "sha": _sha(text),
            "message": f"已保存，{user.name} 于 {at} 修改（{_sha(before)} → {_sha(text)}），规则已重新载入",
        }
