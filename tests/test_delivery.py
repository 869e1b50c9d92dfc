"""Issue #21, the last two points: alerts delivered at least once (recorded, delivered, then marked; webhook
retried with an Idempotency-Key), and large pre-publication checks answered off the event loop, the same as
small ones, through a real server."""

import datetime as dt
import http.server
import json
import subprocess
import sys
import threading

import pytest
from conftest import ROOT, run_cli, wait_for_http

from engine.calendar import SHANGHAI
from engine.engine import Engine
from engine.live import LiveMonitor, SimulatedClock
from engine.live.outbox import Outbox, idempotency_key
from engine.state import AuditStore

REQUEST = {
    "id": "r1",
    "type": "request.received",
    "subject": "R1",
    "time": "2024-09-27T16:00",
    "body": "临沂市司法局",
}


class Webhook:
    """A real HTTP endpoint on loopback that refuses the first `failures` posts with 503."""

    def __init__(self, failures: int = 0):
        self.failures, self.seen = failures, []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.seen.append((self.headers.get("Idempotency-Key"), json.loads(body)))
                status = 503 if len(owner.seen) <= owner.failures else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


class Ticks:
    """A monotonic clock moved by hand, for the retry pauses."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def engine():
    return Engine.load()


def overdue_alert(engine, db, outbox_for):
    """A request received 2024-09-27 16:00 whose 20-working-day limit (条例第三十三条; 国庆 1-7 October 2024,
    make-up days 29 September and 12 October) ends 2024-10-30 24:00: on a clock at 2024-10-31 09:00 the
    `passed` alert is decided."""
    store = AuditStore(db)
    outbox = outbox_for(store)
    monitor = LiveMonitor(
        engine, store, SimulatedClock(dt.datetime(2024, 9, 27, 16, tzinfo=SHANGHAI)), outbox=outbox
    )
    assert monitor.accept(dict(REQUEST), "test:1") is None
    monitor.clock.set(dt.datetime(2024, 10, 31, 9, tzinfo=SHANGHAI))
    monitor.tick()
    return store, outbox


def test_a_failing_webhook_is_retried_with_one_idempotency_key_until_it_answers(engine, tmp_path):
    hook, ticks, printed = Webhook(failures=2), Ticks(), []
    try:
        store, outbox = overdue_alert(
            engine, tmp_path / "w.sqlite", lambda s: Outbox(s.db, printed.append, hook.url, clock=ticks)
        )
        assert outbox.flush() == 0 and outbox.pending() == 1  # 503: kept, retried in 2 s
        assert len(printed) == 1  # printed once, whatever the webhook does
        assert outbox.flush() == 0 and len(hook.seen) == 1  # not due yet
        ticks.now = 2.0
        assert outbox.flush() == 0 and len(hook.seen) == 2  # 503 again: next try 4 s later
        ticks.now = 5.0
        assert outbox.flush() == 0
        ticks.now = 6.0
        assert outbox.flush() == 1 and outbox.pending() == 0
        keys = {key for key, _ in hook.seen}
        assert len(hook.seen) == 3 and len(keys) == 1
        alert = hook.seen[-1][1]
        assert (alert["alert"], alert["subject"], alert["due"]) == (
            "passed",
            "R1",
            "2024-10-31T00:00:00+08:00",
        )
        assert keys == {idempotency_key(f"passed|{alert['rule']}|R1|r1|{alert['due']}")}
        assert json.loads(printed[0]) == alert
        store.close()
    finally:
        hook.close()


def test_an_alert_decided_but_not_delivered_is_delivered_by_the_next_start(engine, tmp_path):
    """The process dies after the alert was decided and before it was delivered (here: never flushed): the
    next `shixian watch` delivers it, once; a third start delivers nothing again."""
    db = tmp_path / "w.sqlite"
    store, _ = overdue_alert(engine, db, lambda s: Outbox(s.db, lambda line: None, None))
    store.close()
    hook = Webhook()
    try:
        first = run_cli(
            "watch", "--db", str(db), "--simulate-from", "2024-10-31T09:00", "--webhook", hook.url, stdin=""
        )
        assert first.returncode == 0, first.stderr
        assert [json.loads(line)["subject"] for line in first.stdout.splitlines()] == ["R1"]
        assert [alert["subject"] for _, alert in hook.seen] == ["R1"]
        again = run_cli(
            "watch", "--db", str(db), "--simulate-from", "2024-10-31T10:00", "--webhook", hook.url, stdin=""
        )
        assert again.returncode == 0 and again.stdout == "" and len(hook.seen) == 1
    finally:
        hook.close()


def test_a_webhook_that_is_down_keeps_the_alert_for_the_next_start(engine, tmp_path):
    db = tmp_path / "w.sqlite"
    down = run_cli(
        "watch",
        "--db",
        str(db),
        "--simulate-from",
        "2024-09-27T09:00",
        "--webhook",
        "http://127.0.0.1:9/alerts",
        stdin=json.dumps(REQUEST) + '\n{"clock": "2024-10-31T09:00"}\n',
    )
    assert down.returncode == 0, down.stderr
    assert "投递失败" in down.stderr and "1 条提醒尚未送达" in down.stderr
    assert [json.loads(line)["subject"] for line in down.stdout.splitlines()] == ["R1"]  # printed at once
    hook = Webhook()
    try:
        up = run_cli(
            "watch", "--db", str(db), "--simulate-from", "2024-10-31T10:00", "--webhook", hook.url, stdin=""
        )
        assert up.returncode == 0 and up.stdout == ""  # printed before; now only posted
        assert [alert["subject"] for _, alert in hook.seen] == ["R1"]
    finally:
        hook.close()


# ---- large checks off the event loop ---------------------------------------------------------------------------
PLAN = {
    "document": {
        "subject": "LY-2021-200",
        "body": "临沂市司法局",
        "doc_type": "政策文件",
        "disclosure": "主动公开",
        "issued_at": "2021-09-24T10:00",
    },
    "publish_at": "2021-10-08T10:00",
}


def history(count: int) -> list[dict]:
    return [
        {
            "id": f"H{k}",
            "type": "request.received" if k % 2 else "request.replied",
            "subject": f"R{k // 2}",
            "time": f"2021-0{1 + k % 9}-1{k % 9}T10:00",
            "body": "临沂市司法局",
        }
        for k in range(count)
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from webserver import free_port

    token = tmp_path_factory.mktemp("tok") / "token"
    token.write_text("s3cret", encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine",
            "serve",
            "--port",
            str(port),
            "--max-body",
            "4000000",
            "--token-file",
            str(token),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert wait_for_http(port)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def post(port, data: bytes, token: str | None = "s3cret"):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    conn.request("POST", "/v1/check", body=data, headers=headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read())


def test_a_large_plan_gets_the_same_answer_as_in_process(engine, server):
    plan = {**PLAN, "events": history(2000)}  # about 260 KB: checked in the worker process
    data = json.dumps(plan, ensure_ascii=False).encode("utf-8")
    assert len(data) > 64 << 10
    status, answer = post(server, data)
    assert status == 200
    assert answer == json.loads(json.dumps(engine.check(plan).to_json(), ensure_ascii=False))


def test_a_large_plan_is_refused_like_a_small_one(server):
    bad = {**PLAN, "events": history(2000), "publish_at": "9999-12-31T10:00"}
    status, answer = post(server, json.dumps(bad).encode())
    assert status == 422 and answer["detail"][0]["loc"] == ["body", "publish_at"]
    assert "超出可处理的范围" in answer["detail"][0]["msg"] and "H1999" not in json.dumps(answer)
    status, answer = post(server, json.dumps({**PLAN, "events": history(10_001)}).encode())
    assert status == 422 and answer["detail"][0]["loc"] == ["body", "events"]  # at most 10,000 events
    status, answer = post(server, b'{"document": ' + b" " * 70_000 + b"NaN}")
    assert status == 422 and answer["detail"][0]["type"] == "json_invalid"
    assert post(server, json.dumps({**PLAN, "events": history(2000)}).encode(), token=None)[0] == 401
    assert post(server, json.dumps({**PLAN, "events": history(2000)}).encode(), token="wrong")[0] == 401


def test_a_worker_that_could_not_load_its_rules_says_so_in_chinese(monkeypatch):
    """The worker reads the rule files itself; one edited into an error before it loads them gives each large
    check a 503 naming the error, not a worker traceback on stderr."""
    from engine import checkpool

    monkeypatch.setattr(checkpool, "_ENGINE", None)
    monkeypatch.setattr(checkpool, "_LOAD_ERROR", "extra.yaml:9: within")
    status, text = checkpool._check(b"{}")
    assert status == 503
    detail = json.loads(text)["detail"]
    assert detail.startswith("大型检查进程未能载入规则") and "extra.yaml:9: within" in detail
