"""Each clock control at its boundary, hand-checked, through the one pipeline (engine/pipeline.py).

条例 (2019) 第三十三条: reply within 20 working days of receipt; third-party consultation is not counted;
an extension of at most 20 working days. 第三十条: after 补正 the period runs from the supplement's receipt.
Holidays (国务院办公厅关于2024年部分节假日安排的通知, 国办发明电〔2023〕7号): 中秋 09-15..17 off, 09-14 (Sat)
worked; 国庆 10-01..10-07 off, 09-29 (Sun) and 10-12 (Sat) worked.

Received Mon 2024-09-02: the 20 working days are 09-03..06 (4), 09-09..13 (9), 09-14 Sat (10), 09-18..20 (13),
09-23..27 (18), 09-29 Sun (19), 09-30 (20): due 2024-09-30 24:00, the instant 2024-10-01 00:00.
Received Fri 2024-09-27: 09-29 Sun (1), 09-30 (2), 10-08..11 (6), 10-12 Sat (7), 10-14..18 (12), 10-21..25 (17),
10-28..30 (20): due 2024-10-30 24:00.
"""

import pytest
from helpers import REQUEST_RULE, at, end_of, engine_for, events, write_rules

from engine.calendar import load_calendar
from engine.evaluate.clock import Mark, run_clock
from engine.ruleset.loader import load_rules


def judged(engine, evs, as_of):
    return [
        (f.subject, f.status, f.deadline_text, f.overdue_by)
        for f in engine.evaluate(evs, end_of(as_of)).findings
    ]


def request(subject, received, *steps, replied=None):
    out = [{"type": "request.received", "subject": subject, "time": received}]
    out += [
        {"type": kind, "subject": subject, "time": time, **extra}
        for kind, time, *rest in steps
        for extra in [rest[0] if rest else {}]
    ]
    if replied:
        out.append({"type": "request.replied", "subject": subject, "time": replied})
    return out


def test_a_pause_beginning_exactly_at_the_deadline_does_not_pause(tmp_path):
    """Due 2024-10-01 00:00. Consulting a third party at that very instant comes too late (the period has run
    out), so the reply of 10-09 is late by 10-08 and 10-09: 2 working days. A consultation begun one minute
    earlier pauses the clock from 09-30 through 10-09 (the working days after the pause's first day through
    its last: 10-08, 10-09), so the deadline moves to 10-09 24:00 and the same reply is on time."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events(
        *request(
            "AT",
            "2024-09-02T10:00",
            ("third_party.consulted", "2024-10-01T00:00"),
            ("third_party.replied", "2024-10-09T10:00"),
            replied="2024-10-09T15:00",
        ),
        *request(
            "BEFORE",
            "2024-09-02T10:00",
            ("third_party.consulted", "2024-09-30T23:59"),
            ("third_party.replied", "2024-10-09T10:00"),
            replied="2024-10-09T15:00",
        ),
        *request(
            "BEFORE-LATE",
            "2024-09-02T10:00",
            ("third_party.consulted", "2024-09-30T23:59"),
            ("third_party.replied", "2024-10-09T10:00"),
            replied="2024-10-10T09:00",
        ),
    )
    found = engine.evaluate(evs, end_of("2024-12-31")).findings
    assert [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("AT", "late", "2024-09-30 24:00", "2wd"),
        ("BEFORE-LATE", "late", "2024-10-09 24:00", "1wd"),
    ]
    assert any("不予暂停：期限已届满" in step for step in found[0].explanation)


def test_a_resumption_at_midnight_belongs_to_the_new_day(tmp_path):
    """Received 09-27 (due 10-30), third party consulted 10-09 10:00. The days not counted are the working days
    after the pause's first day through the day it ends (as the start day of a period is not counted, 民法典第
    二百零一条). Resumed at 10-16 00:00 (24:00 of 10-15): 10-10, 10-11, 10-12 (Sat, worked), 10-14, 10-15, 10-16
    = 6, due 10-30 + 6 working days (10-31, 11-01, 11-04..07) = 11-07 24:00. Resumed a minute earlier,
    10-15 23:59: 5 days, due 11-06 24:00, and a reply on 11-07 is a working day late."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events(
        *request(
            "MIDNIGHT",
            "2024-09-27T16:00",
            ("third_party.consulted", "2024-10-09T10:00"),
            ("third_party.replied", "2024-10-16T00:00"),
            replied="2024-11-07T10:00",
        ),
        *request(
            "MIDNIGHT-LATE",
            "2024-09-27T16:00",
            ("third_party.consulted", "2024-10-09T10:00"),
            ("third_party.replied", "2024-10-16T00:00"),
            replied="2024-11-08T09:00",
        ),
        *request(
            "EVENING",
            "2024-09-27T16:00",
            ("third_party.consulted", "2024-10-09T10:00"),
            ("third_party.replied", "2024-10-15T23:59"),
            replied="2024-11-07T10:00",
        ),
    )
    assert judged(engine, evs, "2024-12-31") == [
        ("EVENING", "late", "2024-11-06 24:00", "1wd"),
        ("MIDNIGHT-LATE", "late", "2024-11-07 24:00", "1wd"),
    ]


