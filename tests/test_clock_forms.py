"""The home of clock controls (engine/evaluate/clock.py) in its two forms: `run_clock` (one clock: row by row,
the live monitor) and `clock_deadlines` (many clocks at once: the columnar screen) give the same deadline for
any sequence of pauses, resumptions, restarts and extensions, or the array form says it cannot vouch."""

import datetime as dt
from dataclasses import replace

import numpy as np
from helpers import REQUEST_RULE, write_rules
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine.calendar import SHANGHAI, load_calendar
from engine.errors import CalendarCoverageError
from engine.evaluate.clock import (
    DECLINE,
    PAUSE,
    Mark,
    OpenPause,
    asked_days,
    clock_deadlines,
    control_kinds,
    deadline,
    end_pause,
    run_clock,
)
from engine.ruleset.loader import load_rules

CAL = load_calendar()
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CONTROLS = [
    "third_party.consulted",
    "third_party.replied",
    "supplement.requested",
    "supplement.received",
    "agency.consulted",
    "agency.replied",
    "extension.approved",
    "extension.notified",
    "request.received",
]
_RULES = {}
# 条例 (2019) 第三十二条: the third party's 15 working days cap its pause
CAPPED_RULE = REQUEST_RULE.replace("resume: third_party.replied}", "resume: third_party.replied, max: 15wd}")


def rule(tmp_path_factory, within, times=1):
    if (within, times) not in _RULES:
        text = (
            REQUEST_RULE.replace("within: 20wd", f"within: {within}")
            .replace("times: 1", f"times: {times}")
            .replace(  # another organ consulted (第三十三条第二款): a second kind of pause, open with the others
                "      - {on: supplement.requested",
                "      - {on: agency.consulted, resume: agency.replied}\n      - {on: supplement.requested",
            )
        )
        assert "agency.consulted" in text
        _RULES[within, times] = load_rules([write_rules(tmp_path_factory.mktemp("r"), text)]).rules[0].rule
    return _RULES[within, times]


def us(moment):
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def epoch_day(moment):
    return moment.astimezone(SHANGHAI).date().toordinal() - dt.date(1970, 1, 1).toordinal()


clocks = st.lists(
    st.tuples(
        st.datetimes(min_value=dt.datetime(2023, 1, 1), max_value=dt.datetime(2026, 6, 30)),
        st.lists(
            st.tuples(
                st.integers(0, 40 * 24 * 60),
                st.sampled_from(CONTROLS),
                st.sampled_from([None, 0, 5, 20, 25, -3, "10", "x"]),
            ),
            max_size=6,
        ),
        st.integers(0, 60 * 24 * 60),
    ),
    min_size=1,
    max_size=8,
)


# A pause of another kind arriving while paused (补正 asked during a third-party consultation) opens a second
# pause, which the array form leaves to run_clock; the consultation that opened the first is the first control
# of all (index 0), where an off-by-one in "no pause open" would show as a first pause moved to the second's
# start.
@example(
    "20wd",
    [
        (
            dt.datetime(2024, 9, 2, 10),
            [
                (3 * 24 * 60, "third_party.consulted", None),
                (5 * 24 * 60, "supplement.requested", None),
                (20 * 24 * 60, "third_party.replied", None),
            ],
            0,
        )
    ],
    1,
)
# The third party's reply resumes the pause its consultation, the first control of all, opened.
@example(
    "5h",
    [
        (
            dt.datetime(2024, 9, 2, 10),
            [(60, "third_party.consulted", None), (180, "third_party.replied", None)],
            0,
        )
    ],
    1,
)
@given(st.sampled_from(["20wd", "15d", "5h"]), clocks, st.sampled_from([1, 2]))
@settings(max_examples=200, deadline=None)
def test_the_array_form_is_run_clock(tmp_path_factory, within, drawn, times):
    r = rule(tmp_path_factory, within, times)
    flags = dict(zip(CONTROLS, control_kinds(r, CONTROLS)))
    limit = 20
    starts, rows, marks_of, ends = [], [], [], []
    for k, (start, steps, after) in enumerate(drawn):
        start = start.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
        moment, marks = start, []
        for n, (gap, kind, days) in enumerate(sorted(steps, key=lambda s: s[0])):
            marks.append(Mark(start + dt.timedelta(minutes=gap), kind, f"c{k}.{n}", days))
            rows.append(k)
        moment = max([start] + [m.time for m in marks]) + dt.timedelta(minutes=after + 1)
        starts.append(start)
        marks_of.append(marks)
        ends.append(moment)
    every = [m for marks in marks_of for m in marks]
    due, last, ok = clock_deadlines(
        r,
        CAL,
        np.array([us(s) for s in starts]),
        np.array([epoch_day(s) for s in starts]),
        np.array(rows, np.int64),
        np.array([flags[m.type] for m in every], np.int64),
        np.array([us(m.time) for m in every], np.int64),
        np.array([epoch_day(m.time) for m in every], np.int64),
        np.array([max(min(asked_days(m.days, limit), limit), -1) for m in every], np.int64),
        np.array([us(e) for e in ends]),
        np.array([epoch_day(e) for e in ends]),
    )
    for k, (start, marks, end) in enumerate(zip(starts, marks_of, ends)):
        clock = run_clock(r, CAL, start, marks)
        end_pause(clock, end)
        try:
            found = deadline(r, CAL, clock)
        except CalendarCoverageError:
            assert not ok[k]
            continue
        if ok[k]:
            assert due[k] == us(found.due)
            assert last[k] == (
                epoch_day(dt.datetime.combine(found.last_day, dt.time(12), SHANGHAI))
                if found.last_day
                else -1
            )
        else:  # the array form declines only for clocks with an extension here (a negative one, one approved
            # while paused or too late, one told to the applicant: run_clock's business), or with pauses of two
            # kinds (perhaps open at once: their union), every year being covered
            assert any(m.type in ("extension.approved", "extension.notified") for m in marks) or (
                len(
                    {m.type for m in marks}
                    & {"third_party.consulted", "agency.consulted", "supplement.requested"}
                )
                > 1
            )


