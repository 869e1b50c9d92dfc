"""Pausing Python's cyclic garbage collector while an audit builds its objects.

Evaluation and report writing create hundreds of thousands of short-lived containers (findings, their
dicts and lists) and almost no reference cycles; the collector's passes over them cost about a fifth of
a large audit's time (bench/RESULTS.md). Reference counting still frees everything as usual; the collector
resumes when the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