def test_a_restart_on_the_last_day_counts_twenty_working_days_afresh(tmp_path):
    """Received 09-02 (due 09-30 24:00); 补正 requested 09-05, received on the last day, 09-30 15:00: the 20
    working days run from 09-30: 10-08..11 (4), 10-12 Sat (5), 10-14..18 (10), 10-21..25 (15), 10-28..11-01
    (20): due 11-01 24:00. A reply on 11-01 is on time, one on 11-04 a working day late; none by 11-04 is
    overdue by one working day (11-04)."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    steps = [("supplement.requested", "2024-09-05T09:00"), ("supplement.received", "2024-09-30T15:00")]
    evs = events(
        *request("ON-TIME", "2024-09-02T09:00", *steps, replied="2024-11-01T17:00"),
        *request("LATE", "2024-09-02T09:00", *steps, replied="2024-11-04T09:00"),
        *request("OPEN", "2024-09-02T09:00", *steps),
    )
    assert judged(engine, evs, "2024-11-04") == [
        ("LATE", "late", "2024-11-01 24:00", "1wd"),
        ("OPEN", "overdue", "2024-11-01 24:00", "1wd"),
    ]
    # without the restart the same reply is a month late
    assert judged(
        engine, events(*request("X", "2024-09-02T09:00", replied="2024-11-01T17:00")), "2024-12-31"
    ) == [("X", "late", "2024-09-30 24:00", "20wd")]


@pytest.mark.parametrize("asked", [{}, {"days": 20}, {"days": "20"}])
def test_an_extension_approved_on_the_last_day_adds_twenty_working_days(tmp_path, asked):
    """Received 09-27 (due 10-30 24:00); extension approved 10-30 17:00, the last day, for at most 20 working
    days: 10-31, 11-01, 11-04..08, 11-11..15, 11-18..22, 11-25..27 = 20, due 11-27 24:00. A reply on 11-27 is
    on time, one on 11-28 a working day late; open on 11-28, the request is overdue by one."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    step = ("extension.approved", "2024-10-30T17:00", asked)
    evs = events(
        *request("ON-TIME", "2024-09-27T16:00", step, replied="2024-11-27T17:00"),
        *request("LATE", "2024-09-27T16:00", step, replied="2024-11-28T10:00"),
        *request("OPEN", "2024-09-27T16:00", step),
    )
    assert judged(engine, evs, "2024-11-28") == [
        ("LATE", "late", "2024-11-27 24:00", "1wd"),
        ("OPEN", "overdue", "2024-11-27 24:00", "1wd"),
    ]


