"""Columnar audit for large logs: pyarrow columns in, the same findings out (see run.py)."""

from .run import evaluate_frame, events_frame, read

__all__ = ["evaluate_frame", "events_frame", "read"]
