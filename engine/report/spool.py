"""Findings kept on disk instead of in memory, for audits with hundreds of thousands of them.

Each Dask shard writes its findings, already in report order, as lines `body<TAB>finding JSON` (the
body as hex of its UTF-8, which sorts as the text does); `SpooledFindings` merges those files lazily.
Shards hold disjoint bodies and the report is ordered by body first, so the body alone orders the merge. It behaves as the report's list of findings (len, iter)
and also hands the JSON texts straight to the JSON report, so a 10M-event audit streams its report
instead of holding it. Only severity, status and fingerprint of each finding stay in memory.
"""
from __future__ import annotations

import heapq
from collections import Counter
from pathlib import Path
from typing import Iterator, NamedTuple

import orjson

from ..model.findings import Finding
from .json_report import finding_text


class Head(NamedTuple):
    """What deciding the exit code needs of a finding (see Report.failing)."""

    severity: str
    status: str
    fingerprint: str


def spool_line(finding: Finding) -> tuple[bytes, list[str]]:
    """The finding's line in a shard's spool file, and its head (severity, status, fingerprint)."""
    data = finding.to_json()
    line = finding.body.encode("utf-8").hex().encode("ascii") + b"\t" + finding_text(data) + b"\n"
    return line, [data["severity"], data["status"], data["fingerprint"]]


def _body_key(line: bytes) -> bytes:
    return line[:line.index(b"\t")]


class SpooledFindings:
    def __init__(self, files: list[Path], heads: list[Head], keep_alive=None):
        self.files, self.heads = files, heads
        self._keep_alive = keep_alive  # e.g. the temporary directory holding the files
        self.counts = dict(Counter(h.status for h in heads))

    def __len__(self) -> int:
        return len(self.heads)

    def __bool__(self) -> bool:
        return bool(self.heads)

    def texts(self) -> Iterator[bytes]:
        """The findings' JSON texts (UTF-8) in report order, merged from the sorted shard files as bytes."""
        streams = [open(path, "rb") for path in self.files]
        try:
            for line in heapq.merge(*streams, key=_body_key):
                yield line[line.index(b"\t") + 1:-1]
        finally:
            for stream in streams:
                stream.close()

    def __iter__(self) -> Iterator[Finding]:
        for text in self.texts():
            yield Finding.from_json(orjson.loads(text))
