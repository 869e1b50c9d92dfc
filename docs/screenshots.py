"""Screenshots of the workbench at 1280 px and 400 px wide, for a reviewer (and the README's picture).

Starts `shixian serve --db out/audit.sqlite` (run `make demo` first), logs in with headless Chromium
(Debian's chromium + chromedriver, as the tests), and writes one PNG per page and width into
out/screenshots/. Run: make screenshots   (or .venv/bin/python docs/screenshots.py [--db FILE] [--out DIR])
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (1280, 400)


def pages(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT fingerprint FROM findings WHERE rule = 'ogi.request-reply' ORDER BY subject LIMIT 1"
        ).fetchone()
    return [
        ("overview", "/"),
        ("findings", "/findings?q=%E6%B1%9F%E8%8B%8F"),
        ("finding", f"/findings/{row[0]}" if row else "/findings"),
        ("tasks", "/tasks"),
        ("check", "/check"),
        ("rules", "/rules"),
        ("calendar", "/calendar?month=2024-10"),
        ("runs", "/runs"),
        ("docs", "/docs"),
    ]


def shoot(
    base: str, db: Path, out: Path, widths=WIDTHS, only: list[str] | None = None, full: bool = True
) -> list[Path]:
    """One PNG per page and width; full: the whole page's height, else the first 900 px."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        raise SystemExit(
            "Chromium and ChromeDriver are needed (Debian: apt-get install chromium chromium-driver)"
        )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(flag)
        browser = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            browser.set_window_size(1280, 900)
            browser.get(base + "/login")
            browser.find_element(By.NAME, "name").send_keys("张三")
            browser.find_element(By.CSS_SELECTOR, "#login button").click()
            for _ in range(600):  # the server reads the run's inputs again in the background: wait for it
                browser.get(base + "/")
                if not browser.find_elements(By.ID, "evaluation-pending"):
                    break
                time.sleep(0.5)
            for name, path in pages(db):
                if only and name not in only:
                    continue
                for width in widths:
                    browser.set_window_size(width, 900)
                    browser.get(base + path)
                    time.sleep(0.3 if name != "docs" else 1.5)
                    if full:
                        height = browser.execute_script("return document.documentElement.scrollHeight")
                        browser.set_window_size(width, min(max(height, 600), 6000))
                    target = out / f"{name}-{width}.png"
                    browser.save_screenshot(str(target))
                    written.append(target)
        finally:
            browser.quit()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "out" / "audit.sqlite")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "screenshots")
    parser.add_argument(
        "--readme",
        action="store_true",
        help="also write docs/workbench.png (the overview at 1280x900) for the README",
    )
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db}: no audit database; run 'make demo' first")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--db", str(args.db), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        for path in shoot(f"http://127.0.0.1:{port}", args.db, args.out):
            print(path)
        if args.readme:
            for path in shoot(
                f"http://127.0.0.1:{port}", args.db, args.out / "readme", (1280,), ["overview"], full=False
            ):
                shutil.copy(path, ROOT / "docs" / "workbench.png")
                print(ROOT / "docs" / "workbench.png")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
