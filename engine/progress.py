"""A progress bar on stderr for long runs, shown only on a terminal (never when output is piped)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, total: int | None = None, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.label, self.total, self.done = label, total, 0
        self._last = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.enabled and time.monotonic() - self._last > 0.1:
            self._last = time.monotonic()
            self._draw()

    def _draw(self) -> None:
        if self.total:
            filled = int(30 * min(self.done / self.total, 1))
            bar = "█" * filled + "·" * (30 - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.done:,}/{self.total:,}")
        else:
            self.stream.write(f"\r{self.label} {self.done:,}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
