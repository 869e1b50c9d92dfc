"""Alerts of the live monitor delivered at least once: recorded first, delivered after, marked after that.

An alert the monitor decides to send is written to the `alert_outbox` table in the same transaction that
remembers it was decided (so a kill can lose neither); then it is printed on stdout and, with a webhook,
POSTed with an `Idempotency-Key` header (the alert's stable key) and marked delivered only when the webhook
answered 2xx. A webhook that fails is retried on later ticks with growing pauses (2 s doubling up to 10
minutes, for as long as it takes); on start, `shixian watch` delivers whatever the last process left
undelivered. A kill after a delivery but before it was marked repeats that one alert: the receiver
recognises it by its Idempotency-Key.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable

SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_outbox (
    key TEXT PRIMARY KEY,          -- the alert's stable key (engine/live/monitor.py)
    payload TEXT NOT NULL,         -- the alert as JSON
    printed INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0,
    delivered_at TEXT
)
"""
FIRST_PAUSE, LONGEST_PAUSE = 2.0, 600.0


def alert_line(alert: dict) -> str:
    """An alert as it is printed (one JSON line) and posted."""
    return json.dumps(alert, ensure_ascii=False)


def idempotency_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def post_webhook(url: str, alert: dict, key: str, timeout: float = 5) -> None:
    """POST one alert; raises OSError (or URLError) unless the webhook answered 2xx."""
    request = urllib.request.Request(
        url,
        data=alert_line(alert).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": idempotency_key(key)},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()


class Outbox:
    def __init__(self, db, write: Callable[[str], None], webhook: str | None = None, clock=time.time):
        self.db, self.write, self.webhook, self.clock = db, write, webhook, clock
        db.execute(SCHEMA)

    def add(self, key: str, alert: dict) -> None:
        """Enqueue (inside the caller's transaction: the monitor remembers the alert in the same one)."""
        self.db.execute(
            "INSERT OR IGNORE INTO alert_outbox (key, payload) VALUES (?, ?)", (key, alert_line(alert))
        )

    def pending(self) -> int:
        return self.db.execute("SELECT count(*) FROM alert_outbox WHERE delivered_at IS NULL").fetchone()[0]

    def flush(self, everything: bool = False) -> int:
        """Deliver what is due (with `everything`, what is pending, pauses or not: on start), oldest first;
        returns how many were delivered now."""
        now, delivered = self.clock(), 0
        rows = self.db.execute(
            "SELECT rowid, key, payload, printed, attempts FROM alert_outbox "
            "WHERE delivered_at IS NULL AND next_at <= ? ORDER BY rowid",
            (float("inf") if everything else now,),
        ).fetchall()
        for rowid, key, payload, printed, attempts in rows:
            if not printed:
                self.write(payload)
                self.db.execute("UPDATE alert_outbox SET printed = 1 WHERE rowid = ?", (rowid,))
            if self.webhook:
                try:
                    post_webhook(self.webhook, json.loads(payload), key)
                except (urllib.error.URLError, OSError, ValueError) as exc:
                    pause = min(LONGEST_PAUSE, FIRST_PAUSE * 2**attempts)
                    self.db.execute(
                        "UPDATE alert_outbox SET attempts = attempts + 1, next_at = ? WHERE rowid = ?",
                        (now + pause, rowid),
                    )
                    print(
                        f"shixian watch: webhook {self.webhook} 投递失败，{pause:.0f} 秒后重试 (delivery failed, "
                        f"retrying): {exc}",
                        file=sys.stderr,
                        flush=True,
                    )
                    continue
            self.db.execute(
                "UPDATE alert_outbox SET delivered_at = datetime('now') WHERE rowid = ?", (rowid,)
            )
            delivered += 1
        return delivered
