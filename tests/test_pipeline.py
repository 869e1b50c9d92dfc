"""The pipeline's inputs and its screen (engine/pipeline.py, engine/columnar/).

Whatever way events come in, the pipeline judges the same events: a log read into columns, the same log
read line by line into objects (`read_events`), the same events given as objects, the same log as Parquet.
Random logs mix what the reader takes in columns (plain rows) with everything it must read one by one:
own time zones and offsets, repeated ids (identical and conflicting), torn JSON, blank lines, CRLF endings,
unknown types, missing fields, impossible dates, years before 1992. The screen's own tests say what it
judges in columns and what it sets aside, on hand-checked dates; the verdicts themselves are held to the
day-by-day oracle in tests/test_oracle.py.
"""

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.calendar import SHANGHAI, Conventions, Period
from engine.columnar.given import events_frame as columnar_frame
from engine.engine import Engine
from engine.errors import CalendarCoverageError
from engine.events import jsonl as jsonl_module
from engine.events import read_events
from engine.pipeline import judge, read

AS_OF = dt.datetime(2024, 12, 31, 23, 59, tzinfo=SHANGHAI)
WARN = Period(2, "wd")
TYPES = [
    "document.issued",
    "document.published",
    "interpretation.published",
    "request.received",
    "request.replied",
    "third_party.consulted",
    "third_party.replied",
    "supplement.requested",
    "supplement.received",
    "extension.approved",
    "incident.occurred",
    "info.released",
    "interview.held",
    "annual_report.published",
    "normative.submitted",
    "consultation.opened",
    "consultation.closed",
]


_LOADED: list[Engine] = []


def bundled() -> Engine:
    """The bundled rules, loaded once (not a fixture, so hypothesis' reports stay short)."""
    if not _LOADED:
        _LOADED.append(Engine.load())
    return _LOADED[0]


def by_objects(engine, paths, as_of=AS_OF, warn=WARN):
    """The log read line by line into Event objects (the reader of `explain` before, of tests now), judged."""
    log = read_events(paths, engine.ruleset.event_types)
    return log, engine.evaluate(log.events, as_of, warn)


def audit(engine, paths, as_of=AS_OF, warn=WARN):
    """The log read into columns, judged: what `shixian audit` does."""
    frame = read(engine.ruleset, paths)
    return frame.log, judge(engine.ruleset, engine.calendar, frame, as_of, warn)


def assert_same(engine, paths, as_of=AS_OF, warn=WARN):
    (log_a, a), (log_b, b) = by_objects(engine, paths, as_of, warn), audit(engine, paths, as_of, warn)
    assert [f.to_json() for f in b.findings] == [f.to_json() for f in a.findings]
    assert [r.to_json() for r in log_b.rejects] == [r.to_json() for r in log_a.rejects]
    assert (log_b.lines, log_b.duplicates) == (log_a.lines, log_a.duplicates)
    assert (b.events_evaluated, b.events_after_as_of) == (a.events_evaluated, a.events_after_as_of)
    assert b.task_board == a.task_board
    assert b.obligations.rows() == a.obligations.rows()  # what the screen set aside is counted all the same
    return b


