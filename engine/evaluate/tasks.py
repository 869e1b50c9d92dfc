"""Task lists: each work-plan item with a due date must be completed (a `task.completed` event) by then."""

from __future__ import annotations

from ..calendar import Deadline, Period
from ..model.events import Event
from ..model.rules import TaskListRule
from ..ruleset.loader import LoadedRule
from .context import Context
from .periodic import end_of_day


class TaskListEvaluator:
    def __init__(self, loaded: LoadedRule, ctx: Context):
        self.loaded, self.ctx = loaded, ctx
        self.rule: TaskListRule = loaded.rule
        self.done: dict[str, Event] = {}

    def feed(self, event: Event) -> None:
        if event.body == self.rule.body and self.loaded.matches(event):
            self.done.setdefault(event.subject, event)

    def finish(self) -> None:
        if self.rule.body not in self.ctx.active_years:  # a log without this body says nothing about its plan
            return
        for task in self.rule.tasks:
            done = self.done.get(task.id)
            card = {
                "id": task.id,
                "item": task.item,
                "title": task.title,
                "body": self.rule.body,
                "department": (task.lead or task.responsible or ["（未注明）"])[0],
                "lead": task.lead,
                "responsible": task.responsible,
                "phrase": task.phrase,
                "due": task.due.isoformat() if task.due else None,
                "done": done.time.date().isoformat() if done else None,
                "status": "no_date",
            }
            self.ctx.task_board.append(card)
            if task.due is None or not self.rule.effective.contains(task.due):
                continue
            due = end_of_day(task.due)
            steps = [f"第{task.item}项：完成时限“{task.phrase or task.due}”，读作 {task.due} 前（含当日）"]
            if task.lead:
                steps.append("牵头部门：" + "、".join(task.lead))
            if task.responsible:
                steps.append("责任部门：" + "、".join(task.responsible))
            deadline = Deadline(due, Period(0, "d"), due, task.due, steps)
            where = dict(
                subject=task.id, body=self.rule.body, department="、".join(task.lead or task.responsible)
            )
            what = f"第{task.item}项“{task.title}”"
            if done is not None:
                outcome = self.ctx.judge_done(self.loaded, deadline, done, what=what, **where)
            else:
                outcome = self.ctx.judge_open(self.loaded, deadline, what=what, **where)
            card["status"] = outcome.status
