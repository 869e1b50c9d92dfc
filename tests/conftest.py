import subprocess
import sys
from pathlib import Path

import pytest

from engine.calendar import load_calendar

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def cal():
    return load_calendar()


def run_cli(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True,
                          input=stdin, cwd=cwd or ROOT, timeout=120)