@st.composite
def records(draw):
    """One line of a log: mostly plain events of a few subjects, sometimes something odd."""
    n = draw(st.integers(0, 8))
    subject = f"S{draw(st.integers(0, 5))}"
    day = dt.date(2024, 9, 1) + dt.timedelta(days=draw(st.integers(0, 150)))
    minute = draw(st.integers(0, 24 * 60 - 1))
    time = f"{day}T{minute // 60:02d}:{minute % 60:02d}"
    record = {
        "id": f"e{draw(st.integers(0, 60))}",
        "type": draw(st.sampled_from(TYPES)),
        "subject": subject,
        "time": time,
        "body": draw(st.sampled_from(["局A", "局B", "江苏省司法厅"])),
        "department": draw(st.sampled_from(["办公室", "", None])),
    }
    if draw(st.booleans()):
        record.update(doc_type=draw(st.sampled_from(["政策文件", "规范性文件", ""])), disclosure="主动公开")
    if record["type"] == "interpretation.published":
        record["policy"] = draw(st.sampled_from(["S0", "S1", "", "S9"]))
    if record["type"] == "extension.approved":
        record["days"] = draw(st.sampled_from([5, 20, 30, "x"]))
    if record["type"] == "annual_report.published":
        record["year"] = draw(st.sampled_from([2023, 2024, "2024"]))
    if record["type"] == "incident.occurred":
        record["level"] = "重大"
    odd = draw(
        st.sampled_from(
            ["none"] * n
            + [
                "tz",
                "offset",
                "date",
                "torn",
                "blank",
                "unknown",
                "missing",
                "feb30",
                "old",
                "spaces",
                "number_id",
            ]
        )
    )
    if odd == "tz":
        record["tz"] = "Asia/Tokyo"
    elif odd == "offset":
        record["time"] += "+00:00"
    elif odd == "date":
        record["time"] = str(day)
    elif odd == "unknown":
        record["type"] = "document.lost"
    elif odd == "missing":
        del record["subject"]
    elif odd == "feb30":
        record["time"] = "2024-02-30T10:00"
    elif odd == "old":
        record["time"] = "1990-07-01T10:00"
    elif odd == "spaces":
        record["time"] = f" {time} "
    elif odd == "number_id":
        record["id"] = draw(st.integers(0, 60))
    line = json.dumps(record, ensure_ascii=False)
    if odd == "torn":
        line = line[: len(line) // 2]
    if odd == "blank":
        line += "\n   "
    return line


@given(
    st.lists(records(), min_size=1, max_size=60),
    st.booleans(),
    st.integers(64, 4096),
    st.sampled_from([1, 3, 64]),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_read_into_columns_or_into_objects_on_random_logs(
    tmp_path_factory, monkeypatch, lines, crlf, block, short_run
):
    monkeypatch.setattr(jsonl_module, "BLOCK_BYTES", block)  # many blocks: line numbers must carry over
    monkeypatch.setattr(jsonl_module, "SHORT_RUN", short_run)  # odd lines cut the blocks pyarrow reads
    path = tmp_path_factory.mktemp("log") / "events.jsonl"
    path.write_bytes(("\r\n" if crlf else "\n").join(lines).encode("utf-8") + b"\n")
    assert_same(bundled(), [path])


def test_the_examples_and_their_parquet_read_either_way(tmp_path):
    engine = bundled()
    from conftest import ROOT

    paths = sorted((ROOT / "examples").glob("*-20*/events.jsonl"))
    result = assert_same(engine, paths)
    assert len(result.findings) > 100
    for path in paths:  # the same logs as Parquet, the format of large logs
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        rows = [
            {
                k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v)
                for k, v in r.items()
            }
            for r in rows
            if isinstance(r, dict)
        ]
        for r in rows:
            for k, v in r.items():
                if not isinstance(v, str) and v is not None:
                    r[k] = str(v)
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / f"{path.parent.name}.parquet")
    assert_same(engine, sorted(tmp_path.glob("*.parquet")))


def test_events_given_as_objects_are_judged_as_a_log_of_them_is(tmp_path):
    """Engine.evaluate puts events that a plain log line could give into columns and keeps the others (own
    zone, fractional seconds, an attribute of another type) as they are: the same findings as the log of
    those events read from a file."""
    from helpers import events

    engine = bundled()
    given = events(
        {"type": "request.received", "subject": "A", "time": "2024-09-27T16:00", "body": "x"},
        {"type": "request.received", "subject": "B", "time": "2024-09-27T16:00", "tz": "Europe/Paris"},
        {"type": "request.received", "subject": "C", "time": "2024-09-27T16:00:00.5"},
        {"type": "request.received", "subject": "D", "time": "2024-09-27", "days": 3.5},
        {"type": "extension.approved", "subject": "A", "time": "2024-10-30", "days": "x"},
        {"type": "extension.approved", "subject": "D", "time": "2024-10-30", "days": 20},
        {"type": "request.replied", "subject": "B", "time": "2024-11-27T12:00"},
    )
    frame = columnar_frame(engine.ruleset, given)
    assert sorted(frame.seq[frame.odd_mask].tolist()) == [1, 2, 3, 4, 5]  # "days" both text and a number: odd
    got = engine.evaluate(given, AS_OF, WARN)
    path = tmp_path / "given.jsonl"
    path.write_text(
        "".join(json.dumps(e.to_json(), ensure_ascii=False) + "\n" for e in given), encoding="utf-8"
    )
    _, want = audit(engine, [path])
    assert [f.to_json() for f in got.findings] == [f.to_json() for f in want.findings] != []


