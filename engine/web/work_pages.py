"""任务看板 and 发布前检查: the two pages where an officer records or tries something.

Marking a task done stores its `task.completed` event in the audit database (as `shixian ingest`
would), so the next audit sees it; the board is re-evaluated from the stored events in the background
(engine/web/evaluation.py) and shown as updating until then.
The check form builds the plan `POST /v1/check` takes and shows the engine's answer to it.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from ..calendar import SHANGHAI
from ..check import PlanError
from ..errors import ShixianError
from ..model.events import Event
from ..model.findings import TASK_STATE_ZH
from ..timeparse import parse_instant

DOCUMENT_FIELDS = (  # the plan's `document`; the rest of the form are its planned dates
    "subject",
    "body",
    "department",
    "doc_type",
    "disclosure",
    "文号",
    "成文日期",
    "发布日期",
    "有效性",
    "issued_at",
)
PLAN_FIELDS = DOCUMENT_FIELDS + (
    "publish_at",
    "interpretation_at",
    "comment_open",
    "comment_close",
)


def register(wb) -> None:
    @wb.router.get("/tasks")
    def tasks(request: Request, body: str = "", done: str = ""):
        wb.user(request)
        evaluation = wb.evaluation()
        board: dict[str, dict[str, list[dict]]] = {}
        for card in evaluation.task_board if evaluation else []:
            if not body or card["body"] == body:
                board.setdefault(card["body"], {}).setdefault(card["department"], []).append(card)
        bodies = sorted({c["body"] for c in (evaluation.task_board if evaluation else [])})
        default_day = evaluation.as_of.astimezone(SHANGHAI).date().isoformat() if evaluation else ""
        return wb.render(
            request,
            "tasks.html",
            board=board,
            bodies=bodies,
            body=body,
            done=done,
            board_zh=TASK_STATE_ZH,
            evaluation=evaluation,
            default_day=default_day,
        )

    @wb.router.post("/tasks/{task_id}/done")
    async def task_done(request: Request, task_id: str):
        user, form = await wb.form(request, "waive")
        evaluation = wb.evaluation()
        card = next((c for c in (evaluation.task_board if evaluation else []) if c["id"] == task_id), None)
        back = "/tasks?" + urllib.parse.urlencode({"body": form.get("body", "")})
        if card is None:
            why = "看板正在计算，请稍后再试" if evaluation and evaluation.pending else "没有这个任务"
            return RedirectResponse(back + "&done=" + urllib.parse.quote("error:" + why), status_code=303)
        try:
            day = parse_instant(form.get("date", ""))[0].date()
        except (ShixianError, ValueError):
            return RedirectResponse(
                back + "&done=" + urllib.parse.quote("error:完成日期无法识别，请按 YYYY-MM-DD 填写"),
                status_code=303,
            )
        event = Event(
            id=f"workbench-{task_id}-completed",
            type="task.completed",
            subject=task_id,
            time=dt.datetime.combine(day, dt.time(0), SHANGHAI),
            body=card["body"],
            department=card["department"],
            attrs={"recorded_by": user.name},
            date_only=True,
        )
        added = wb.store().record_task_done(event, user.name)
        message = f"ok:{task_id}" if added else "error:该任务已记录完成"
        return RedirectResponse(back + "&done=" + urllib.parse.quote(message), status_code=303)

    @wb.router.get("/check")
    def check_form(request: Request):
        wb.user(request)
        return wb.render(request, "check.html", form={}, result=None, errors=[], bodies=_bodies(wb))

    @wb.router.post("/check")
    async def check(request: Request):
        user, form = await wb.form(request, "read")
        plan, errors = plan_from_form(form), []
        result = None
        try:
            result = wb.engine_of().check(plan).to_json()
        except ValidationError as exc:
            errors = [f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in exc.errors()]
        except PlanError as exc:
            errors = [str(exc)]
        return wb.render(
            request,
            "check.html",
            form=form,
            result=result,
            errors=errors,
            bodies=_bodies(wb),
            plan_json=json.dumps(plan, ensure_ascii=False, indent=1),
            result_json=json.dumps(result, ensure_ascii=False, indent=1) if result else "",
        )


def _bodies(wb) -> list[str]:
    """Bodies some rule names (a plan for another body is checked against the national rules only)."""
    names = set()
    for loaded in wb.engine_of().ruleset.rules:
        value = loaded.rule.applies_to.get("body") or getattr(loaded.rule, "body", None)
        if isinstance(value, str):
            names.add(value)
        elif isinstance(value, list):
            names.update(v for v in value if isinstance(v, str))
    return sorted(names)


def plan_from_form(form: dict) -> dict:
    """The JSON plan (README: Pre-publication checks) the form's fields describe; empty fields left out."""
    value = {k: (form.get(k) or "").strip() for k in PLAN_FIELDS}
    document = {k: value[k] for k in DOCUMENT_FIELDS if value[k]}
    plan: dict = {"document": document}
    for key in ("publish_at", "interpretation_at"):  # a browser's datetime-local text is what the API takes
        if value[key]:
            plan[key] = value[key]
    if value["comment_open"] or value["comment_close"]:
        plan["comment_period"] = {"open": value["comment_open"], "close": value["comment_close"]}
    return plan
