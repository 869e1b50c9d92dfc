"""Ratio rules and subordinate bodies on hand-checked dates, through the one pipeline (engine/pipeline.py).

江苏省司法厅2018年度政务公开工作要点: 第21项“实现80%的审批服务事项‘网上办’（完成时限6月底前）”; 第38项“政务公开
工作分值权重不低于4%（完成时限：全年）”; 第4项“各市、县(市、区)同步完成本地区政务公开事项目录编制工作（完成时限：
3月中旬）”. 2018 端午节 (国办发明电〔2017〕12号): 06-16..06-18 off; 2018-06-30 is a Saturday.
"""

import json

import openpyxl
import pytest
from conftest import run_cli
from helpers import SOURCE, end_of, engine_for, events, write_rules

from engine.ruleset.loader import RuleLoadError, load_rules

ONLINE = f"""\
pack: t
event_types: {{service.listed: 审批服务事项发布, assessment.weight_set: 政务公开考核权重确定}}
rules:
  - id: online-80
    kind: ratio
    title: 80%的审批服务事项网上办
    {SOURCE}
    effective: {{from: 2018-01-16, to: 2018-12-31}}
    applies_to: {{body: 测试局}}
    event: service.listed
    where: {{网上办: 是}}
    at_least: 80%
    by: 2018-06-30
    warn_within: 2wd
  - id: weight-4
    kind: ratio
    title: 政务公开工作分值权重不低于4%
    {SOURCE}
    effective: {{from: 2018-01-16, to: 2018-12-31}}
    applies_to: {{body: 测试局}}
    event: assessment.weight_set
    figures: {{value: 权重}}
    at_least: 4%
"""


def services(*flags, time="2018-03-01T10:00", body="测试局"):
    return events(
        *[
            {"type": "service.listed", "subject": f"S{k}", "time": time, "网上办": flag}
            for k, flag in enumerate(flags, start=1)
        ],
        body=body,
    )


def judged(result, rule=None):
    return [(f.subject, f.status, f.deadline_text) for f in result.findings if rule is None or f.rule == rule]


def test_exactly_eighty_percent_by_the_last_day_is_met(tmp_path):
    """8 of 10 services online at 24:00 of 2018-06-30: exactly 80%, met. 7 of 10: below, judged at 06-30 24:00."""
    engine = engine_for(tmp_path, ONLINE)
    met = engine.evaluate(services(*["是"] * 8, "否", "否"), end_of("2018-07-02"))
    assert judged(met, "online-80") == []
    below = engine.evaluate(services(*["是"] * 7, "否", "否", "否"), end_of("2018-07-02"))
    assert judged(below, "online-80") == [("测试局/2018-06-30", "below_ratio", "2018-06-30 24:00")]
    assert "为70%（7/10），低于80%" in below.findings[0].message


def test_each_service_counts_as_it_stands_at_midnight(tmp_path):
    """A service listed 否 and moved online at 23:59 on 06-30 counts as online; one moved at 07-01 00:00 (the next
    day) does not: 7 + 1 = 8 of 10 is met, 7 of 10 with the later move is not. A service listed twice counts once."""
    engine = engine_for(tmp_path, ONLINE)
    base = [*["是"] * 7, "否", "否", "否"]
    moved = services(*base) + events(
        {"id": "m1", "type": "service.listed", "subject": "S8", "time": "2018-06-30T23:59", "网上办": "是"},
        {"id": "m2", "type": "service.listed", "subject": "S1", "time": "2018-05-01T10:00", "网上办": "是"},
    )
    assert judged(engine.evaluate(moved, end_of("2018-07-02")), "online-80") == []
    late = services(*base) + events(
        {"id": "m3", "type": "service.listed", "subject": "S8", "time": "2018-07-01T00:00", "网上办": "是"}
    )
    assert judged(engine.evaluate(late, end_of("2018-07-02")), "online-80") == [
        ("测试局/2018-06-30", "below_ratio", "2018-06-30 24:00")
    ]


def test_a_share_still_below_warns_in_the_last_working_days(tmp_path):
    """Judged at 06-30 (Sat) 24:00, warned within 2 working days: as of 06-26 three are left (06-27, 06-28, 06-29):
    quiet; as of 06-27, two: due soon."""
    engine = engine_for(tmp_path, ONLINE)
    evs = services(*["是"] * 7, "否", "否", "否")
    assert judged(engine.evaluate(evs, end_of("2018-06-26")), "online-80") == []
    assert judged(engine.evaluate(evs, end_of("2018-06-27")), "online-80") == [
        ("测试局/2018-06-30", "due_soon", "2018-06-30 24:00")
    ]


