"""Order and recurrence rules on hand-checked dates, through the one pipeline (engine/pipeline.py).

Order: 上海市司法局2024年政务公开工作要点（沪司发〔2024〕38号）（十二）“坚持‘先审查、后公开’和‘一事一审’原则，
加强保密审查”: every publication of a document needs its 保密审查 before it.
Recurrence: 滨海新区司法局2017年政务公开工作实施方案第12项“根据工作进展情况，持续发布权威信息”; 临沂市司法局
2021年政务公开工作重点任务安排第13项“定期汇总司法行政业务数据并更新至统计数据栏目”.
Holidays (国办发明电〔2023〕7号): 2024 国庆 10-01..10-07 off; 09-29 (Sun) and 10-12 (Sat) worked.
"""

import pytest
from helpers import SOURCE, end_of, engine_for, events

from engine.ruleset.loader import RuleLoadError, load_rules

ORDER = f"""\
pack: t
event_types: {{document.reviewed: 保密审查}}
rules:
  - id: review-first
    kind: order
    title: 先审查、后公开
    {SOURCE}
    effective: {{from: 2024-04-30, to: 2024-12-31}}
    applies_to: {{body: 测试局}}
    first: document.reviewed
    then: document.published
"""


def judged(result):
    return [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in result.findings]


def doc(subject, *steps):
    return [{"type": kind, "subject": subject, "time": time} for kind, time in steps]


def test_a_publication_needs_its_review_before_it(tmp_path):
    """Reviewed an hour before, or at the very same minute: kept. Reviewed a minute after: out of order. The
    review of another document does not count."""
    engine = engine_for(tmp_path, ORDER)
    evs = events(
        *doc("BEFORE", ("document.reviewed", "2024-09-02T09:00"), ("document.published", "2024-09-02T10:00")),
        *doc("SAME", ("document.published", "2024-09-02T10:00"), ("document.reviewed", "2024-09-02T10:00")),
        *doc("AFTER", ("document.published", "2024-09-02T09:59"), ("document.reviewed", "2024-09-02T10:00")),
        *doc("OTHER", ("document.reviewed", "2024-09-01T10:00")),
        *doc("NONE", ("document.published", "2024-09-02T10:00")),
    )
    result = engine.evaluate(evs, end_of("2024-09-30"))
    assert judged(result) == [("AFTER", "out_of_order", None, None), ("NONE", "out_of_order", None, None)]
    after, none = result.findings
    assert "保密审查（2024-09-02 10:00）晚于文件公开发布（2024-09-02 09:59）" in after.message
    assert after.fulfilment.id == "e6" and after.trigger.id == "e5"
    assert "2024-09-02 10:00 文件公开发布之前没有保密审查（截至2024-09-30 23:59仍无）" in none.message
    assert none.fulfilment is None


def test_a_day_logged_without_time_cannot_put_the_review_after(tmp_path):
    """A review logged as a bare date on the publication's day may have come first: the order is taken as kept.
    On the next day it came after, whatever the hour."""
    engine = engine_for(tmp_path, ORDER)
    evs = events(
        *doc("DAY", ("document.published", "2024-09-02T08:00"), ("document.reviewed", "2024-09-02")),
        *doc("PUB-DAY", ("document.published", "2024-09-02"), ("document.reviewed", "2024-09-02T17:00")),
        *doc("NEXT", ("document.published", "2024-09-02"), ("document.reviewed", "2024-09-03T00:00")),
    )
    assert judged(engine.evaluate(evs, end_of("2024-09-30"))) == [("NEXT", "out_of_order", None, None)]


def test_each_publication_is_judged_and_scope_and_dates_hold(tmp_path):
    """A second publication after the review is kept; one before it is not. Publications of another body, or
    before the plan's first day (2024-04-30), are outside the rule."""
    engine = engine_for(tmp_path, ORDER)
    evs = events(
        *doc(
            "TWICE",
            ("document.published", "2024-06-03T10:00"),
            ("document.reviewed", "2024-06-04T10:00"),
            ("document.published", "2024-06-05T10:00"),
        ),
        *doc("EARLY", ("document.published", "2024-04-29T10:00")),
        *doc("LAST-DAY", ("document.published", "2024-12-31T23:59")),
    )
    evs += events(*doc("ELSEWHERE", ("document.published", "2024-06-03T10:00")), body="另一局")
    assert judged(engine.evaluate(evs, end_of("2025-01-10"))) == [
        ("LAST-DAY", "out_of_order", None, None),
        ("TWICE", "out_of_order", None, None),
    ]