# 条例 (2019) 第三十二条: the third party has 15 working days from receiving the consultation letter; 第三十三条
# excludes only the time the consultation needs, so the pause counts at most 15 working days (rules' `max`).
CAPPED_RULE = REQUEST_RULE.replace("resume: third_party.replied}", "resume: third_party.replied, max: 15wd}")


def test_a_third_party_pause_ends_by_itself_after_fifteen_working_days(tmp_path):
    """Received Mon 2024-09-02 (due 09-30 24:00); third party consulted Tue 09-10 10:00 (deemed received that
    day, not counted). Its 15 working days: 09-11..13 (3), 09-14 Sat worked (4), 中秋 09-15..17 off, 09-18..20 (7),
    09-23..27 (12), 09-29 Sun worked (13), 09-30 (14), 国庆 10-01..07 off, 10-08 (15): the pause ends by itself at
    10-08 24:00 and at most those 15 are not counted. The 14 working days left after 09-10 (09-03..06, 09-09,
    09-10 used 6 of 20) run 10-09..11 (3), 10-12 Sat (4), 10-14..18 (9), 10-21..25 (14): due 10-25 24:00.
    A reply from the third party at 10-08 23:59 changes nothing; one at 10-09 00:00 is past the cap (without
    the cap, 10-09 would not be counted either and the deadline would be 10-28). Open and silent at 10-28:
    overdue by one working day (10-28), where it used to say 计时暂停中 forever."""
    engine = engine_for(tmp_path, CAPPED_RULE)
    consult = ("third_party.consulted", "2024-09-10T10:00")
    evs = events(
        *request(
            "IN-TIME",
            "2024-09-02T10:00",
            consult,
            ("third_party.replied", "2024-10-08T23:59"),
            replied="2024-10-28T09:00",
        ),
        *request(
            "MIDNIGHT",
            "2024-09-02T10:00",
            consult,
            ("third_party.replied", "2024-10-09T00:00"),
            replied="2024-10-28T09:00",
        ),
        *request(
            "ON-TIME",
            "2024-09-02T10:00",
            consult,
            ("third_party.replied", "2024-10-09T00:00"),
            replied="2024-10-25T17:00",
        ),
        *request("SILENT", "2024-09-02T10:00", consult),
    )
    found = engine.evaluate(evs, end_of("2024-10-28")).findings
    assert [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("IN-TIME", "late", "2024-10-25 24:00", "1wd"),
        ("MIDNIGHT", "late", "2024-10-25 24:00", "1wd"),
        ("SILENT", "overdue", "2024-10-25 24:00", "1wd"),
    ]
    assert any("自动恢复计时" in step for step in found[2].explanation)
    assert any(
        "暂停 2024-09-10 至 2024-10-08" in step and "不计 15 个工作日" in step
        for step in found[2].explanation
    )
    # the same log with the rule uncapped: MIDNIGHT's pause runs through 10-09 (16 days), due 10-28, on time
    (tmp_path / "plain").mkdir()
    assert judged(engine_for(tmp_path / "plain", REQUEST_RULE), evs[4:8], "2024-10-28") == []


def test_a_silent_third_party_still_pauses_the_clock_until_its_fifteenth_day(tmp_path):
    """The same request as of 10-08 (the 15th working day of the third party): still paused, no finding; as of
    10-24 (the clock ran again from 10-09; due 10-25): due soon, one working day (10-25) left."""
    engine = engine_for(tmp_path, CAPPED_RULE)
    evs = events(*request("SILENT", "2024-09-02T10:00", ("third_party.consulted", "2024-09-10T10:00")))
    assert judged(engine, evs, "2024-10-08") == []
    assert judged(engine, evs, "2024-10-24") == [("SILENT", "due_soon", "2024-10-25 24:00", None)]