def test_a_repeated_id_keeps_the_first_and_rejects_a_conflict(tmp_path):
    engine = bundled()
    path = tmp_path / "dup.jsonl"
    first = {"id": "a", "type": "request.received", "subject": "R1", "time": "2024-09-02T10:00", "body": "局"}
    path.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in [first, first, {**first, "subject": "R2"}])
        + "\n",
        encoding="utf-8",
    )
    log, _ = audit(engine, [path])
    assert log.duplicates == 1
    assert [(r.line, r.reason.split(" (")[0]) for r in log.rejects] == [
        (3, "duplicate id 'a' with different content")
    ]
    assert_same(engine, [path])
    given = [e for line in path.read_text(encoding="utf-8").splitlines() for e in _events(line)]
    assert engine.evaluate(given, AS_OF, WARN).events_evaluated == 3  # given as objects: each is judged


@given(
    st.integers(0, 7600),
    st.integers(0, 1439),
    st.sampled_from(["wd", "d", "h"]),
    st.integers(0, 40),
    st.booleans(),
    st.sampled_from(["strict", "next-working"]),
    st.sampled_from([None, dt.time(17, 30)]),
)
@settings(max_examples=400, deadline=None)
def test_due_array_is_the_scalar_due(cal, day, minute, unit, amount, roll, start, closing):
    """WorkCalendar.due_array (the screen's arithmetic) equals the scalar `_due`, coverage errors included:
    starts span 2004-2024, so windows run into the years the calendar does not cover."""
    if unit == "h":
        closing = None
    begin = dt.datetime(2004, 6, 1, tzinfo=SHANGHAI) + dt.timedelta(days=day, minutes=minute)
    period, conventions = Period(amount, unit), Conventions(roll=roll, start=start, closing=closing)
    instant = (begin - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    local_day = begin.date().toordinal() - dt.date(1970, 1, 1).toordinal()
    due, last, ok = cal.due_array(np.array([instant]), np.array([local_day]), period, conventions)
    try:
        want, want_last = cal._due(begin, period, conventions, SHANGHAI, [], 0)
    except CalendarCoverageError:
        assert not ok[0]
        return
    assert ok[0]
    assert due[0] == (want - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    assert last[0] == (want_last.toordinal() - dt.date(1970, 1, 1).toordinal() if want_last else -1)


def test_clock_controls_are_settled_not_fed(tmp_path):
    """A request paused for a third party, one extended and one restarted by 补正, all answered in time,
    are not fed to the rule's evaluator at all; nor is a late one that no control touched: the screen judges
    it itself (2024 国庆 7 days off, 9-29 and 10-12 worked)."""
    from engine.columnar.screen import VERDICTS

    rows = [
        ("P", "request.received", "2024-09-20T10:00"),
        ("P", "third_party.consulted", "2024-09-23T10:00"),
        ("P", "third_party.replied", "2024-10-14T10:00"),
        ("P", "request.replied", "2024-10-25T10:00"),
        ("X", "request.received", "2024-09-20T10:00"),
        ("X", "extension.approved", "2024-10-15T10:00"),
        ("X", "request.replied", "2024-11-08T10:00"),
        ("S", "request.received", "2024-09-20T10:00"),
        ("S", "supplement.requested", "2024-09-23T10:00"),
        ("S", "supplement.received", "2024-10-21T10:00"),
        ("S", "request.replied", "2024-11-15T10:00"),
        ("L", "request.received", "2024-09-20T10:00"),
        ("L", "request.replied", "2024-10-25T10:00"),
    ]
    path = _request_log(tmp_path / "events.jsonl", rows)
    engine = bundled()
    view, feed, verdicts = _reply_screened(engine, path, AS_OF, WARN)
    assert not feed.any()
    judged = list(
        zip(
            view.take("subject", verdicts.trigger).to_pylist(),
            [VERDICTS[s] for s in verdicts.status],
            verdicts.amount.tolist(),
        )
    )
    assert judged == [("L", "late", 2)]  # replied 10-25: 10-24 and 10-25 are working days past 10-23
    # P: 20 working days from 9-20 plus the 12 paused (9-24..10-14, 国庆 10-01..07 off, 9-29 and 10-12
    # worked) end 2024-11-08; X: 20 + 20 end 2024-11-20; S: 20 from the 补正 of 10-21 end 2024-11-18.
    # L: 20 working days from 9-20 end 2024-10-23, so the reply of 10-25 is late.
    late = [f for f in audit(engine, [path])[1].findings if f.rule == "ogi.request-reply"]
    assert [(f.subject, f.status, f.deadline_text) for f in late] == [("L", "late", "2024-10-23 24:00")]


def _request_log(path, rows):
    """A log of (subject, type, time) rows of one body; an extension asks for 20 days."""
    path.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"{s}{n}",
                    "type": t,
                    "subject": s,
                    "time": when,
                    "body": "局A",
                    **({"days": 20} if t == "extension.approved" else {}),
                },
                ensure_ascii=False,
            )
            + "\n"
            for n, (s, t, when) in enumerate(rows)
        ),
        encoding="utf-8",
    )
    return path