def test_a_late_review_keeps_the_finding_it_replaces(tmp_path):
    """No review yet, then a review after the publication: the same finding (one fingerprint) across nights,
    its words updated."""
    engine = engine_for(tmp_path, ORDER)
    evs = events(
        *doc("D", ("document.published", "2024-09-02T10:00"), ("document.reviewed", "2024-09-05T10:00"))
    )
    before = engine.evaluate(evs, end_of("2024-09-04")).findings
    after = engine.evaluate(evs, end_of("2024-09-05")).findings
    assert [f.status for f in before] == [f.status for f in after] == ["out_of_order"]
    assert before[0].fingerprint == after[0].fingerprint
    assert "仍无" in before[0].message and "晚于" in after[0].message


INCIDENT = f"""\
pack: t
event_types: {{incident.closed: 突发事件处置结束}}
rules:
  - id: keep-informing
    kind: recurrence
    title: 处置期间持续发布权威信息
    {SOURCE}
    open: incident.occurred
    close: incident.closed
    event: info.released
    every: 1d
    counting: {{roll: false}}
    warn_within: 2wd
  - id: keep-informing-rolled
    kind: recurrence
    title: 处置期间持续发布权威信息（末日顺延）
    {SOURCE}
    applies_to: {{rolled: 是}}
    open: incident.occurred
    close: incident.closed
    event: info.released
    every: 1d
"""


def incident(subject, *steps, **attrs):
    return [{"type": kind, "subject": subject, "time": time, **attrs} for kind, time in steps]


def test_each_gap_is_a_deadline_from_the_previous_release(tmp_path):
    """Every 1 day, no roll: opened 09-30 10:00, the first release is due by 10-01 24:00 (the start day is not
    counted, 民法典第二百零一条). Released 10-01 23:59: on time; the next is due by 10-02 24:00, and a release at
    10-03 00:00 belongs to 10-03: late by 1 day, a gap of 2 days. Then due 10-04 24:00, none by as-of 10-06:
    overdue by 2 days. Closed on time (ASSUAGED) or ended after a missed day (MISSED): a gap exceeded."""
    engine = engine_for(tmp_path, INCIDENT)
    evs = events(
        *incident(
            "I",
            ("incident.occurred", "2024-09-30T10:00"),
            ("info.released", "2024-10-01T23:59"),
            ("info.released", "2024-10-03T00:00"),
        ),
        *incident(
            "ASSUAGED",
            ("incident.occurred", "2024-09-30T10:00"),
            ("info.released", "2024-10-01T09:00"),
            ("incident.closed", "2024-10-02T23:59"),
        ),
        *incident(
            "MISSED", ("incident.occurred", "2024-09-30T10:00"), ("incident.closed", "2024-10-02T00:00")
        ),
    )
    result = engine.evaluate(evs, end_of("2024-10-06"))
    assert judged(result) == [
        ("I", "late", "2024-10-02 24:00", "1d"),
        ("I", "overdue", "2024-10-04 24:00", "2d"),
        ("MISSED", "gap_exceeded", "2024-10-01 24:00", "1d"),
    ]
    late, overdue, missed = result.findings
    assert "2024-10-01 23:59 发布权威信息之后的下一次发布权威信息（间隔2日）" in late.message
    assert late.trigger.id == "e2" and late.fulfilment.id == "e3"
    assert overdue.trigger.id == "e3"
    assert "至2024-10-02 00:00 突发事件处置结束仍未发生（已间隔2日，超出1日）" in missed.message