def test_an_extension_approved_at_the_deadline_instant_is_late_and_a_finding(tmp_path):
    """Received 09-02, due 09-30 24:00 (the instant 10-01 00:00). An extension approved at 09-30 23:59 adds 20
    working days: 10-08..11 (4), 10-12 Sat (5), 10-14..18 (10), 10-21..25 (15), 10-28..11-01 (20): due 11-01
    24:00, and a reply on 11-01 is on time. Approved at 10-01 00:00 the period has run out (第三十三条: the
    extension must be approved within it): it does not count, the reply of 11-01 is late by those 20 working
    days, and the extension itself is a finding (逾期延期)."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events(
        *request(
            "LAST-MINUTE",
            "2024-09-02T10:00",
            ("extension.approved", "2024-09-30T23:59"),
            replied="2024-11-01T10:00",
        ),
        *request(
            "AT-DUE",
            "2024-09-02T10:00",
            ("extension.approved", "2024-10-01T00:00"),
            replied="2024-11-01T10:00",
        ),
        *request(
            "AT-DUE-SOONER",
            "2024-09-02T10:00",
            ("extension.approved", "2024-10-01T00:00"),
            replied="2024-10-25T10:00",
        ),
    )
    found = engine.evaluate(evs, end_of("2024-12-31")).findings
    # AT-DUE-SOONER: a reply the extension would have covered is late all the same, by 10-08..11, 10-12 Sat,
    # 10-14..18, 10-21..25 = 15 working days
    assert [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("AT-DUE", "late", "2024-09-30 24:00", "20wd"),
        ("AT-DUE", "late_extension", "2024-09-30 24:00", None),
        ("AT-DUE-SOONER", "late", "2024-09-30 24:00", "15wd"),
        ("AT-DUE-SOONER", "late_extension", "2024-09-30 24:00", None),
    ]
    assert "延期不予计入" in found[1].message and found[1].severity == "error"


def test_an_extension_told_to_the_applicant_after_the_deadline_does_not_count(tmp_path):
    """Extension approved on the last day (09-30 17:00). Told to the applicant at 09-30 23:59: it counts (due
    11-01 24:00, as above). Told at 10-01 00:00, when the original period had run out: it does not count, the
    reply of 10-28 is late by 10-08..11, 10-12 Sat, 10-14..18, 10-21..25, 10-28 = 16 working days. A log that
    does not record the notice at all (no extension.notified) judges the approval alone: on time."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    approved = ("extension.approved", "2024-09-30T17:00")
    evs = events(
        *request(
            "TOLD",
            "2024-09-02T10:00",
            approved,
            ("extension.notified", "2024-09-30T23:59"),
            replied="2024-10-28T10:00",
        ),
        *request(
            "TOLD-LATE",
            "2024-09-02T10:00",
            approved,
            ("extension.notified", "2024-10-01T00:00"),
            replied="2024-10-28T10:00",
        ),
        *request("NOT-LOGGED", "2024-09-02T10:00", approved, replied="2024-10-28T10:00"),
    )
    found = engine.evaluate(evs, end_of("2024-12-31")).findings
    assert [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("TOLD-LATE", "late", "2024-09-30 24:00", "16wd"),
        ("TOLD-LATE", "late_extension", "2024-09-30 24:00", None),
    ]
    assert "才告知申请人" in found[1].message


