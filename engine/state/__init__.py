"""Audit state in SQLite: runs, the finding lifecycle, the event store and waivers."""

from .store import AuditStore, RunRecord

__all__ = ["AuditStore", "RunRecord"]
