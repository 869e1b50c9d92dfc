"""Each kind of obligation and each clock control, on hand-checked holiday dates.

Holiday facts used (State Council notices, as carried by chinese-calendar 1.11.0):
- 2024 国庆节 (国办发明电〔2023〕7号): 10-01..10-07 off; 09-29 (Sun) and 10-12 (Sat) working.
- 2024 中秋节: 09-15..09-17 off; 09-14 (Sat) working.
- 2025 春节 (国办发明电〔2024〕12号): 01-28..02-04 off; 01-26 (Sun), 02-08 (Sat) working.
"""

import pytest
from helpers import REQUEST_RULE, SOURCE, at, end_of, engine_for, events


def statuses(result):
    return [(f.rule, f.subject, f.status, f.deadline_text) for f in result.findings]


def test_interpretation_three_working_days_across_national_day(tmp_path):
    engine = engine_for(
        tmp_path,
        f"""\
        pack: t
        rules:
          - id: interp
            kind: deadline
            title: 3个工作日内解读
            {SOURCE}
            trigger: document.published
            fulfil: interpretation.published
            within: 3wd
        """,
    )
    evs = events(
        {"type": "document.published", "subject": "A", "time": "2024-09-27T10:00"},
        {"type": "interpretation.published", "subject": "A", "time": "2024-10-08T17:00"},
        {"type": "document.published", "subject": "B", "time": "2024-09-27T10:00"},
        {"type": "interpretation.published", "subject": "B", "time": "2024-10-09T09:00"},
        {"type": "document.published", "subject": "C", "time": "2024-09-27T10:00"},
    )
    result = engine.evaluate(evs, end_of("2024-10-10"))
    # A: on time (due 10-08 24:00). B: one working day late. C: overdue since 10-09.
    assert statuses(result) == [
        ("interp", "B", "late", "2024-10-08 24:00"),
        ("interp", "C", "overdue", "2024-10-08 24:00"),
    ]
    assert result.findings[0].overdue_by == "1wd"
    assert result.findings[1].overdue_by == "2wd"  # 10-09 and 10-10 have passed
    assert "  2024-09-29 周日，国庆节调休上班 → 第1个工作日" in result.findings[1].explanation


def test_due_soon_inside_the_warning_window(tmp_path):
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events({"type": "request.received", "subject": "R", "time": "2024-09-27T16:00"})
    # 20 wd from 09-27: 09-29, 09-30, 10-08..10-11, 10-12 (Sat, make-up), 10-14..18, 10-21..25, 10-28..30
    # -> 10-30. Two working days before it (10-29, 10-30 left) it is due soon.
    assert engine.evaluate(evs, end_of("2024-10-27")).findings == []
    soon = engine.evaluate(evs, end_of("2024-10-28")).findings
    assert [(f.status, f.deadline_text) for f in soon] == [("due_soon", "2024-10-30 24:00")]
    late = engine.evaluate(evs, end_of("2024-10-31")).findings
    assert [(f.status, f.overdue_by) for f in late] == [("overdue", "1wd")]


def test_pause_for_third_party_is_not_counted(tmp_path):
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events(
        {"type": "request.received", "subject": "R", "time": "2024-09-27T16:00"},
        {"type": "third_party.consulted", "subject": "R", "time": "2024-10-09T10:00"},
        {"type": "third_party.replied", "subject": "R", "time": "2024-10-16T10:00"},
        {"type": "request.replied", "subject": "R", "time": "2024-11-07T10:00"},
    )
    # pause (10-09, 10-16] = 10-10, 10-11, 10-12 (Sat, make-up), 10-14, 10-15, 10-16: 6 wd -> 26 wd -> 11-07
    assert engine.evaluate(evs, end_of("2024-12-01")).findings == []
    no_pause = [e for e in evs if not e.type.startswith("third_party")]
    found = engine.evaluate(no_pause, end_of("2024-12-01")).findings
    # without the pause: due 10-30; late by 10-31, 11-01, 11-04..07 = 6 wd
    assert [(f.status, f.deadline_text, f.overdue_by) for f in found] == [("late", "2024-10-30 24:00", "6wd")]


def test_open_pause_at_as_of_is_not_overdue(tmp_path):
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events(
        {"type": "request.received", "subject": "R", "time": "2024-09-27T16:00"},
        {"type": "third_party.consulted", "subject": "R", "time": "2024-10-09T10:00"},
    )
    assert engine.evaluate(evs, end_of("2024-12-31")).findings == []