def test_overdue_from_the_due_instant_itself(tmp_path):
    """Received 09-02, due 09-30 24:00, the instant 2024-10-01 00:00 (a holiday). One second before it the request
    is due soon (no working day left); at the instant itself it is overdue, by one working day although no
    working day has passed since the last day (10-01 is a holiday): a deadline missed within its unit is
    missed by one (verdict.overdue, verdict.at_least_one)."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events(*request("R", "2024-09-02T10:00"))
    before = engine.evaluate(evs, at("2024-09-30T23:59:59")).findings
    assert [(f.status, f.deadline_text) for f in before] == [("due_soon", "2024-09-30 24:00")]
    assert [(f.status, f.overdue_by) for f in engine.evaluate(evs, at("2024-10-01T00:00")).findings] == [
        ("overdue", "1wd")
    ]


def test_an_extension_approved_while_paused_after_the_original_deadline_counts(tmp_path):
    """Received 09-02 (due 09-30 24:00); third party consulted 09-25 and replied 10-15: the working days after
    09-25 through 10-15 are not counted: 09-26, 09-27, 09-29 Sun, 09-30, 10-08..11, 10-12 Sat, 10-14, 10-15 = 11,
    so the period runs to 09-30 + 11 = 10-21 (10-08..11, 10-12, 10-14..18, 10-21). An extension approved on
    10-09, while the clock stood still, came within the period: +20 working days, 10-22..25 (4), 10-28..11-01 (9),
    11-04..08 (14), 11-11..15 (19), 11-18 (20): due 11-18 24:00, so a reply on 11-15 is on time (judging the
    extension against the unpaused 09-30 would call it late by 19 working days)."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events(
        *request(
            "PAUSED",
            "2024-09-02T10:00",
            ("third_party.consulted", "2024-09-25T10:00"),
            ("extension.approved", "2024-10-09T10:00"),
            ("third_party.replied", "2024-10-15T10:00"),
            replied="2024-11-15T10:00",
        ),
        *request(
            "PAUSED-LATE",
            "2024-09-02T10:00",
            ("third_party.consulted", "2024-09-25T10:00"),
            ("extension.approved", "2024-10-09T10:00"),
            ("third_party.replied", "2024-10-15T10:00"),
            replied="2024-11-19T10:00",
        ),
    )
    found = engine.evaluate(evs, end_of("2024-12-31")).findings
    assert [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("PAUSED-LATE", "late", "2024-11-18 24:00", "1wd")
    ]
    # the steps name the pause as it was (resumed, not "尚未恢复") and an extension within the cap without a note
    steps = found[0].explanation
    assert "暂停 2024-09-25 至 2024-10-15（third_party.consulted e7），不计 11 个工作日" in steps
    assert not any("超过上限" in step or "尚未恢复" in step for step in steps)


def test_a_control_whose_deadline_lies_beyond_the_calendar_is_accepted_as_asked(tmp_path):
    """Received 2026-12-10: the 20 working days end in 2027, a year the calendar does not hold yet. Whether a
    consultation on 12-28 came too late cannot be told, so it pauses the clock as asked (the verdict is left to
    the range of possible deadlines, docs/calendar.md), and an extension that day counts."""
    rule = load_rules([write_rules(tmp_path, REQUEST_RULE)]).rules[0].rule
    received, later = at("2026-12-10T10:00"), at("2026-12-28T10:00")
    clock = run_clock(rule, load_calendar(), received, [Mark(later, "third_party.consulted", "c")])
    assert [p.mark.id for p in clock.open] == ["c"] and not clock.notes
    clock = run_clock(rule, load_calendar(), received, [Mark(later, "extension.approved", "x")])
    assert [m.id for m, _ in clock.extensions] == ["x"] and not clock.late_extensions


# Two consultations open at once (条例 (2019) 第三十二条: a third party; 第三十三条第二款: 征求其他机关意见). 第三十三条
# excludes "行政机关征求第三方和其他机关意见所需时间": the time they need, so time during which both are open is
# excluded once (the union of the pauses), never twice, and neither consultation's reply resumes the other.
OVERLAP_RULE = REQUEST_RULE.replace(
    "      - {on: supplement.requested",
    "      - {on: agency.consulted, resume: agency.replied}\n      - {on: supplement.requested",
)


