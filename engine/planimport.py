"""Reading a 政务公开工作要点 (work plan) as plain text: tasks with departments and due dates, draft
obligations found in the prose, and what could not be read. Nothing is guessed: a phrase without a
known reading goes to the unread list, with its line.

Completion phrases are read by engine/planphrase.py, whole or not at all; its READING goes into every
task list written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .planphrase import READING
from .planphrase import read as read_phrase

CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_FULL = str.maketrans(
    {"（": "(", "）": ")", "：": ":", "；": ";", "，": ",", "\u00a0": " ", "\u3000": " ", "．": "."}
)
_ITEM = re.compile(
    r"^\s*(?:\(([一二三四五六七八九十]{1,3})\)|(\d{1,3})(?:\s*[、.]\s*|(?=[\u4e00-\u9fff])(?![年月日号个次天]))"
    r")(.*)$"
)
_BLOCK = re.compile(r"\(?((?:牵头部门|责任部门)\s*:[^()]*?|完成时[间限]\s*:?[^()]*?)\)")
_LEAD = re.compile(r"牵头部门\s*:\s*(.*?)(?=责任部门|完成时[间限]|$)")
_RESP = re.compile(r"责任部门\s*:\s*(.*?)(?=牵头部门|完成时[间限]|$)")
_DUE = re.compile(r"完成时[间限]\s*:?\s*(.*?)\s*$")
_SENTENCE = re.compile(r"[^。!?;]*[。!?;]?")


@dataclass
class ImportedTask:
    id: str
    item: str
    title: str
    lead: list[str]
    responsible: list[str]
    phrase: str | None
    due: dt.date | None
    line: int
    source: str

    def to_yaml(self) -> dict:
        out = {
            "id": self.id,
            "item": self.item,
            "title": self.title,
            "lead": self.lead,
            "responsible": self.responsible,
        }
        if self.phrase:
            out["phrase"] = self.phrase
        if self.due:
            out["due"] = self.due
        out["line"] = self.line
        out["source"] = self.source
        return out


@dataclass
class PlanImport:
    tasks: list[ImportedTask] = field(default_factory=list)
    drafts: list[dict] = field(default_factory=list)
    unread: list[dict] = field(default_factory=list)


def _departments(text: str) -> list[str]:
    parts = re.split(r"[、,;。\s]+|和(?=各)", text.strip().strip(";。,"))
    return [p for p in (part.strip() for part in parts) if p]


def _first_sentence(text: str) -> str:
    text = text.strip()
    match = _SENTENCE.match(text)
    sentence = (match.group(0) if match else text).strip()
    return sentence.rstrip("。;") or text[:60]


def _item_label(match: re.Match) -> tuple[str, int]:
    if match.group(1):
        numeral = match.group(1)
        value = (
            10 + CN_NUM.get(numeral[1:], 0)
            if numeral.startswith("十")
            else (
                CN_NUM[numeral[0]] * 10 + CN_NUM.get(numeral[2:], 0) if "十" in numeral else CN_NUM[numeral]
            )
        )
        return f"({numeral})", value
    return match.group(2), int(match.group(2))


def import_plan(text: str, year: int, id_prefix: str) -> PlanImport:
    """Read a plan's text. Items are "(一)", "1、", "1.", or "8对..." at a line start; each block of
    牵头部门/责任部门/完成时间 (in the item's line or the lines after it) makes one task."""
    result = PlanImport()
    lines = text.translate(_FULL).splitlines()
    items: list[tuple[str, int, int, list[tuple[int, str]]]] = []  # label, number, line, [(line, text)]
    for number, line in enumerate(lines, start=1):
        match = _ITEM.match(line)
        if match and match.group(3).strip():
            label, value = _item_label(match)
            items.append((label, value, number, [(number, match.group(3))]))
        elif items and line.strip() and not re.match(r"^\s*[一二三四五六七八九十]+、", line):
            items[-1][3].append((number, line.strip()))
    for label, value, line_no, chunks in items:
        body = " ".join(text for _, text in chunks)
        _drafts(result, label, chunks)
        blocks = list(_BLOCK.finditer(body))
        blocks = [b for b in blocks if re.search(r"部门|完成时", b.group(1))]
        if not blocks:
            result.tasks.append(
                ImportedTask(
                    f"{id_prefix}-{value:02d}",
                    label,
                    _first_sentence(body),
                    [],
                    [],
                    None,
                    None,
                    line_no,
                    body.strip(),
                )
            )
            continue
        start = 0
        for part, block in enumerate(blocks, start=1):
            words = block.group(1)
            lead = _LEAD.search(words)
            resp = _RESP.search(words)
            due_match = _DUE.search(words)
            phrase = due_match.group(1).strip() if due_match else None
            due = None
            if phrase:
                reading = read_phrase(phrase, year)
                due = reading.due
                if not reading.understood:
                    result.unread.append(
                        {"item": label, "line": line_no, "phrase": phrase, "why": reading.why}
                    )
            chunk = body[start : block.start()]
            start = block.end()
            several = len(blocks) > 1
            task_id = f"{id_prefix}-{value:02d}" + (f"-{part}" if several else "")
            result.tasks.append(
                ImportedTask(
                    task_id,
                    f"{label}{part}" if several else label,
                    _first_sentence(chunk) or _first_sentence(body),
                    _departments(lead.group(1)) if lead else [],
                    _departments(resp.group(1)) if resp else [],
                    phrase,
                    due,
                    line_no,
                    (chunk + block.group(0)).strip(),
                )
            )
    return result


_LIMITS = [
    (re.compile(r"(\d+)个工作日内"), "wd", "deadline"),
    (re.compile(r"(?<!工作)(?<![个\d])(\d+)(?:日|天)内"), "d", "deadline"),
    (re.compile(r"(\d+)小时内"), "h", "deadline"),
    (re.compile(r"不少于(\d+)(?:日|天)"), "d", "min_span"),
]
_COUNT = re.compile(r"(?:至少|不少于)[^,。;\d]{0,8}?(\d+)次([^,。;和]*)((?:和(\d+)次([^,。;]*))?)")


def _drafts(result: PlanImport, label: str, chunks: list[tuple[int, str]]) -> None:
    for line_no, text in chunks:
        for sentence in re.findall(r"[^。;]+[。;]?", text):
            for pattern, unit, kind in _LIMITS:
                for m in pattern.finditer(sentence):
                    result.drafts.append(
                        {
                            "item": label,
                            "line": line_no,
                            "kind": kind,
                            ("at_least" if kind == "min_span" else "within"): f"{m.group(1)}{unit}",
                            "quote": sentence.strip(),
                        }
                    )
            for m in _COUNT.finditer(sentence):
                per = "year" if re.search(r"每年|年内|全年", sentence) else None
                result.drafts.append(
                    {
                        "item": label,
                        "line": line_no,
                        "kind": "count",
                        "at_least": int(m.group(1)),
                        "what": m.group(2).strip(' “”"') or None,
                        "per": per,
                        "quote": sentence.strip(),
                    }
                )
                if m.group(4):
                    result.drafts.append(
                        {
                            "item": label,
                            "line": line_no,
                            "kind": "count",
                            "at_least": int(m.group(4)),
                            "what": m.group(5).strip(' “”"') or None,
                            "per": per,
                            "quote": sentence.strip(),
                        }
                    )


def rule_file(result: PlanImport, body: str, year: int, document: str, pack: str) -> dict:
    """The task list as a rule file that `shixian audit` reads (kind task_list)."""
    return {
        "pack": pack,
        "description": f"{document}：由 shixian plan import 读入的任务清单，请核对后使用",
        "rules": [
            {
                "id": f"{pack}.tasks",
                "kind": "task_list",
                "title": f"{document}任务按完成时间完成",
                "source": {
                    "document": document,
                    "article": "全部事项",
                    "text": "（牵头部门：……；责任部门：……。完成时间：……）",
                },
                "severity": "warning",
                "effective": {"from": dt.date(year, 1, 1), "to": dt.date(year, 12, 31)},
                "body": body,
                "reading": READING + " 完成以 task.completed 事件记录，subject 为任务 id。",
                "tasks": [task.to_yaml() for task in result.tasks],
            }
        ],
    }


def review_file(result: PlanImport, document: str) -> dict:
    """What a person should review: draft obligations from the prose, and what could not be read."""
    return {
        "document": document,
        "drafts": result.drafts,
        "unread": result.unread,
        "note": "drafts 是从正文中找到的时限与次数要求，需人工确认后写成规则；unread 是无法按既定读法解读的内容。",
    }
