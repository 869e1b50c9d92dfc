"""Small builders for tests: rule files from YAML text, events from dicts."""

import datetime as dt
import textwrap
from pathlib import Path

from engine.calendar import SHANGHAI, load_calendar
from engine.engine import Engine
from engine.events import event_from_record
from engine.ruleset.loader import load_rules

SOURCE = "source: {document: 测试文件, article: 第1条, text: 测试}"

# 条例 (2019) 第三十三条 and 第三十条: reply within 20 working days, third-party time not counted, one extension
# of at most 20 working days, the period counted afresh from the receipt of a 补正
REQUEST_RULE = f"""\
pack: t
rules:
  - id: reply
    kind: deadline
    title: 20个工作日内答复
    {SOURCE}
    trigger: request.received
    fulfil: request.replied
    within: 20wd
    pause:
      - {{on: third_party.consulted, resume: third_party.replied}}
      - {{on: supplement.requested, resume: supplement.received}}
    restart: supplement.received
    extend: {{on: extension.approved, max: 20wd, times: 1, notified: extension.notified}}
"""


def write_rules(tmp_path: Path, body: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def engine_for(tmp_path: Path, body: str) -> Engine:
    return Engine(load_rules([write_rules(tmp_path, body)]), load_calendar())


def events(*records: dict, body: str = "测试局") -> list:
    out = []
    for index, record in enumerate(records, start=1):
        full = {"id": f"e{index}", "body": body, "department": "办公室", **record}
        out.append(event_from_record(full, f"test:{index}", None))
    return out


def at(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def end_of(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(23, 59, 59), SHANGHAI)