def test_two_consultations_open_at_once_exclude_their_time_once(tmp_path):
    """Received Mon 2024-09-02, due 09-30 24:00.
    OVERLAP: third party consulted 09-10, another organ 09-12, third party replied 09-19, the organ 09-24. Not
    counted: the working days after 09-10 through 09-24, once: 09-11..13 (3), 09-14 Sat worked (4), 中秋 09-15..17
    off, 09-18..20 (7), 09-23, 09-24 (9). Due 09-30 + 9: 10-08..11 (4), 10-12 Sat (5), 10-14..17 (9): 10-17 24:00;
    the reply of 10-18 is late by one working day. (Each pause counted on its own: 6 + 7 = 13, due 10-23; the
    organ's consultation ignored because the clock already stood still: 6, due 10-14.)
    NESTED: the organ consulted first (09-10) and answering last (09-24), the third party in between (09-12 to
    09-19): the same 9 working days, due 10-17; a reply that day is on time.
    APART: third party 09-03 to 09-05 (09-04, 09-05: 2), organ 09-09 to 09-11 (09-10, 09-11: 2): both counted, 4
    in all, due 10-11; a reply on 10-14 is late by 10-12 (Sat worked) and 10-14: 2 working days.
    THREE: APART's third party (2), then OVERLAP's two consultations (9): 11 not counted, due 10-21 (10-08..11,
    10-12, 10-14..18, 10-21); the reply of 10-22 is late by one working day (counted twice where the second and
    third overlap: 15, due 10-25)."""
    engine = engine_for(tmp_path, OVERLAP_RULE)
    evs = events(
        *request(
            "OVERLAP",
            "2024-09-02T10:00",
            ("third_party.consulted", "2024-09-10T10:00"),
            ("agency.consulted", "2024-09-12T10:00"),
            ("third_party.replied", "2024-09-19T10:00"),
            ("agency.replied", "2024-09-24T10:00"),
            replied="2024-10-18T10:00",
        ),
        *request(
            "NESTED",
            "2024-09-02T10:00",
            ("agency.consulted", "2024-09-10T10:00"),
            ("third_party.consulted", "2024-09-12T10:00"),
            ("third_party.replied", "2024-09-19T10:00"),
            ("agency.replied", "2024-09-24T10:00"),
            replied="2024-10-17T17:00",
        ),
        *request(
            "APART",
            "2024-09-02T10:00",
            ("third_party.consulted", "2024-09-03T10:00"),
            ("third_party.replied", "2024-09-05T10:00"),
            ("agency.consulted", "2024-09-09T10:00"),
            ("agency.replied", "2024-09-11T10:00"),
            replied="2024-10-14T10:00",
        ),
        *request(  # APART, then OVERLAP: the third party consulted twice, the second time with the organ
            "THREE",
            "2024-09-02T10:00",
            ("third_party.consulted", "2024-09-03T10:00"),
            ("third_party.replied", "2024-09-05T10:00"),
            ("third_party.consulted", "2024-09-10T10:00"),
            ("agency.consulted", "2024-09-12T10:00"),
            ("third_party.replied", "2024-09-19T10:00"),
            ("agency.replied", "2024-09-24T10:00"),
            replied="2024-10-22T10:00",
        ),
    )
    found = engine.evaluate(evs, end_of("2024-12-31")).findings
    assert [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("APART", "late", "2024-10-11 24:00", "2wd"),
        ("OVERLAP", "late", "2024-10-17 24:00", "1wd"),
        ("THREE", "late", "2024-10-21 24:00", "1wd"),
    ]
    steps = next(f for f in found if f.subject == "OVERLAP").explanation
    assert (
        "暂停 2024-09-10 至 2024-09-24（third_party.consulted e2；agency.consulted e3），不计 9 个工作日"
        in steps
    )


