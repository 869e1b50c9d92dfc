"""The fuzz suite of issue #21, bounded for CI: hostile event files (JSON Lines, CSV, Parquet, an xlsx ledger),
mutated rule files, plans and HTTP bodies (through a real server), and watch input. Every input must give a
located reject or error, never a traceback, and lose no record. Derandomized (the same examples every run);
SHIXIAN_FUZZ_EXAMPLES raises the count, and `make fuzz` (bench/fuzz_run.py) runs far more in child processes,
counting crashes and hangs too. The inputs and checks live in tests/fuzzing.py."""

import json
import os

import pyarrow.parquet as pq
import pytest
from fuzzing import (
    Counts,
    body_bytes,
    check_event_file,
    check_plan,
    check_rule_file,
    check_watch,
    csv_log,
    hostile_line,
    jsonl_log,
    parquet_log,
    plan,
    rule_file,
    write_xlsx,
    xlsx_ledger,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.columnar.screen import attributes_read
from engine.engine import Engine

EXAMPLES = int(os.environ.get("SHIXIAN_FUZZ_EXAMPLES", "0"))


def bounded(default: int):
    return settings(
        max_examples=EXAMPLES or default,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


@pytest.fixture(scope="module")
def engine():
    return Engine.load()


def assert_clean(counts: Counts) -> None:
    assert counts.clean, json.dumps(counts.failures, ensure_ascii=False, indent=1)


@bounded(60)
@given(log=jsonl_log())
def test_json_lines(tmp_path_factory, engine, log):
    data, must = log
    path = tmp_path_factory.mktemp("jsonl") / "events.jsonl"
    path.write_bytes(data)
    assert_clean(check_event_file(path, must, engine.ruleset.event_types, attributes_read(engine.ruleset)))


@bounded(40)
@given(log=csv_log())
def test_csv(tmp_path_factory, engine, log):
    data, must = log
    path = tmp_path_factory.mktemp("csv") / "events.csv"
    path.write_bytes(data)
    assert_clean(check_event_file(path, must, engine.ruleset.event_types, attributes_read(engine.ruleset)))


@bounded(40)
@given(log=parquet_log())
def test_parquet(tmp_path_factory, engine, log):
    """Columns of every type where text is expected (ints, binary valid or not as UTF-8, floats, dates,
    timestamps past year 9999, nulls), in row groups: every row an event or a located reject."""
    table, group, must = log
    path = tmp_path_factory.mktemp("parquet") / "events.parquet"
    pq.write_table(table, path, row_group_size=group)
    assert_clean(
        check_event_file(
            path, must, engine.ruleset.event_types, attributes_read(engine.ruleset), last_line=table.num_rows
        )
    )


@bounded(25)
@given(ledger=xlsx_ledger())
def test_xlsx_ledger(tmp_path_factory, engine, ledger):
    """A real .xlsx office ledger through the bundled `requests` mapping, hostile cells anywhere."""
    from engine import ledger as ledgers

    rows, count = ledger
    path = tmp_path_factory.mktemp("xlsx") / "台账.xlsx"
    write_xlsx(rows, path)
    ledgers.attach([path], ledgers.load_mapping("requests", engine.ruleset.event_types))
    try:
        assert_clean(
            check_event_file(
                path, {}, engine.ruleset.event_types, attributes_read(engine.ruleset), last_line=count
            )
        )
    finally:
        ledgers.detach([path])


@bounded(60)
@given(data=rule_file())
def test_rule_files(tmp_path_factory, data):
    assert_clean(check_rule_file(tmp_path_factory.mktemp("rules"), data))


@bounded(150)
@given(data=plan())
def test_plans(engine, data):
    assert_clean(check_plan(engine, data))


@bounded(80)
@given(lines=st.lists(st.integers(0, 10_000).flatmap(hostile_line), min_size=1, max_size=8))
def test_watch_input(tmp_path_factory, engine, lines):
    from engine.live import LiveMonitor, SimulatedClock
    from engine.state import AuditStore
    from engine.timeparse import parse_instant

    db = tmp_path_factory.mktemp("watch") / "w.sqlite"
    store = AuditStore(db)
    try:
        monitor = LiveMonitor(
            engine, store, SimulatedClock(parse_instant("2024-12-31T23:00")[0]), lambda alert: None
        )
        assert_clean(check_watch(monitor, [data for data, _ in lines]))
        again = LiveMonitor(
            engine, store, SimulatedClock(parse_instant("2024-12-31T23:00")[0]), lambda alert: None
        )
        again.rebuild()  # what was stored replays on restart
    finally:
        store.close()


# ---- through a real server --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import subprocess
    import sys

    from conftest import ROOT, wait_for_http
    from webserver import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--port", str(port), "--max-body", "200000"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert wait_for_http(port)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


@bounded(60)
@given(data=body_bytes(), path=st.sampled_from(["/v1/check", "/v1/audit"]))
def test_http_bodies(server, data, path):
    """Every body gets 200, 413 or 422, with JSON that says why; never a 500 or a dropped connection."""
    import http.client

    if path == "/v1/audit":  # the same hostile values as an audit batch
        data = b'{"events": [' + data + b'], "as_of": "2024-12-31T23:00"}'
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=60)
    conn.request("POST", path, body=data, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    body = json.loads(response.read())
    assert response.status in (200, 413, 422), (response.status, body, data[:300])
    if response.status == 422:
        assert all(error["loc"] and error["msg"] for error in body["detail"]), body
