"""Reading event logs (JSON Lines, CSV) into typed events; malformed lines are kept aside, never lost."""

from .read import EventLog, Reject, event_from_record, read_events, stream_events, write_rejects

__all__ = ["EventLog", "Reject", "event_from_record", "read_events", "stream_events", "write_rejects"]
