import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from engine.calendar import load_calendar

ROOT = Path(__file__).resolve().parent.parent

# Tests never fail on timing: no per-example time limit (a loaded CI machine is slow, not wrong).
settings.register_profile("shixian", deadline=None)
settings.load_profile("shixian")


@pytest.fixture(scope="session")
def cal():
    return load_calendar()


def run_cli(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd or ROOT,
        timeout=120,
    )


def wait_for_http(port: int, seconds: float = 60) -> bool:
    """Wait until a server on loopback answers GET /healthz with 200."""
    import http.client
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.2)
    return False
