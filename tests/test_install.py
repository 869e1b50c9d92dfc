"""A plain, non-editable install finds the bundled calendars (and rules) from any directory."""

import os
import subprocess
import sys
import zipfile

from conftest import ROOT


def test_wheel_carries_data_and_runs_from_elsewhere(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("shixian-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "engine/_data/calendars/national/2006.yaml" in names
    assert "engine/_data/ledgers/requests.yaml" in names and "engine/ledger/rows.py" in names
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-m", "engine", "calendar", "coverage"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"file  {site}/engine/_data/calendars/national/2006.yaml" in result.stdout
    assert "correction  2005-12-31 work" in result.stdout