def test_a_pause_after_the_deadline_does_not_pause(tmp_path):
    """Received Mon 2024-09-02: 20 wd are 09-03..06 (4), 09-09..14 (10, 09-14 Sat make-up), 09-18..20 (13),
    09-23..27 (18), 09-29 Sun make-up (19), 09-30 (20): due 2024-09-30 24:00, i.e. 10-01 00:00.
    A consultation begun at that instant comes too late to stop the clock; one begun an hour before does."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events(
        {"type": "request.received", "subject": "LATE", "time": "2024-09-02T10:00"},
        {"type": "third_party.consulted", "subject": "LATE", "time": "2024-10-01T00:00"},
        {"type": "request.received", "subject": "INTIME", "time": "2024-09-02T10:00"},
        {"type": "third_party.consulted", "subject": "INTIME", "time": "2024-09-30T23:00"},
    )
    found = engine.evaluate(evs, end_of("2024-10-08")).findings
    assert [(f.subject, f.status, f.deadline_text) for f in found] == [
        ("LATE", "overdue", "2024-09-30 24:00")
    ]
    assert any("不予暂停：期限已届满" in step for step in found[0].explanation)


def test_restart_after_supplement(tmp_path):
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events(
        {"type": "request.received", "subject": "R", "time": "2024-09-02T09:00"},
        {"type": "supplement.requested", "subject": "R", "time": "2024-09-05T09:00"},
        {"type": "supplement.received", "subject": "R", "time": "2024-09-27T15:00"},
        {"type": "request.replied", "subject": "R", "time": "2024-10-30T09:00"},
    )
    # restarted at 09-27: 20 wd -> 10-30, so a reply on 10-30 is on time (from 09-02 it would be late)
    assert engine.evaluate(evs, end_of("2024-11-30")).findings == []
    without_restart = [evs[0], evs[3]]
    found = engine.evaluate(without_restart, end_of("2024-11-30")).findings
    assert [f.status for f in found] == ["late"]


def test_extension_adds_at_most_twenty_working_days_once(tmp_path):
    engine = engine_for(tmp_path, REQUEST_RULE)
    base = [{"type": "request.received", "subject": "R", "time": "2024-09-27T16:00"}]
    ext = {"type": "extension.approved", "subject": "R", "time": "2024-10-25T09:00"}
    # 20 wd -> 10-30; + 20 wd (10-31, 11-01, 11-04..08, 11-11..15, 11-18..22, 11-25..27) -> 11-27
    evs = events(*base, ext, {"type": "request.replied", "subject": "R", "time": "2024-11-27T17:00"})
    assert engine.evaluate(evs, end_of("2024-12-31")).findings == []
    # asking for 25 is capped at 20: a reply on 11-28 is one working day late
    evs = events(
        *base, {**ext, "days": 25}, {"type": "request.replied", "subject": "R", "time": "2024-11-28T10:00"}
    )
    found = engine.evaluate(evs, end_of("2024-12-31")).findings
    assert [(f.status, f.deadline_text, f.overdue_by) for f in found] == [("late", "2024-11-27 24:00", "1wd")]
    assert any("超过上限" in step for step in found[0].explanation)
    # a second extension is not counted
    evs = events(
        *base,
        ext,
        {**ext, "time": "2024-11-20T09:00"},
        {"type": "request.replied", "subject": "R", "time": "2024-12-20T10:00"},
    )
    found = engine.evaluate(evs, end_of("2024-12-31")).findings
    assert [(f.status, f.deadline_text) for f in found] == [("late", "2024-11-27 24:00")]


def test_seven_days_roll_and_no_roll(tmp_path):
    body = f"""\
        pack: t
        rules:
          - id: publish
            kind: deadline
            title: 印发后7日内公开
            {SOURCE}
            trigger: document.issued
            fulfil: document.published
            within: 7d
          - id: publish-noroll
            kind: deadline
            title: 印发后7日内公开（不顺延）
            {SOURCE}
            trigger: document.issued
            fulfil: document.published
            within: 7d
            counting: {{roll: false}}
        """
    engine = engine_for(tmp_path, body)
    evs = events(
        {"type": "document.issued", "subject": "D", "time": "2024-09-24T09:00"},
        {"type": "document.published", "subject": "D", "time": "2024-10-08T09:00"},
    )
    # 09-24 + 7 = 10-01 (国庆节) -> rolls to 10-08: on time; without roll: late by 7 days
    found = engine.evaluate(evs, end_of("2024-10-31")).findings
    assert [(f.rule, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("publish-noroll", "late", "2024-10-01 24:00", "7d")
    ]


def test_hours_deadline_and_applies_to(tmp_path):
    engine = engine_for(
        tmp_path,
        f"""\
        pack: t
        rules:
          - id: five-hours
            kind: deadline
            title: 5小时内发布权威信息
            {SOURCE}
            applies_to: {{level: [特别重大, 重大]}}
            trigger: incident.occurred
            fulfil: info.released
            within: 5h
        """,
    )
    evs = events(
        {"type": "incident.occurred", "subject": "I1", "time": "2025-01-29T22:00", "level": "重大"},
        {"type": "info.released", "subject": "I1", "time": "2025-01-30T03:30"},
        {"type": "incident.occurred", "subject": "I2", "time": "2025-01-29T22:00", "level": "一般"},
    )
    found = engine.evaluate(evs, at("2025-01-30T12:00")).findings
    # 22:00 + 5 h = 03:00 the next day, a Spring Festival holiday: hours run anyway; 30 minutes late -> 1 h
    assert [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("I1", "late", "2025-01-30 03:00", "1h")
    ]


def test_same_day_interpretation_published_first_counts(tmp_path):
    engine = engine_for(
        tmp_path,
        f"""\
        pack: t
        rules:
          - id: sync
            kind: deadline
            title: 解读与政策文件同步发布
            {SOURCE}
            trigger: document.published
            fulfil: interpretation.published
            fulfil_link: policy
            within: 0d
            counting: {{roll: false}}
        """,
    )
    evs = events(
        {"type": "interpretation.published", "subject": "J1", "policy": "D1", "time": "2024-05-06T09:00"},
        {"type": "document.published", "subject": "D1", "time": "2024-05-06T09:05"},
        {"type": "document.published", "subject": "D2", "time": "2024-05-06T09:00"},
        {"type": "interpretation.published", "subject": "J2", "policy": "D2", "time": "2024-05-07T09:00"},
    )
    found = engine.evaluate(evs, end_of("2024-05-31")).findings
    assert [(f.subject, f.status, f.deadline_text) for f in found] == [("D2", "late", "2024-05-06 24:00")]


def test_effective_dates_pick_the_version_in_force(tmp_path):
    engine = engine_for(
        tmp_path,
        f"""\
        pack: t
        rules:
          - id: reply
            kind: deadline
            title: 15个工作日内答复（2008）
            {SOURCE}
            effective: {{from: 2008-05-01, to: 2019-05-14}}
            trigger: request.received
            fulfil: request.replied
            within: 15wd
          - id: reply
            kind: deadline
            title: 20个工作日内答复（2019）
            {SOURCE}
            effective: {{from: 2019-05-15}}
            trigger: request.received
            fulfil: request.replied
            within: 20wd
        """,
    )
    evs = events(
        {"type": "request.received", "subject": "OLD", "time": "2019-05-06T09:00"},
        {"type": "request.received", "subject": "NEW", "time": "2019-05-20T09:00"},
    )
    found = {f.subject: f for f in engine.evaluate(evs, end_of("2019-12-31")).findings}
    # 2019-05-06 + 15 wd (no holiday in between; 05-01..05-04 is before) -> 05-27
    assert found["OLD"].title.endswith("（2008）") and found["OLD"].deadline_text == "2019-05-27 24:00"
    # 2019-05-20 + 20 wd: 端午节 2019-06-07 off -> 06-18
    assert found["NEW"].title.endswith("（2019）") and found["NEW"].deadline_text == "2019-06-18 24:00"


def test_minimum_span(tmp_path):
    engine = engine_for(
        tmp_path,
        f"""\
        pack: t
        rules:
          - id: comment
            kind: min_span
            title: 征求意见期限不少于30日
            {SOURCE}
            start: consultation.opened
            end: consultation.closed
            at_least: 30d
        """,
    )
    evs = events(
        {"type": "consultation.opened", "subject": "C1", "time": "2024-03-01"},
        {"type": "consultation.closed", "subject": "C1", "time": "2024-03-31"},
        {"type": "consultation.opened", "subject": "C2", "time": "2024-03-01"},
        {"type": "consultation.closed", "subject": "C2", "time": "2024-03-30"},
    )
    found = engine.evaluate(evs, end_of("2024-04-30")).findings
    # 2024-03-01 + 30 days = 03-31 (a Sunday: a minimum span does not roll)
    assert [(f.subject, f.status) for f in found] == [("C2", "short")]
    assert "仅29日" in found[0].message


def test_count_per_year_with_due_soon(tmp_path):
    engine = engine_for(
        tmp_path,
        f"""\
        pack: t
        rules:
          - id: interviews
            kind: count
            title: 每年至少开展4次在线访谈
            {SOURCE}
            applies_to: {{body: 测试局}}
            effective: {{from: 2018-01-01, to: 2018-12-31}}
            event: interview.held
            at_least: 4
            per: year
            warn_within: 30d
        """,
    )
    evs = events(
        *[{"type": "interview.held", "subject": f"I{m}", "time": f"2018-0{m}-10"} for m in (3, 6, 9)]
    )
    assert engine.evaluate(evs, end_of("2018-11-01")).findings == []
    soon = engine.evaluate(evs, end_of("2018-12-05")).findings
    assert [(f.subject, f.status, f.period) for f in soon] == [("测试局/2018", "due_soon", "2018")]
    after = engine.evaluate(evs, end_of("2019-01-05")).findings
    assert [(f.status, f.deadline_text) for f in after] == [("below_count", "2018-12-31 24:00")]
    enough = events(
        *[{"type": "interview.held", "subject": f"I{m}", "time": f"2018-0{m}-10"} for m in (3, 4, 6, 9)]
    )
    assert engine.evaluate(enough, end_of("2019-01-05")).findings == []


def test_annual_report_due_by_with_versions(tmp_path):
    engine = engine_for(
        tmp_path,
        f"""\
        pack: t
        rules:
          - id: annual
            kind: due_by
            title: 年度报告3月31日前（2008）
            {SOURCE}
            effective: {{from: 2008-05-01, to: 2019-05-14}}
            event: annual_report.published
            due: {{month: 3, day: 31}}
          - id: annual
            kind: due_by
            title: 年度报告1月31日前（2019）
            {SOURCE}
            effective: {{from: 2019-05-15}}
            event: annual_report.published
            due: {{month: 1, day: 31}}
        """,
    )
    # seed 001: the 2018 report, published 2019-02-28, on time under the 2008 version (by 2019-03-31)
    evs = events(
        {"type": "annual_report.published", "subject": "AR2018", "time": "2019-02-28", "year": 2018},
        {"type": "annual_report.published", "subject": "AR2019", "time": "2020-02-28", "year": 2019},
    )
    found = engine.evaluate(evs, end_of("2020-06-30")).findings
    # the same date for the 2019 report is late under the 2019 version (by 2020-01-31)
    assert [(f.period, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("2019", "late", "2020-01-31 24:00", "28d")
    ]


def test_required_fields_and_links(tmp_path):
    engine = engine_for(
        tmp_path,
        f"""\
        pack: t
        rules:
          - id: fields
            kind: required_fields
            title: 政策文件须标注文号、成文日期、发布日期、有效性
            {SOURCE}
            event: document.published
            fields: [文号, 成文日期, 发布日期, 有效性]
          - id: link
            kind: required_fields
            title: 解读须关联政策文件
            {SOURCE}
            event: interpretation.published
            link: {{field: policy, to: document.published}}
        """,
    )
    evs = events(
        {
            "type": "document.published",
            "subject": "D1",
            "time": "2024-05-06",
            "文号": "X〔2024〕1号",
            "成文日期": "2024-05-01",
            "发布日期": "2024-05-06",
            "有效性": "有效",
        },
        {"type": "document.published", "subject": "D2", "time": "2024-05-06", "文号": "X〔2024〕2号"},
        {"type": "interpretation.published", "subject": "J1", "time": "2024-05-07", "policy": "D1"},
        {"type": "interpretation.published", "subject": "J2", "time": "2024-05-07", "policy": "D9"},
        {"type": "interpretation.published", "subject": "J3", "time": "2024-05-07"},
    )
    found = engine.evaluate(evs, end_of("2024-05-31")).findings
    assert [(f.rule, f.subject, f.status) for f in found] == [
        ("fields", "D2", "missing_fields"),
        ("link", "J2", "unlinked"),
        ("link", "J3", "unlinked"),
    ]
    assert "成文日期、发布日期、有效性" in found[0].message


def test_task_list(tmp_path):
    engine = engine_for(
        tmp_path,
        f"""\
        pack: t
        rules:
          - id: plan
            kind: task_list
            title: 2018年政务公开工作要点任务
            {SOURCE}
            body: 测试局
            tasks:
              - {{id: T1, item: "1", title: 任务一, lead: [办公室], due: 2018-02-28, phrase: 2月底}}
              - {{id: T2, item: "2", title: 任务二, lead: [法规处], due: 2018-03-20, phrase: 3月中旬}}
              - {{id: T3, item: "3", title: 任务三, lead: [宣传处], phrase: 按期}}
        """,
    )
    evs = events({"type": "task.completed", "subject": "T1", "time": "2018-03-01"})
    found = engine.evaluate(evs, end_of("2018-04-01")).findings
    assert [(f.subject, f.status, f.department, f.deadline_text) for f in found] == [
        ("T1", "late", "办公室", "2018-02-28 24:00"),
        ("T2", "overdue", "法规处", "2018-03-20 24:00"),
    ]


def test_uncovered_year_is_undetermined_only_inside_the_range(tmp_path):
    # 2026-12-21 + 20wd: 8 working days left in 2026 (chinese-calendar), then 2027, whose schedule is not
    # published: 元旦 2027-01-01 is a statutory day (国务院令第795号); 01-02/03 may be make-up days. The 20th
    # working day is 2027-01-15 at the earliest (both worked) and 2027-01-19 at the latest (4-8, 11-15, 18-19).
    engine = engine_for(tmp_path, REQUEST_RULE)
    received = {"type": "request.received", "subject": "R", "time": "2026-12-21T09:00"}
    assert engine.evaluate(events(received), end_of("2026-12-31")).findings == []  # certainly not yet due
    inside = engine.evaluate(
        events(received, {"type": "request.replied", "subject": "R", "time": "2027-01-17"}),
        end_of("2027-01-31"),
    ).findings
    assert [(f.status, f.deadline_text, f.awaits_year) for f in inside] == [
        ("undetermined", "2027-01-15 24:00 至 2027-01-19 24:00", 2027)
    ]
    assert "2027" in inside[0].message and "import-notice" in inside[0].message
    before = events(received, {"type": "request.replied", "subject": "R", "time": "2027-01-15T23:00"})
    assert engine.evaluate(before, end_of("2027-01-31")).findings == []  # on time by the earliest deadline
    after = events(received, {"type": "request.replied", "subject": "R", "time": "2027-01-20T00:00"})
    late = engine.evaluate(after, end_of("2027-01-31")).findings
    assert [(f.status, f.deadline_text) for f in late] == [("late", "2027-01-15 24:00 至 2027-01-19 24:00")]
    assert "所需年份的调休安排尚未公布" in late[0].explanation[0]
    assert [f.status for f in engine.evaluate(events(received), end_of("2027-01-19")).findings] == [
        "undetermined"
    ]
    assert [f.status for f in engine.evaluate(events(received), end_of("2027-01-20")).findings] == ["overdue"]


def test_beyond_the_bounded_years_stays_undetermined(tmp_path):
    engine = engine_for(tmp_path, REQUEST_RULE)
    # needs 2028 and 2029: two unpublished years are bounded (2027, 2028), 2029 is not, so no range at all
    evs = events({"type": "request.received", "subject": "R", "time": "2028-12-20T09:00"})
    found = engine.evaluate(evs, end_of("2029-03-01")).findings
    assert [(f.status, f.awaits_year, f.deadline_text) for f in found] == [("undetermined", 2028, "? 至 ?")]


@pytest.mark.parametrize("fmt", ["2024-10-08", "2024-10-08T09:00"])
def test_date_only_and_timed_fulfilment_on_the_last_day(tmp_path, fmt):
    engine = engine_for(tmp_path, REQUEST_RULE.replace("20wd", "3wd"))
    evs = events(
        {"type": "request.received", "subject": "R", "time": "2024-09-27T16:00"},
        {"type": "request.replied", "subject": "R", "time": fmt},
    )
    assert engine.evaluate(evs, end_of("2024-12-31")).findings == []
