"""The Dask backend's findings kept on disk instead of in memory (written and read by engine/scale.py), for
audits with hundreds of thousands of them.

Each Dask shard writes its findings, already in report order, one JSON text per line, and says where each
body's run of lines starts and ends. Shards hold disjoint bodies and the report is ordered by body first,
so the report is those runs sorted by body: `SpooledFindings` reads them as blocks of bytes, which the
JSON report writes almost as they are (a 10M-event audit streams 1.5 GB of findings this way instead
of holding them). It behaves as the report's list of findings (len, iter). Only severity, status and
fingerprint of each finding stay in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import orjson

from .model.findings import Finding, json_text


class Head(NamedTuple):
    """What deciding the exit code needs of a finding (see Report.failing)."""

    severity: str
    status: str
    fingerprint: str


class Run(NamedTuple):
    """The lines of one body's findings in a shard's spool file: bytes [start, end)."""

    body: str
    start: int
    end: int


def spool(findings: list[Finding], path: Path) -> tuple[list[list[str]], list[Run]]:
    """Write findings (in report order) to a spool file. Returns their heads (severity, status,
    fingerprint) and the run of lines of each body."""
    texts, heads, starts = [], [], []  # starts: (body, offset of its first line)
    offset, body = 0, None
    for finding in findings:
        data = finding.to_json()
        text = json_text(data)
        texts.append(text)
        heads.append([data["severity"], data["status"], data["fingerprint"]])
        if finding.body != body:
            body = finding.body
            starts.append((body, offset))
        offset += len(text) + 1
    with open(path, "wb") as out:
        out.write(b"\n".join(texts) + b"\n" if texts else b"")
    ends = [start for _, start in starts[1:]] + [offset]
    return heads, [Run(body, start, end) for (body, start), end in zip(starts, ends)]


class SpooledFindings:
    def __init__(self, files: list[Path], heads: list[Head], runs: list[list[Run]], keep_alive=None):
        self.files, self.heads, self.runs = files, heads, runs
        self._keep_alive = keep_alive  # e.g. the temporary directory holding the files
        self.counts = dict(Counter(h.status for h in heads))

    def __len__(self) -> int:
        return len(self.heads)

    def __bool__(self) -> bool:
        return bool(self.heads)

    def blocks(self) -> Iterator[bytes]:
        """The findings in report order as blocks of whole lines (one finding's JSON text, UTF-8, each)."""
        order = sorted((run.body, k, run.start, run.end) for k, runs in enumerate(self.runs) for run in runs)
        streams = [open(path, "rb") for path in self.files]
        try:
            for _, k, start, end in order:
                streams[k].seek(start)
                yield streams[k].read(end - start)
        finally:
            for stream in streams:
                stream.close()

    def texts(self) -> Iterator[bytes]:
        """The findings' JSON texts (UTF-8) in report order."""
        for block in self.blocks():
            yield from block.split(b"\n")[:-1]

    def __iter__(self) -> Iterator[Finding]:
        for text in self.texts():
            yield Finding.from_json(orjson.loads(text))