def _reply_screened(engine, path, as_of, warn):
    """The screen's route for the 2019 request-reply rule over a log: the view, the events it feeds that
    rule and the obligations it judges itself."""
    from engine.columnar.screen import screen
    from engine.columnar.view import View
    from engine.evaluate.context import Context

    frame = read(engine.ruleset, [path])
    view = View(frame, np.lexsort((frame.seq, frame.instant)), sorted(engine.ruleset.event_types))
    routes = screen(engine.ruleset, view, Context(engine.calendar, as_of, warn))
    reply = next(
        i
        for i, r in enumerate(engine.ruleset.rules)
        if r.rule.id == "ogi.request-reply" and r.rule.effective.from_ == dt.date(2019, 5, 15)
    )
    feed, _, verdicts = routes[reply]
    return view, feed, verdicts


@pytest.mark.parametrize(
    "as_of, warn, status, tail",
    [
        # 20 working days from 2024-09-20 end 2024-10-23 (国办发明电〔2023〕7号: 国庆 10-01..07 off, 9-29 and 10-12 worked)
        ("2024-10-18T12:00", "2wd", None, None),  # 10-21, 10-22, 10-23 left: 3 > 2, still pending
        ("2024-10-18T12:00", "5d", "due_soon", "到期（剩余5日）"),  # 10-23 is 5 days after 10-18
        ("2024-10-22T12:00", "2wd", "due_soon", "到期（剩余1个工作日）"),
        ("2024-10-23T23:59", "2wd", "due_soon", "到期（剩余0个工作日）"),
        (
            "2024-10-24T00:00",
            "2wd",
            "overdue",
            "仍未完成，已逾期1个工作日",
        ),  # due at 24:00 of 10-23; at least 1
        ("2024-10-28T09:00", "2wd", "overdue", "仍未完成，已逾期3个工作日"),  # 10-24, 10-25, 10-28
    ],
)
def test_open_requests_are_judged_in_columns(tmp_path, as_of, warn, status, tail):
    """An unanswered request that no clock control touched is judged by the screen itself, never fed to the
    rule's evaluator, with the rule's evaluator's words: due soon within the warning period, overdue after."""
    from engine.columnar.screen import VERDICTS

    path = _request_log(tmp_path / "events.jsonl", [("Q", "request.received", "2024-09-20T10:00")])
    moment, period = dt.datetime.fromisoformat(as_of).replace(tzinfo=SHANGHAI), Period.parse(warn)
    engine = bundled()
    _, feed, verdicts = _reply_screened(engine, path, moment, period)
    assert not feed.any()
    assert ([VERDICTS[s] for s in verdicts.status] if verdicts else []) == ([status] if status else [])
    found = [f for f in audit(engine, [path], moment, period)[1].findings if f.rule == "ogi.request-reply"]
    assert [f.status for f in found] == ([status] if status else [])
    if status:
        assert found[0].deadline_text == "2024-10-23 24:00" and found[0].message.endswith(tail)


def _events(line: str) -> list:
    from engine.events import event_from_record

    return [event_from_record(json.loads(line), "given:1", None)]


def test_a_subset_of_subjects_is_judged_as_in_the_whole_audit():
    """Judging some subjects over their whole history (what an incremental audit re-judges) gives exactly
    their findings and outcomes of the whole audit, from the events of their bodies only."""
    from conftest import ROOT

    engine = bundled()
    frame = read(engine.ruleset, sorted((ROOT / "examples").glob("*-20*/events.jsonl")))
    whole = judge(engine.ruleset, engine.calendar, frame, AS_OF, WARN, keep_outcomes=True)
    subjects = sorted({f.subject for f in whole.findings})[::7][:6] + ["SH-YSQ-2024-SHOW", "no such subject"]
    part = judge(engine.ruleset, engine.calendar, frame, AS_OF, WARN, keep_outcomes=True, subjects=subjects)
    mine = set(subjects)
    assert [f.to_json() for f in part.findings] == [f.to_json() for f in whole.findings if f.subject in mine]
    assert len(part.findings) >= 6
    assert sorted(o.fingerprint for o in part.outcomes) == sorted(
        o.fingerprint for o in whole.outcomes if o.subject in mine
    )
    assert 0 < part.events_evaluated < whole.events_evaluated
    none = judge(engine.ruleset, engine.calendar, frame, AS_OF, WARN, subjects=["no such subject"])
    assert (none.findings, none.events_evaluated) == ([], 0)