def test_reported_figures_are_read_exactly(tmp_path):
    """The weight as reported (the latest report of the year counts): 4% met; 3.5 below; 四 unreadable; a body that
    reported nothing in the year is below (no figure to show 4%). Judged at 2018-12-31 24:00."""
    engine = engine_for(tmp_path, ONLINE)
    evs = events(
        {"type": "assessment.weight_set", "subject": "W1", "time": "2018-02-01", "权重": "3"},
        {"type": "assessment.weight_set", "subject": "W2", "time": "2018-03-01", "权重": "4%"},
    )
    evs += events(
        {"type": "assessment.weight_set", "subject": "W", "time": "2018-03-01", "权重": "3.5"}, body="乙局"
    )
    evs += events(
        {"type": "assessment.weight_set", "subject": "W", "time": "2018-03-01", "权重": "四"}, body="丙局"
    )
    evs += events({"type": "document.issued", "subject": "D", "time": "2018-03-01"}, body="丁局")
    rules = ONLINE.replace("applies_to: {body: 测试局}\n    event: assessment", "event: assessment")
    engine = engine_for(tmp_path, rules)
    found = engine.evaluate(evs, end_of("2019-01-02"))
    assert [(f.body, f.status) for f in found.findings if f.rule == "weight-4"] == [
        ("丁局", "below_ratio"),
        ("丙局", "missing_fields"),
        ("乙局", "below_ratio"),
    ]
    assert "为3.5%" in [f for f in found.findings if f.body == "乙局"][0].message


BODIES = f"""\
pack: t
event_types: {{catalog.compiled: 政务公开事项目录编制完成}}
bodies:
  上级局: [甲局, 乙局]
  甲局: [甲分局]
rules:
  - id: catalog
    kind: due_by
    title: 下级机关3月20日前完成目录编制
    {SOURCE}
    applies_to: {{body: {{under: 上级局}}}}
    event: catalog.compiled
    due: {{month: 3, day: 20, years_after: 0}}
"""


def test_a_rule_for_the_bodies_under_a_parent(tmp_path):
    """{under: 上级局} is every body declared below it, at any depth: 甲局 on time (03-20, the last day), 乙局 late
    (03-21), 甲分局 (under 甲局) not done: overdue. The parent itself is not bound. Each finding names its parent."""
    engine = engine_for(tmp_path, BODIES)
    evs = events({"type": "catalog.compiled", "subject": "C", "time": "2018-03-20T18:00"}, body="甲局")
    evs += events({"type": "catalog.compiled", "subject": "C", "time": "2018-03-21T09:00"}, body="乙局")
    evs += events({"type": "document.issued", "subject": "D", "time": "2018-01-05"}, body="甲分局")
    evs += events({"type": "document.issued", "subject": "D", "time": "2018-01-05"}, body="上级局")
    found = engine.evaluate(evs, end_of("2018-03-31")).findings
    assert [(f.body, f.status, f.deadline_text, f.parent_body) for f in found] == [
        ("乙局", "late", "2018-03-20 24:00", "上级局"),
        ("甲分局", "overdue", "2018-03-20 24:00", "甲局"),
    ]
    assert found[0].to_json()["parent_body"] == "上级局"


def test_reports_roll_findings_up_to_the_parent(tmp_path):
    rules = write_rules(tmp_path, BODIES)
    log = tmp_path / "events.jsonl"
    log.write_text(
        "\n".join(
            json.dumps(e, ensure_ascii=False)
            for e in [
                {
                    "id": "a",
                    "type": "catalog.compiled",
                    "subject": "C",
                    "time": "2018-03-21T09:00",
                    "body": "乙局",
                },
                {"id": "b", "type": "document.issued", "subject": "D", "time": "2018-01-05", "body": "甲局"},
            ]
        ),
        encoding="utf-8",
    )
    common = [
        "audit",
        "--rules",
        str(rules),
        "--no-bundled-rules",
        "--events",
        str(log),
        "--as-of",
        "2018-03-31",
        "--fail-on",
        "never",
    ]
    table = run_cli(*common)
    assert table.returncode == 0, table.stderr
    assert "下级机关汇总到 上级局：共 2 项（乙局 1，甲局 1）" in table.stdout
    run_cli(*common, "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"))
    rows = [
        list(r) for r in openpyxl.load_workbook(tmp_path / "r.xlsx")["按机关"].iter_rows(values_only=True)
    ]
    assert ["上级局", 2, "乙局 1，甲局 1"] in [r[:3] for r in rows]


def test_subordinate_declarations_are_checked(tmp_path):
    twice = write_rules(
        tmp_path, BODIES.replace("  甲局: [甲分局]", "  甲局: [甲分局]\n  丙局: [乙局]"), "twice.yaml"
    )
    with pytest.raises(RuleLoadError) as err:
        load_rules([twice])
    assert [(e.code, e.line) for e in err.value.errors] == [("bad-bodies", 6)]
    assert "机关「乙局」已声明为「上级局」的下级" in err.value.errors[0].message
    unknown = write_rules(tmp_path, BODIES.replace("{under: 上级局}", "{under: 不存在局}"), "unknown.yaml")
    with pytest.raises(RuleLoadError) as err:
        load_rules([unknown])
    assert (
        err.value.errors[0].code == "bad-applies-to"
        and "「不存在局」没有在任何规则包的 bodies 中声明下级机关" in err.value.errors[0].message
    )


def test_ratio_rule_mistakes_are_located(tmp_path):
    bad = write_rules(
        tmp_path,
        ONLINE.replace("at_least: 80%", "at_least: 80").replace(
            "figures: {value: 权重}", "figures: {numerator: 甲}"
        ),
    )
    with pytest.raises(RuleLoadError) as err:
        load_rules([bad])
    codes = {(e.code, e.suggestion) for e in err.value.errors}
    assert ("bad-percent", "80%") in codes, codes
    assert any("figures 写 value" in e.message for e in err.value.errors)
