"""Reports: one module per format, each writing a `Report` (contents.py) to a stream; the formats are
chosen in one registry (formats.py), the spreadsheet rows written once (rows.py).
"""

from .contents import Report
from .formats import FORMAT_NAMES, FORMATS, Format, render, write

__all__ = ["FORMATS", "FORMAT_NAMES", "Format", "Report", "render", "write"]
