"""An event: something that happened to a subject (a document, request, incident, task) at an instant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

CORE_FIELDS = ("id", "type", "subject", "time", "body", "department")


@dataclass(slots=True)
class Event:
    id: str
    type: str
    subject: str
    time: dt.datetime  # aware
    body: str
    department: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    date_only: bool = False  # the log gave a date without a time: "that day"
    origin: str = ""  # file:line, for messages

    def get(self, name: str) -> Any:
        """A core field or a free attribute, by name (used by applies_to filters)."""
        if name in ("id", "type", "subject", "body", "department"):
            return getattr(self, name)
        return self.attrs.get(name)

    def to_json(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.date().isoformat() if self.date_only else self.time.isoformat(),
            "body": self.body,
            "department": self.department,
        }
        out.update(self.attrs)
        return out