def test_pause_kinds_beyond_the_array_forms_bits_are_left_to_run_clock(tmp_path_factory):
    """The array form tells apart a rule's first 16 pause kinds (one bit each); a 17th kind's pause is left to
    run_clock (DECLINE), and its bit never stands for another kind's."""
    pauses = "".join(f"      - {{on: p{j}.begun, resume: p{j}.ended}}\n" for j in range(17))
    kinds = "".join(f"  p{j}.begun: 测试暂停{j}开始\n  p{j}.ended: 测试暂停{j}结束\n" for j in range(17))
    text = REQUEST_RULE.replace(
        "      - {on: supplement.requested, resume: supplement.received}\n",
        "      - {on: supplement.requested, resume: supplement.received}\n" + pauses,
    ).replace("rules:\n", "event_types:\n" + kinds + "rules:\n", 1)
    r = load_rules([write_rules(tmp_path_factory.mktemp("many"), text)]).rules[0].rule
    assert len(r.pause) == 19
    first, sixteenth, seventeenth = control_kinds(r, ["third_party.consulted", "p13.begun", "p14.begun"])
    assert not first & DECLINE and not sixteenth & DECLINE and seventeenth & DECLINE
    assert len({first, sixteenth}) == 2 and first & PAUSE and sixteenth & PAUSE


def test_the_latest_moment_open_pauses_can_end_is_the_last_of_their_caps(tmp_path_factory):
    """Both consultations open and silent, each with a cap (the third party's 15 working days, 第三十二条, and a
    5-working-day cap given here to the other organ's for the test): with no end given, the clock counts them to
    the last cap, the latest they can end (the live monitor's alarm). Received 2024-09-02; third party consulted
    09-10, capped 10-08 24:00 (09-11..13, 09-14 Sat, 09-18..20, 09-23..27, 09-29 Sun, 09-30, 10-08); the organ
    09-12, capped 09-20 (09-13, 09-14, 09-18..20), inside the other. Not counted: 09-11..10-08 once, 15 working
    days; the 14 left after 09-10 run 10-09..11, 10-12 Sat, 10-14..18, 10-21..25: due 10-25 24:00."""
    text = CAPPED_RULE.replace(
        "      - {on: supplement.requested",
        "      - {on: agency.consulted, resume: agency.replied, max: 5wd}\n      - {on: supplement.requested",
    )
    r = load_rules([write_rules(tmp_path_factory.mktemp("caps"), text)]).rules[0].rule
    start = dt.datetime(2024, 9, 2, 10, tzinfo=SHANGHAI)
    marks = [
        Mark(dt.datetime(2024, 9, 10, 10, tzinfo=SHANGHAI), "third_party.consulted", "c1"),
        Mark(dt.datetime(2024, 9, 12, 10, tzinfo=SHANGHAI), "agency.consulted", "c2"),
    ]
    clock = run_clock(r, CAL, start, marks)
    assert [p.mark.id for p in clock.open] == ["c1", "c2"]
    assert clock.pause_cap == dt.datetime.combine(dt.date(2024, 10, 8), dt.time.max, SHANGHAI)
    assert deadline(r, CAL, clock).due_text == "2024-10-25 24:00"
    uncapped = OpenPause(marks[0], None, "third_party.replied")
    assert replace(clock, open=[*clock.open, uncapped]).pause_cap is None  # one lasts until resumed
    clock.open.pop(0)
    assert deadline(r, CAL, clock).due_text == "2024-10-12 24:00"  # 09-13, 09-14, 09-18..20; 10-08..11, 10-12
