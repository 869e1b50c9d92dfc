"""`--format csv`: UTF-8 with a BOM so that Excel opens the Chinese text correctly."""

from __future__ import annotations

import csv
import io

from .rows import COLUMNS, flat_rows


def write(report, stream) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"{zh} {en}" for en, zh in COLUMNS])
    writer.writerows(flat_rows(report))
    stream.write("\ufeff".encode("utf-8") + out.getvalue().encode("utf-8"))