def test_a_gap_rolls_over_national_day_when_the_rule_rolls(tmp_path):
    """The same obligation with the default counting: the last day 10-01 is a holiday, so it rolls to the first
    working day after the holiday, 10-08 (民法典第二百零三条); the release of 10-08 is on time, 10-09's late."""
    engine = engine_for(tmp_path, INCIDENT)
    evs = events(
        *incident(
            "R",
            ("incident.occurred", "2024-09-30T10:00"),
            ("info.released", "2024-10-08T20:00"),
            ("incident.closed", "2024-10-09T12:00"),
            rolled="是",
        ),
        *incident(
            "S",
            ("incident.occurred", "2024-09-30T10:00"),
            ("info.released", "2024-10-09T08:00"),
            ("incident.closed", "2024-10-09T12:00"),
            rolled="是",
        ),
    )
    found = [
        f for f in engine.evaluate(evs, end_of("2024-10-09")).findings if f.rule == "keep-informing-rolled"
    ]
    assert judged(type("R", (), {"findings": found})) == [("S", "late", "2024-10-08 24:00", "1d")]


def test_an_open_state_warns_before_its_gap_runs_out(tmp_path):
    """Every 7 days, no roll: released 10-08 10:00, the next is due by 10-15 24:00. Warned within 2 working days:
    as of 10-11 three are left (10-12, a Saturday worked under the National Day notice, 10-14, 10-15): quiet;
    as of 10-12 two are left: due soon; as of 10-16: overdue by 1 day."""
    engine = engine_for(tmp_path, INCIDENT.replace("every: 1d\n    counting", "every: 7d\n    counting"))
    evs = events(
        *incident("W", ("incident.occurred", "2024-10-07T10:00"), ("info.released", "2024-10-08T10:00"))
    )
    assert judged(engine.evaluate(evs, end_of("2024-10-11"))) == []
    assert judged(engine.evaluate(evs, end_of("2024-10-12"))) == [("W", "due_soon", "2024-10-15 24:00", None)]
    assert judged(engine.evaluate(evs, end_of("2024-10-16"))) == [("W", "overdue", "2024-10-15 24:00", "1d")]


def test_hours_run_round_the_clock(tmp_path):
    """Every 24 hours: a release 23 h 59 min after the previous is in time; one 24 hours after comes at the due
    instant, which a deadline in hours does not include (engine/evaluate/verdict.py: done before the due
    instant), so it is late."""
    engine = engine_for(tmp_path, INCIDENT.replace("every: 1d\n    counting: {roll: false}", "every: 24h"))
    evs = events(
        *incident(
            "H",
            ("incident.occurred", "2024-10-01T10:00"),
            ("info.released", "2024-10-02T09:59"),
            ("info.released", "2024-10-03T09:59"),
            ("incident.closed", "2024-10-03T12:00"),
        )
    )
    assert judged(engine.evaluate(evs, end_of("2024-10-05"))) == [("H", "late", "2024-10-03 09:59", "1h")]


STATISTICS = f"""\
pack: t
event_types: {{statistics.updated: 统计数据更新}}
rules:
  - id: statistics
    kind: recurrence
    title: 定期更新统计数据
    {SOURCE}
    effective: {{from: 2021-06-14, to: 2021-12-31}}
    applies_to: {{body: 测试局}}
    event: statistics.updated
    every: 1m
"""


def test_over_a_period_each_body_from_the_first_day(tmp_path):
    """Every month from 2021-06-14 (00:00): due 07-14 24:00; updated 07-14 15:00, on time; the next is due
    08-14, a Saturday, rolled to Monday 08-16 (民法典第二百零三条): updated 08-16, on time; the next is due 09-16
    24:00: none by 2021-12-31 (overdue by 106 days); once the plan's dates are over (2021-12-31 24:00) the
    gap is exceeded, and a later update is not judged. A body of another scope, none."""
    engine = engine_for(tmp_path, STATISTICS)
    evs = events(
        {"type": "document.issued", "subject": "D", "time": "2021-03-01T10:00"},
        {"type": "statistics.updated", "subject": "S1", "time": "2021-07-14T15:00"},
        {"type": "statistics.updated", "subject": "S2", "time": "2021-08-16T10:00"},
        {"type": "statistics.updated", "subject": "S3", "time": "2022-01-05T10:00"},
    )
    evs += events({"type": "document.issued", "subject": "D", "time": "2021-03-01T10:00"}, body="另一局")
    assert judged(engine.evaluate(evs, end_of("2021-12-31"))) == [
        ("测试局", "overdue", "2021-09-16 24:00", "106d")
    ]
    after = engine.evaluate(evs, end_of("2022-01-10")).findings
    assert judged(type("R", (), {"findings": after})) == [
        ("测试局", "gap_exceeded", "2021-09-16 24:00", "106d")
    ]
    assert "2021-08-16 10:00 统计数据更新之后" in after[0].message


