"""The pipeline's deadlines and verdicts against the naive day-by-day oracle (tests/oracle.py).

Random obligations around the 2024 holidays (国办发明电〔2023〕7号: 中秋 09-15..17 off, 09-14 Sat worked; 国庆
10-01..07 off, 09-29 Sun and 10-12 Sat worked; 2025 元旦 01-01 off), with and without clock controls, judged
as of a random moment: every rule's finding (what the screen judges in columns, what it sets aside as on
time, what the evaluators judge) and, with the quiet outcomes kept, every outcome (on time, pending, paused)
must be the oracle's, with its last day and how many units late or left.
"""

import datetime as dt

from helpers import SOURCE, write_rules
from hypothesis import event, given, settings
from hypothesis import strategies as st
from oracle import Request, counted_between, due_instant, last_day

from engine.calendar import SHANGHAI, Period, load_calendar
from engine.engine import Engine
from engine.events import event_from_record
from engine.pipeline import judge
from engine.ruleset.loader import load_rules

RULES = f"""\
pack: oracle
rules:
  - id: reply
    kind: deadline
    title: 20个工作日内答复
    {SOURCE}
    trigger: request.received
    fulfil: request.replied
    within: 20wd
    pause:
      - {{on: third_party.consulted, resume: third_party.replied, max: 15wd}}
      - {{on: agency.consulted, resume: agency.replied}}
      - {{on: supplement.requested, resume: supplement.received}}
    restart: supplement.received
    extend: {{on: extension.approved, max: 20wd, times: 1}}
  - id: interpret
    kind: deadline
    title: 3个工作日内发布
    {SOURCE}
    trigger: incident.occurred
    fulfil: info.released
    within: 3wd
  - id: publish
    kind: deadline
    title: 7日内公开
    {SOURCE}
    trigger: document.issued
    fulfil: document.published
    within: 7d
"""
PLAIN = {
    "interpret": ("incident.occurred", "info.released", 3, "wd"),
    "publish": ("document.issued", "document.published", 7, "d"),
}
BASE = dt.datetime(2024, 8, 20, 9, 0)
FAR = dt.datetime(2025, 6, 30, tzinfo=SHANGHAI)  # an as-of after everything: the deadline as it stands
_ENGINE: list[Engine] = []


def engine(tmp_path_factory) -> Engine:
    if not _ENGINE:
        path = write_rules(tmp_path_factory.mktemp("oracle"), RULES)
        _ENGINE.append(Engine(load_rules([path]), load_calendar()))
    return _ENGINE[0]


def later(draw, moment: dt.datetime, most_days: int) -> dt.datetime:
    """Some days later at a random minute, exactly at a midnight (24:00 of a last day: the boundary), or
    within the next two hours (a control's end and a reply close together)."""
    how = draw(st.integers(0, 3))
    if how == 0:
        days = dt.timedelta(days=draw(st.integers(1, most_days + 1)))
        return dt.datetime.combine(moment.date() + days, dt.time(0))
    if how == 1:
        return moment + dt.timedelta(minutes=draw(st.integers(1, 120)))
    return moment + dt.timedelta(days=draw(st.integers(0, most_days)), minutes=draw(st.integers(0, 900)))


@st.composite
def request(draw, subject: str, cal):
    """A request and its controls, episode after episode in time order, maybe a reply last. A control may
    come exactly when the period (as the oracle has it so far) runs out, or a minute before: the boundary."""
    moment = later(draw, BASE, 100)
    steps = [("request.received", moment, None)]

    def next_moment(most_days):
        aim = draw(st.integers(0, 3))
        if aim < 2:
            (_, last, _), _ = oracle_request(cal, [(subject, *step) for step in steps], FAR)
            if last is not None:
                due = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0)) - dt.timedelta(minutes=aim)
                if due > moment:
                    return due
        return later(draw, moment, most_days)

    for episode in draw(
        st.lists(st.sampled_from(["third", "agency", "supplement", "extension"]), max_size=3)
    ):
        moment = next_moment(25)
        if episode == "extension":
            steps.append(("extension.approved", moment, draw(st.sampled_from([None, 5, 20, 30]))))
            continue
        opened, closed = {
            "third": ("third_party.consulted", "third_party.replied"),
            "agency": ("agency.consulted", "agency.replied"),
            "supplement": ("supplement.requested", "supplement.received"),
        }[episode]
        steps.append((opened, moment, None))
        moment = later(draw, moment, 30)
        steps.append((closed, moment, None))
    if draw(st.booleans()):
        steps.append(("request.replied", next_moment(40), None))
    return [(subject, kind, when, days) for kind, when, days in steps]