def test_a_second_consultation_while_paused_past_the_original_deadline_and_one_too_late(tmp_path):
    """Received 09-02, due 09-30 24:00. WHILE-PAUSED: third party consulted 09-25, another organ 10-08 (after
    09-30, but the clock stood still, so the period had not run out), third party replied 10-10, the organ 10-15.
    Not counted: after 09-25 through 10-15: 09-26, 09-27, 09-29 Sun, 09-30, 10-08..11, 10-12 Sat, 10-14, 10-15 = 11;
    due 09-30 + 11 = 10-21 (10-08..11, 10-12, 10-14..18, 10-21); the reply of 10-22 is late by 1 working day.
    TOO-LATE: third party 09-25 to 10-10 (7: 09-26, 09-27, 09-29, 09-30, 10-08..10): due 10-15 24:00, the instant
    10-16 00:00. The organ consulted at that instant comes when the period has run out and pauses nothing; the
    reply of 10-17 is late by 10-16 and 10-17. IN-TIME: the organ consulted one minute earlier (10-15 23:59) and
    answering 10-18: 10-16..18 not counted, due 10-18, a reply that day is on time."""
    engine = engine_for(tmp_path, OVERLAP_RULE)
    third = [("third_party.consulted", "2024-09-25T10:00"), ("third_party.replied", "2024-10-10T10:00")]
    evs = events(
        *request(
            "WHILE-PAUSED",
            "2024-09-02T10:00",
            third[0],
            ("agency.consulted", "2024-10-08T10:00"),
            third[1],
            ("agency.replied", "2024-10-15T10:00"),
            replied="2024-10-22T10:00",
        ),
        *request(
            "TOO-LATE",
            "2024-09-02T10:00",
            *third,
            ("agency.consulted", "2024-10-16T00:00"),
            ("agency.replied", "2024-10-20T10:00"),
            replied="2024-10-17T10:00",
        ),
        *request(
            "IN-TIME",
            "2024-09-02T10:00",
            *third,
            ("agency.consulted", "2024-10-15T23:59"),
            ("agency.replied", "2024-10-18T10:00"),
            replied="2024-10-18T17:00",
        ),
    )
    found = engine.evaluate(evs, end_of("2024-12-31")).findings
    assert [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("TOO-LATE", "late", "2024-10-15 24:00", "2wd"),
        ("WHILE-PAUSED", "late", "2024-10-21 24:00", "1wd"),
    ]
    assert any("agency.consulted" in s and "不予暂停：期限已届满" in s for s in found[0].explanation)


def test_a_capped_third_party_pause_inside_another_organs_consultation(tmp_path):
    """Received 09-02, due 09-30 24:00. Third party consulted 09-03 and silent: its 15 working days (第三十二条)
    are 09-04..06 (3), 09-09..13 (8), 09-14 Sat (9), 09-18..20 (12), 09-23..25 (15), so its pause ends by itself
    at 09-25 24:00. Another organ consulted 09-20 (第三十三条第二款, no limit) answers 10-10. The two overlap from
    09-20 to 09-25, so the time not counted is 09-03 to 10-10 once: 09-04..06 (3), 09-09..13 (8), 09-14 (9),
    09-18..20 (12), 09-23..27 (17), 09-29 Sun (18), 09-30 (19), 10-08..10 (22). Due 09-30 + 22: 10-08..11 (4),
    10-12 Sat (5), 10-14..18 (10), 10-21..25 (15), 10-28..31 (19), 11-01 (20), 11-04 (21), 11-05 (22): 11-05
    24:00; the reply of 11-06 is late by one working day (counted apart, 15 + 10 = 25 would give 11-08). As of
    09-23 both pauses are open: the finding names both, the capped one with its last day."""
    capped = OVERLAP_RULE.replace("resume: third_party.replied}", "resume: third_party.replied, max: 15wd}")
    engine = engine_for(tmp_path, capped)
    steps = (
        ("third_party.consulted", "2024-09-03T10:00"),
        ("agency.consulted", "2024-09-20T10:00"),
        ("agency.replied", "2024-10-10T10:00"),
    )
    evs = events(*request("CAPPED", "2024-09-02T10:00", *steps, replied="2024-11-06T10:00"))
    found = engine.evaluate(evs, end_of("2024-12-31")).findings
    assert [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("CAPPED", "late", "2024-11-05 24:00", "1wd")
    ]
    paused = engine.evaluate(evs[:3], end_of("2024-09-23"), keep_outcomes=True).outcomes
    assert [f.status for f in paused] == ["paused"]
    assert paused[0].message == (
        "计时暂停中：third_party.consulted e2，至多到 2024-09-25 24:00，届时自动恢复计时；agency.consulted e3"
    )