def test_a_body_first_seen_later_counts_from_that_day(tmp_path):
    """A log that starts on 2021-09-01 says nothing before it: the first update is due a month later, 10-01,
    a National Day holiday (2021: 10-01..10-07 off, 国办发明电〔2020〕27号), rolled to 10-08."""
    engine = engine_for(tmp_path, STATISTICS)
    evs = events({"type": "document.issued", "subject": "D", "time": "2021-09-01T10:00"})
    assert judged(engine.evaluate(evs, end_of("2021-10-09"))) == [
        ("测试局", "overdue", "2021-10-08 24:00", "1d")
    ]


def test_rule_file_mistakes_are_located(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"""\
pack: t
rules:
  - id: o
    kind: order
    title: 先审查、后公开
    {SOURCE}
    first: document.published
    then: document.published
  - id: r
    kind: recurrence
    title: 持续发布
    {SOURCE}
    close: incident.occurred
    event: info.released
    every: 1周
""",
        encoding="utf-8",
    )
    with pytest.raises(RuleLoadError) as err:
        load_rules([bad])
    first, every = err.value.errors
    assert first.line == 3 and "规则 'o'：first 与 then 是同一事件类型 document.published" in first.message
    assert (every.field, every.line, every.code, every.suggestion) == ("every", 15, "bad-period", "7d")
    bad.write_text(bad.read_text(encoding="utf-8").replace("1周", "7d"), encoding="utf-8")
    with pytest.raises(RuleLoadError) as err:
        load_rules([bad])
    assert any(e.line == 9 and "写了 close（结束事件）就要写 open" in e.message for e in err.value.errors)


WEEKLY = f"""\
pack: t
rules:
  - id: weekly
    kind: count
    title: 每周至少召开1次例会
    {SOURCE}
    event: public_attendance.held
    at_least: 1
    per: week
"""


def test_count_per_week_runs_monday_to_sunday(tmp_path):
    """Weeks of 2024 around National Day: W39 is 09-23..09-29, W40 09-30..10-06 (the holiday week), W41
    10-07..10-13. A meeting on Sun 09-29 (a make-up working day) counts for W39, none in W40 (below count,
    judged at 10-06 24:00), one on Sat 10-12 for W41. As of Sun 10-13 noon, W41 is met already."""
    engine = engine_for(tmp_path, WEEKLY)
    evs = events(
        {"type": "public_attendance.held", "subject": "M1", "time": "2024-09-29T10:00"},
        {"type": "public_attendance.held", "subject": "M2", "time": "2024-10-12T10:00"},
    )
    found = engine.evaluate(evs, end_of("2024-10-13")).findings
    assert [(f.subject, f.status, f.period, f.deadline_text) for f in found] == [
        ("测试局/2024-W40", "below_count", "2024-W40", "2024-10-06 24:00")
    ]
    assert "统计期间 2024-09-30 至 2024-10-06" in found[0].explanation[0]


def test_a_planned_publication_without_its_review_is_flagged_before_it_goes_live():
    """The pre-publication check applies order rules: 上海市司法局 planning to publish without a 保密审查 gets
    `out_of_order` (warning: the plan's own target); sending the review among the subject's events passes."""
    from engine.engine import Engine

    engine = Engine.load()
    plan = {
        "document": {
            "subject": "SH-CMS-1",
            "body": "上海市司法局",
            "department": "办公室",
            "doc_type": "其他文件",
            "disclosure": "主动公开",
        },
        "publish_at": "2024-10-08T10:00",
    }
    result = engine.check(plan)
    assert (result.verdict, [(f.rule, f.status) for f in result.findings]) == (
        "warn",
        [("shanghai-2024.review-before-publish", "out_of_order")],
    )
    reviewed = {
        **plan,
        "events": [
            {"id": "r1", "type": "document.reviewed", "subject": "SH-CMS-1", "time": "2024-10-08T09:00"}
        ],
    }
    assert engine.check(reviewed).findings == []
