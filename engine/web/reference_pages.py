"""规则, 日历 and 运行记录: what the rules say and how they test, the calendar month by month, and the
recorded runs with their inputs and the lines they refused (downloadable as JSON Lines)."""

from __future__ import annotations

import calendar as month_table
import datetime as dt
import json
import threading
from collections import defaultdict
from pathlib import Path

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from ..calendar import SHANGHAI
from ..errors import CalendarCoverageError
from ..ruleset.loader import RuleLoadError
from ..ruletest import load_test_files, run_case

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


class RuleTests:
    """The last result of each rule's test cases, run on demand (the rules page's button) or on first view:
    the cases written in the rule and those of the *.test.yaml files beside it that name it (as
    `shixian test` runs them; a case naming no rule counts for every rule of its folder)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.results: dict[str, list] = {}
        self.ran_at: str | None = None
        self.engine_id: int | None = None
        self.problems: list[str] = []  # test files that could not be read

    def get(self, engine, rerun: bool = False) -> dict[str, list]:
        with self.lock:
            if rerun or self.engine_id != id(engine):
                results: dict[str, list] = defaultdict(list)
                for loaded in engine.ruleset.rules:
                    for case in loaded.rule.tests:
                        results[loaded.id].append(
                            run_case(engine, case, {loaded.id}, f"{loaded.path}:{loaded.line}")
                        )
                self.problems = []
                folders = sorted({Path(loaded.path).parent for loaded in engine.ruleset.rules})
                try:
                    test_files = load_test_files(folders, engine.ruleset)
                except RuleLoadError as exc:
                    test_files, self.problems = [], [str(error) for error in exc.errors]
                for path, test_file in dict(test_files).items():
                    folder_rules = [r.id for r in engine.ruleset.rules if Path(r.path).parent == path.parent]
                    for case in test_file.cases:
                        result = run_case(engine, case, set(case.rules) if case.rules else None, str(path))
                        for rule_id in case.rules or folder_rules:
                            results[rule_id].append(result)
                self.results, self.engine_id = dict(results), id(engine)
                self.ran_at = dt.datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
            return self.results


def register(wb) -> None:
    tests = RuleTests()

    @wb.router.get("/rules")
    def rules(request: Request, pack: str = ""):
        wb.user(request)
        engine = wb.engine_of()
        results = tests.get(engine)
        packs: dict[str, list] = defaultdict(list)
        for loaded in engine.ruleset.rules:
            packs[loaded.pack].append(loaded)
        shown = {p: rs for p, rs in sorted(packs.items()) if not pack or p == pack}
        return wb.render(
            request,
            "rules.html",
            packs=shown,
            all_packs=sorted(packs),
            pack=pack,
            results=results,
            ran_at=tests.ran_at,
            test_problems=tests.problems,
            revision=engine.ruleset.revision,
            event_types=engine.ruleset.event_types,
        )

    @wb.router.post("/rules/tests")
    async def rerun(request: Request):
        await wb.form(request, "read")
        tests.get(wb.engine_of(), rerun=True)
        return RedirectResponse("/rules", status_code=303)

    @wb.router.get("/calendar")
    def calendar_page(request: Request, month: str = ""):
        wb.user(request)
        cal = wb.engine_of().calendar
        run = wb.store().db.execute("SELECT as_of FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        try:
            year, number = int(month[:4]), int(month[5:7])
            assert 1 <= number <= 12
        except (ValueError, AssertionError):
            shown = dt.date.fromisoformat(run[0][:10]) if run else dt.datetime.now(SHANGHAI).date()
            year, number = shown.year, shown.month
        weeks = []
        covered = year in cal.covered_years
        for week in month_table.Calendar().monthdatescalendar(year, number):
            row = []
            for day in week:
                if day.month != number:
                    row.append(None)
                    continue
                try:
                    row.append(cal.day_info(day))
                except CalendarCoverageError:
                    row.append(None)
            weeks.append(row)
        index = year * 12 + number - 1
        previous, following = divmod(index - 1, 12), divmod(index + 1, 12)
        return wb.render(
            request,
            "calendar.html",
            year=year,
            month=number,
            weeks=weeks,
            covered=covered,
            weekdays=WEEKDAYS,
            years=cal.covered_years,
            name=cal.name,
            prev=f"{previous[0]:04d}-{previous[1] + 1:02d}",
            next=f"{following[0]:04d}-{following[1] + 1:02d}",
        )

    @wb.router.get("/runs")
    def runs(request: Request):
        wb.user(request)
        items = list(reversed(wb.store().runs()))
        for item in items:
            item["inputs"] = json.loads(item["inputs"])
            item["counts"] = json.loads(item["counts"])
        return wb.render(request, "runs.html", runs=items)

    @wb.router.get("/runs/{run_id}/rejects.jsonl")
    def rejects(request: Request, run_id: int):
        wb.user(request)
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in wb.store().rejects(run_id))
        return Response(
            lines.encode("utf-8"),
            media_type="application/x-ndjson; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="run-{run_id}-rejects.jsonl"'},
        )
