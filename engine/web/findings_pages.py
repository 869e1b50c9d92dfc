"""问题清单 and 问题详情: the filtered list (with its exports) and one finding with its timeline,
explanation, quoted article, history across runs, waiver and the record of every action on it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import urllib.parse

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from ..errors import ShixianError
from ..model.findings import SEVERITY_ZH, STATUS_ZH, event_key
from ..report import FORMATS
from ..report.table import STATE_ZH
from ..timeparse import parse_instant
from . import queries
from .timeline import timeline

EXPORT_COLUMNS = [
    ("fingerprint", "指纹"),
    ("event", "同一事件"),
    ("status", "状态"),
    ("severity", "级别"),
    ("lifecycle", "跟踪"),
    ("rule", "规则"),
    ("title", "义务"),
    ("subject", "对象"),
    ("body", "机关"),
    ("department", "部门"),
    ("deadline", "期限"),
    ("overdue_by", "逾期"),
    ("first_seen", "首次发现"),
    ("waiver", "豁免"),
    ("source", "依据"),
    ("message", "说明"),
]


def _waiver_day(store) -> str:
    """Waivers are judged on the latest run's as-of day, as that run's reports judged them."""
    run = queries.latest_run(store.db)
    return run["as_of"][:10] if run else dt.date.today().isoformat()


def register(wb) -> None:
    @wb.router.get("/findings")
    def findings(request: Request):
        wb.user(request)
        store = wb.store()
        filters = queries.Filters.from_query(request.query_params)
        page = queries.find(store.db, filters, _waiver_day(store))
        return wb.render(
            request,
            "findings.html",
            page=page,
            f=filters,
            choices=wb.choices(),
            sorts=queries.SORT_ZH,
            lifecycles=queries.LIFECYCLES,
        )

    @wb.router.get("/findings.csv")
    def export_csv(request: Request):
        wb.user(request)
        rows = _export_rows(wb, request)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([zh for _, zh in EXPORT_COLUMNS])
        writer.writerows(rows)
        return Response(
            ("\ufeff" + out.getvalue()).encode("utf-8"),
            media_type=FORMATS["csv"].content_type,
            headers={"Content-Disposition": _attachment("问题清单.csv")},
        )

    @wb.router.get("/findings.xlsx")
    def export_xlsx(request: Request):
        wb.user(request)
        from openpyxl import Workbook

        from ..report.xlsx_report import write_findings_sheet

        book = Workbook()
        book.active.title = "问题清单"
        keys = [k for k, _ in EXPORT_COLUMNS]
        write_findings_sheet(
            book.active,
            [zh for _, zh in EXPORT_COLUMNS],
            _export_rows(wb, request),
            [keys.index("deadline"), keys.index("first_seen")],
            [keys.index("overdue_by")],
        )
        buffer = io.BytesIO()
        book.save(buffer)
        return Response(
            buffer.getvalue(),
            media_type=FORMATS["xlsx"].content_type,
            headers={"Content-Disposition": _attachment("问题清单.xlsx")},
        )

    @wb.router.get("/findings/{fingerprint}")
    def detail(request: Request, fingerprint: str, done: str = ""):
        wb.user(request)
        store = wb.store()
        row = queries.finding(store.db, fingerprint)
        if row is None:
            return wb.render(request, "not_found.html", status=404, what=f"问题 {fingerprint}")
        engine = wb.engine_of()
        evaluation = wb.evaluation()
        waiver = store.waiver(fingerprint)
        runs = {r["id"]: r for r in store.runs()}
        return wb.render(
            request,
            "finding.html",
            f=row,
            waiver=waiver,
            siblings=queries.same_event(store.db, row),
            actions=store.actions(fingerprint),
            timeline=timeline(engine, evaluation, row),
            history=queries.history(store.db, fingerprint),
            runs=runs,
            done=done,
            evaluation=evaluation,
            event_name=engine.ruleset.event_types,
        )

    @wb.router.post("/findings/{fingerprint}/waive")
    async def waive(request: Request, fingerprint: str):
        user, form = await wb.form(request, "waive")
        store = wb.store()
        reason = form.get("reason", "").strip()
        by = form.get("by", "").strip() or user.name
        until = None
        error = None
        if not reason:
            error = "请填写豁免理由 (a reason is required)"
        elif form.get("until"):
            try:
                until = parse_instant(form["until"])[0].date()
            except (ShixianError, ValueError):
                error = f"截止日期“{form['until']}”无法识别，请按 YYYY-MM-DD 填写"
        if error:
            return RedirectResponse(
                f"/findings/{urllib.parse.quote(fingerprint)}?"
                + urllib.parse.urlencode({"done": "error:" + error}),
                status_code=303,
            )
        try:
            store.waive(fingerprint, by, reason, until, actor=user.name)
        except ShixianError:
            return wb.render(request, "not_found.html", status=404, what=f"问题 {fingerprint}")
        return RedirectResponse(f"/findings/{urllib.parse.quote(fingerprint)}?done=waived", status_code=303)

    @wb.router.post("/findings/{fingerprint}/revoke")
    async def revoke(request: Request, fingerprint: str):
        user, form = await wb.form(request, "waive")
        gone = wb.store().revoke_waiver(fingerprint, user.name, form.get("reason", "").strip())
        return RedirectResponse(
            f"/findings/{urllib.parse.quote(fingerprint)}?done="
            + ("revoked" if gone else "error:该问题没有豁免"),
            status_code=303,
        )


def _export_rows(wb, request: Request) -> list[list]:
    """Exactly the filtered set of the list page, every page of it, in its order."""
    store = wb.store()
    filters = queries.Filters.from_query(request.query_params)
    page = queries.find(store.db, filters, _waiver_day(store), limit=None)
    rows = []
    for f in page.rows:
        waiver = f.get("waiver")
        life = f["lifecycle"]
        subject, event = event_key(f)
        rows.append(
            [
                f["fingerprint"],
                f"{subject} {event}".strip() if event else "",
                STATUS_ZH.get(f["status"], f["status"]),
                SEVERITY_ZH.get(f["severity"], f["severity"]),
                "已豁免" if waiver else STATE_ZH.get(life["state"], life["state"]),
                f["rule"],
                f["title"],
                f["subject"],
                f["body"],
                f["department"],
                (f["deadline_text"] or "")[:10],
                f["overdue_by"] or "",
                (life["first_seen"] or "")[:10],
                f"{waiver['by']}：{waiver['reason']}"
                + (f"（至 {waiver['until']}）" if waiver["until"] else "")
                if waiver
                else "",
                f"{f['source'].get('document', '')} {f['source'].get('article', '')}".strip(),
                f["message"],
            ]
        )
    return rows


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{urllib.parse.quote(name)}"