@st.composite
def plain(draw, subject: str):
    """A trigger of a rule without clock controls and maybe its fulfilment."""
    rule = draw(st.sampled_from(sorted(PLAIN)))
    trigger, fulfil, _, _ = PLAIN[rule]
    moment = later(draw, BASE, 100)
    steps = [(subject, trigger, moment, None)]
    if draw(st.booleans()):
        steps.append((subject, fulfil, later(draw, moment, 10), None))
    return rule, steps


def records(steps) -> list[dict]:
    out = []
    for n, (subject, kind, when, days) in enumerate(steps):
        record = {"id": f"{subject}-{n}", "type": kind, "subject": subject, "time": f"{when:%Y-%m-%dT%H:%M}"}
        record.update(body="局A", department="办公室")
        if days is not None:
            record["days"] = days
        out.append(record)
    return out


def oracle_request(cal, steps, as_of: dt.datetime):
    """The oracle's verdict for one request's steps (events after as-of unseen)."""
    at = [(kind, when.replace(tzinfo=SHANGHAI), days) for _, kind, when, days in steps]
    clock = Request(cal, 20, "wd", at[0][1])
    done = None
    for kind, when, days in at[1:]:
        if when > as_of:
            break
        if kind == "request.replied":
            done = when
        elif kind == "third_party.consulted":
            clock.pause(when, capped=True)
        elif kind in ("supplement.requested", "agency.consulted"):
            clock.pause(when, capped=False)
        elif kind in ("third_party.replied", "agency.replied"):
            clock._expire(when)
            clock.resume(when)
        elif kind == "supplement.received":
            clock.restart(when)
        elif kind == "extension.approved":
            clock.extend(when, days)
    return clock.verdict(done, as_of, 2), clock.late_extensions


def oracle_plain(cal, rule, steps, as_of):
    _, _, amount, unit = PLAIN[rule]
    start = steps[0][2].replace(tzinfo=SHANGHAI)
    last = last_day(cal, start.date(), amount, unit)
    due = due_instant(last)
    if len(steps) > 1 and steps[1][2].replace(tzinfo=SHANGHAI) <= as_of:
        done = steps[1][2].replace(tzinfo=SHANGHAI)
        if done < due:
            return "on_time", last, None
        return "late", last, max(counted_between(cal, last, done.date(), unit), 1)
    if as_of >= due:
        return "overdue", last, max(counted_between(cal, last, as_of.date(), unit), 1)
    left = counted_between(cal, as_of.date(), last, "wd")
    return ("due_soon" if left <= 2 else "pending"), last, left


LOUD = {"late", "overdue", "due_soon"}


