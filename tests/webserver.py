"""A real `shixian serve --db` over a real audit of the bundled examples, for the workbench tests."""

import http.client
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from conftest import ROOT, run_cli, wait_for_http

EXAMPLES = [
    "examples/shanghai-2024/events.jsonl",
    "examples/linyi-2021/events.jsonl",
    "examples/binhai-2017/events.jsonl",
    "examples/jiangsu-2018/events.jsonl",
]
TOKENS = {
    "reader": "read-token-0123456789",
    "officer": "waive-token-0123456789",
    "admin": "admin-token-0123456789",
}
SHARED = "shared-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_db(folder: Path) -> Path:
    """The demo's audit (make demo), recorded in a fresh database in `folder`."""
    db = folder / "audit.sqlite"
    result = run_cli(
        "audit",
        "--events",
        *EXAMPLES,
        "--as-of",
        "2024-12-31",
        "--db",
        str(db),
        "--fail-on",
        "never",
        "--rejects",
        str(folder / "rejects.jsonl"),
    )
    assert result.returncode == 0, result.stderr
    return db


def start(db: Path, folder: Path, users: bool = True):
    """The server with a users file (reader 只读, officer 可豁免, admin) and the API's shared token."""
    port = free_port()
    args = [sys.executable, "-m", "engine", "serve", "--db", str(db), "--port", str(port)]
    if users:
        users_file = folder / "users.yaml"
        users_file.write_text(
            "users:\n"
            + "".join(
                f"  - {{name: {name}, role: {role}, token: {TOKENS[key]}}}\n"
                for key, name, role in (
                    ("reader", "李四", "read"),
                    ("officer", "张三", "waive"),
                    ("admin", "王五", "admin"),
                )
            ),
            encoding="utf-8",
        )
        token_file = folder / "token"
        token_file.write_text(SHARED, encoding="utf-8")
        args += ["--users", str(users_file), "--token-file", str(token_file)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if not wait_for_http(port):
        proc.kill()
        raise AssertionError(proc.stderr.read().decode())
    wait_until_evaluated(port, TOKENS["reader"] if users else "")
    return port, proc


def wait_until_evaluated(port: int, token: str, seconds: float = 180) -> None:
    """The server reads the latest run's inputs again in the background from its start
    (engine/web/evaluation.py): wait until the overview no longer says it is computing."""
    client = Client(port)
    assert client.login(token, "测试") == 303
    deadline = time.monotonic() + seconds
    while 'id="evaluation-pending"' in client.get("/")[2].decode():
        assert time.monotonic() < deadline, "the background evaluation did not finish"
        time.sleep(0.2)


class Client:
    """A browser-less session: keeps the cookie, follows nothing (tests look at each redirect)."""

    def __init__(self, port: int):
        self.port, self.cookie = port, None

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookie:
            headers["Cookie"] = self.cookie
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        cookie = response.getheader("set-cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, response.getheader("location"), payload

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)

    def login(self, token: str = "", name: str = "") -> int:
        return self.post("/login", {"token": token, "name": name, "next": "/"})[0]

    def csrf(self, path: str = "/") -> str:
        page = self.get(path)[2].decode()
        return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
