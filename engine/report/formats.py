"""Every output format, chosen here and only here: its name (what `--format` accepts, in this order), the
module that writes it and the content type it is served with. Each format module has one entry point,
`write(report, stream)`, writing bytes to a binary stream; modules are imported when used (openpyxl is
slow to import and most runs write one format).
"""

from __future__ import annotations

import importlib
import io
from typing import BinaryIO, NamedTuple

from .contents import Report


class Format(NamedTuple):
    name: str
    module: str  # engine.report.<module>, with write(report, stream)
    content_type: str


FORMATS = {
    f.name: f
    for f in (
        Format("table", "table", "text/plain; charset=utf-8"),
        Format("json", "json_report", "application/json"),
        Format("csv", "csv_report", "text/csv; charset=utf-8"),
        Format("xlsx", "xlsx_report", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        Format("junit", "junit", "application/xml"),
        Format("sarif", "sarif", "application/sarif+json"),
        Format("html", "html_report", "text/html; charset=utf-8"),
    )
}
FORMAT_NAMES = tuple(FORMATS)


def write(report: Report, fmt: str, stream: BinaryIO) -> None:
    """Write the report in format `fmt` to a binary stream (a file, stdout, an HTTP body)."""
    importlib.import_module(f"{__package__}.{FORMATS[fmt].module}").write(report, stream)


def render(report: Report, fmt: str) -> bytes:
    """The report in format `fmt` as bytes."""
    out = io.BytesIO()
    write(report, fmt, out)
    return out.getvalue()
