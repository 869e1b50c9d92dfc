"""Events already built (a plan, a rule test, a request, the workbench's re-read) as a frame, so that they
are judged by the same pipeline as a log's (engine/pipeline.py).

Those a log line could have given as a plain row go into columns, from the texts that line would have; the
rest stay as the objects they are (odd rows). Every event given is judged: unlike a log's reader, repeated
ids are not collected into one.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..model.events import CORE_FIELDS, Event
from ..ruleset.loader import RuleSet
from .frame import Frame, FrameReader
from .screen import attributes_read


def events_frame(ruleset: RuleSet, events: list[Event]) -> Frame:
    """The events as a frame, in the order given (the order among events of the same instant)."""
    plain, odd = [], []
    kinds: dict[str, set[type]] = {}
    for k, event in enumerate(events):
        record = _plain_record(event)
        if record is None:
            odd.append(k)
            continue
        plain.append((k, record))
        for name, value in record.items():
            kinds.setdefault(name, set()).add(type(value))
    mixed = {name for name, types in kinds.items() if len(types) > 1}  # one type per column: else row by row
    if mixed:
        odd += [k for k, record in plain if mixed.intersection(record)]
        plain = [(k, record) for k, record in plain if not mixed.intersection(record)]
    reader = FrameReader(None, attributes_read(ruleset), collect_repeats=False)
    if plain:
        names = list(dict.fromkeys(name for _, record in plain for name in record))
        table = pa.table({name: [record.get(name) for _, record in plain] for name in names})
        rows = np.array([k for k, _ in plain], np.int64)
        reader.add_table(table, "events", rows + 1, rows)
    for k in sorted(odd):
        reader.odd.append((k, "events", k + 1, events[k].to_json(), events[k]))
        reader.log.lines += 1
    return reader.frame()


def _plain_record(event: Event) -> dict | None:
    """The record of a log line that reads back as `event` in columns (naive Shanghai time to the second,
    core texts, attributes of text or whole numbers), or None when there is none."""
    time = event.time
    if getattr(time.tzinfo, "key", None) != "Asia/Shanghai" or time.microsecond or time.year < 1992:
        return None
    if event.date_only and (time.hour, time.minute, time.second) != (0, 0, 0):
        return None
    core = (event.id, event.type, event.subject, event.body)
    if not all(isinstance(v, str) and v for v in core) or not isinstance(event.department, str):
        return None
    record = {
        "id": event.id,
        "type": event.type,
        "subject": event.subject,
        "time": time.date().isoformat() if event.date_only else f"{time:%Y-%m-%dT%H:%M:%S}",
        "body": event.body,
        "department": event.department,
    }
    for name, value in event.attrs.items():
        if (
            name in CORE_FIELDS
            or name in ("tz", "attrs")
            or value in (None, "")
            or isinstance(value, bool)
            or not isinstance(value, (str, int))
            or (isinstance(value, int) and not -(2**63) <= value < 2**63)
        ):
            return None
        record[name] = value
    return record