@given(st.data(), st.integers(20, 140), st.integers(0, 1439))
@settings(max_examples=300, deadline=None)
def test_pipeline_deadlines_and_verdicts_are_the_oracles(tmp_path_factory, data, day, minute):
    judge_with = engine(tmp_path_factory)
    cal = judge_with.calendar
    requests = [data.draw(request(f"R{n}", cal)) for n in range(data.draw(st.integers(1, 5)))]
    plains = [data.draw(plain(f"P{n}")) for n in range(data.draw(st.integers(0, 5)))]
    as_of = dt.datetime.combine(BASE.date(), dt.time(0), SHANGHAI) + dt.timedelta(days=day, minutes=minute)
    if data.draw(st.integers(0, 2)) == 0:  # as of exactly when an obligation runs out, or a minute before
        (_, last, _), _ = oracle_request(cal, requests[0], FAR)
        if last is not None:
            as_of = due_instant(last) - dt.timedelta(minutes=data.draw(st.integers(0, 1)))
    wanted: dict[tuple[str, str], tuple] = {}
    late_extensions: dict[str, int] = {}
    steps = []
    for mine in requests:
        subject = mine[0][0]
        if mine[0][2].replace(tzinfo=SHANGHAI) <= as_of:  # received after as-of: not seen
            (status, last, amount), late = oracle_request(cal, mine, as_of)
            wanted[("reply", subject)] = (status, last, amount)
            late_extensions[subject] = late
        steps += mine
    for rule, mine in plains:
        if mine[0][2].replace(tzinfo=SHANGHAI) <= as_of:
            wanted[(rule, mine[0][0])] = oracle_plain(cal, rule, mine, as_of)
        steps += mine
    events = [event_from_record(r, f"oracle:{k}", None) for k, r in enumerate(records(steps), start=1)]
    for (rule, _), (status, _, _) in wanted.items():
        event(f"{rule} {status}")
    findings = judge_with.evaluate(events, as_of, Period(2, "wd")).findings
    got = {(f.rule, f.subject): f for f in findings if f.status != "late_extension"}
    assert set(got) == {key for key, (status, _, _) in wanted.items() if status in LOUD}
    for key, finding in got.items():
        status, last, amount = wanted[key]
        unit = "d" if key[0] == "publish" else "wd"
        assert (finding.status, finding.deadline_text) == (status, f"{last} 24:00"), key
        if status in ("late", "overdue"):
            assert finding.overdue_by == f"{amount}{unit}", key
    extensions = {}
    for f in findings:
        if f.status == "late_extension":
            extensions[f.subject] = extensions.get(f.subject, 0) + 1
    assert extensions == {s: n for s, n in late_extensions.items() if n and ("reply", s) in wanted}

    # every outcome, the quiet ones too, through the frame (the screen keeps what has an outcome)
    frame_result = judge(judge_with.ruleset, cal, _as_frame(judge_with, events), as_of, keep_outcomes=True)
    outcomes = {(o.rule, o.subject): o.status for o in frame_result.outcomes if o.status != "late_extension"}
    assert outcomes == {key: status for key, (status, _, _) in wanted.items()}


def _as_frame(engine_, events):
    from engine.columnar.given import events_frame

    return events_frame(engine_.ruleset, events)


def test_the_oracle_on_hand_checked_dates():
    """The oracle itself, on the domain notes' worked examples (2024 国庆, 国办发明电〔2023〕7号)."""
    cal = load_calendar()
    assert last_day(cal, dt.date(2024, 9, 27), 3, "wd") == dt.date(2024, 10, 8)  # 09-29, 09-30, 10-08
    assert last_day(cal, dt.date(2024, 9, 24), 7, "d") == dt.date(2024, 10, 8)  # 10-01 is a holiday: rolls
    assert last_day(cal, dt.date(2024, 4, 28), 20, "wd") == dt.date(2024, 5, 28)
    # received Mon 09-02: due 09-30 24:00; a third party consulted 09-30 23:59 and answered 10-09 10:00
    # pauses 10-08 and 10-09 (working days after 09-30 through 10-09): due 10-09 24:00
    clock = Request(cal, 20, "wd", dt.datetime(2024, 9, 2, 10, 0, tzinfo=SHANGHAI))
    clock.pause(dt.datetime(2024, 9, 30, 23, 59, tzinfo=SHANGHAI), capped=True)
    clock.resume(dt.datetime(2024, 10, 9, 10, 0, tzinfo=SHANGHAI))
    assert clock.deadline()[1] == dt.date(2024, 10, 9)
