"""Each clock control at its boundary, hand-checked, through the default (columnar) audit and row by row.

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
from helpers import REQUEST_RULE, end_of, engine_for, events

pytestmark = pytest.mark.usefixtures("each_path")


def judged(engine, evs, as_of):
    return [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in engine.evaluate(evs, end_of(as_of)).findings]


def request(subject, received, *steps, replied=None):
    out = [{"type": "request.received", "subject": subject, "time": received}]
    out += [{"type": kind, "subject": subject, "time": time, **extra} for kind, time, *rest in steps
            for extra in [rest[0] if rest else {}]]
    if replied:
        out.append({"type": "request.replied", "subject": subject, "time": replied})
    return out


def test_a_pause_beginning_exactly_at_the_deadline_does_not_pause(tmp_path):
    """Due 2024-10-01 00:00. Consulting a third party at that very instant comes too late (the period has run
    out), so the reply of 10-09 is late by 10-08 and 10-09: 2 working days. A consultation begun one minute
    earlier pauses the clock from 09-30 through 10-09 (the working days after the pause's first day through
    its last: 10-08, 10-09), so the deadline moves to 10-09 24:00 and the same reply is on time."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events(*request("AT", "2024-09-02T10:00", ("third_party.consulted", "2024-10-01T00:00"),
                          ("third_party.replied", "2024-10-09T10:00"), replied="2024-10-09T15:00"),
                 *request("BEFORE", "2024-09-02T10:00", ("third_party.consulted", "2024-09-30T23:59"),
                          ("third_party.replied", "2024-10-09T10:00"), replied="2024-10-09T15:00"),
                 *request("BEFORE-LATE", "2024-09-02T10:00", ("third_party.consulted", "2024-09-30T23:59"),
                          ("third_party.replied", "2024-10-09T10:00"), replied="2024-10-10T09:00"))
    found = engine.evaluate(evs, end_of("2024-12-31")).findings
    assert [(f.subject, f.status, f.deadline_text, f.overdue_by) for f in found] == [
        ("AT", "late", "2024-09-30 24:00", "2wd"),
        ("BEFORE-LATE", "late", "2024-10-09 24:00", "1wd")]
    assert any("不予暂停：期限已届满" in step for step in found[0].explanation)


def test_a_resumption_at_midnight_belongs_to_the_new_day(tmp_path):
    """Received 09-27 (due 10-30), third party consulted 10-09 10:00. The days not counted are the working days
    after the pause's first day through the day it ends (as the start day of a period is not counted, 民法典第
    二百零一条). Resumed at 10-16 00:00 (24:00 of 10-15): 10-10, 10-11, 10-12 (Sat, worked), 10-14, 10-15, 10-16
    = 6, due 10-30 + 6 working days (10-31, 11-01, 11-04..07) = 11-07 24:00. Resumed a minute earlier,
    10-15 23:59: 5 days, due 11-06 24:00, and a reply on 11-07 is a working day late."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    evs = events(*request("MIDNIGHT", "2024-09-27T16:00", ("third_party.consulted", "2024-10-09T10:00"),
                          ("third_party.replied", "2024-10-16T00:00"), replied="2024-11-07T10:00"),
                 *request("MIDNIGHT-LATE", "2024-09-27T16:00", ("third_party.consulted", "2024-10-09T10:00"),
                          ("third_party.replied", "2024-10-16T00:00"), replied="2024-11-08T09:00"),
                 *request("EVENING", "2024-09-27T16:00", ("third_party.consulted", "2024-10-09T10:00"),
                          ("third_party.replied", "2024-10-15T23:59"), replied="2024-11-07T10:00"))
    assert judged(engine, evs, "2024-12-31") == [("EVENING", "late", "2024-11-06 24:00", "1wd"),
                                                 ("MIDNIGHT-LATE", "late", "2024-11-07 24:00", "1wd")]


def test_a_restart_on_the_last_day_counts_twenty_working_days_afresh(tmp_path):
    """Received 09-02 (due 09-30 24:00); 补正 requested 09-05, received on the last day, 09-30 15:00: the 20
    working days run from 09-30: 10-08..11 (4), 10-12 Sat (5), 10-14..18 (10), 10-21..25 (15), 10-28..11-01
    (20): due 11-01 24:00. A reply on 11-01 is on time, one on 11-04 a working day late; none by 11-04 is
    overdue by one working day (11-04)."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    steps = [("supplement.requested", "2024-09-05T09:00"), ("supplement.received", "2024-09-30T15:00")]
    evs = events(*request("ON-TIME", "2024-09-02T09:00", *steps, replied="2024-11-01T17:00"),
                 *request("LATE", "2024-09-02T09:00", *steps, replied="2024-11-04T09:00"),
                 *request("OPEN", "2024-09-02T09:00", *steps))
    assert judged(engine, evs, "2024-11-04") == [("LATE", "late", "2024-11-01 24:00", "1wd"),
                                                 ("OPEN", "overdue", "2024-11-01 24:00", "1wd")]
    # without the restart the same reply is a month late
    assert judged(engine, events(*request("X", "2024-09-02T09:00", replied="2024-11-01T17:00")), "2024-12-31") \
        == [("X", "late", "2024-09-30 24:00", "20wd")]


@pytest.mark.parametrize("asked", [{}, {"days": 20}, {"days": "20"}])
def test_an_extension_approved_on_the_last_day_adds_twenty_working_days(tmp_path, asked):
    """Received 09-27 (due 10-30 24:00); extension approved 10-30 17:00, the last day, for at most 20 working
    days: 10-31, 11-01, 11-04..08, 11-11..15, 11-18..22, 11-25..27 = 20, due 11-27 24:00. A reply on 11-27 is
    on time, one on 11-28 a working day late; open on 11-28, the request is overdue by one."""
    engine = engine_for(tmp_path, REQUEST_RULE)
    step = ("extension.approved", "2024-10-30T17:00", asked)
    evs = events(*request("ON-TIME", "2024-09-27T16:00", step, replied="2024-11-27T17:00"),
                 *request("LATE", "2024-09-27T16:00", step, replied="2024-11-28T10:00"),
                 *request("OPEN", "2024-09-27T16:00", step))
    assert judged(engine, evs, "2024-11-28") == [("LATE", "late", "2024-11-27 24:00", "1wd"),
                                                 ("OPEN", "overdue", "2024-11-27 24:00", "1wd")]
