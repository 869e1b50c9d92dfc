"""A ledger file as rows of cells: an Excel workbook's sheet, or a CSV file in whatever encoding Excel on
Chinese Windows saved it in.

xlsx is read by python-calamine (a Rust reader): 100,000 rows in about 1 s here against 12 s for
openpyxl's read-only mode (bench/RESULTS.md). Date cells come as datetimes, numbers as floats, text as
text. CSV is read as UTF-8 (with or without a byte order mark) when it decodes as UTF-8, else as GB18030
(a superset of GBK and GB2312), record by record as CSV event logs are (engine/events/csvlog.py); the
encoding assumed is kept so every message about the file can say it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ShixianError

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


@dataclass
class Sheet:
    """One table of a ledger: rows of cells, row 1 first (an Excel sheet keeps its own row numbers)."""

    file: str
    name: str  # the sheet's name; for CSV, the file's name
    rows: list[list]
    encoding: str | None = None  # CSV only: the encoding the text was read in
    bad: dict[int, str] = field(default_factory=dict)  # CSV only: row number -> why the row could not be read

    @property
    def where(self) -> str:
        """How messages name this table: 工作表「登记台账」, or the CSV file with its encoding."""
        if self.encoding is None:
            return f"工作表「{self.name}」"
        return f"CSV（按 {self.encoding.upper()} 编码读取）"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column part of an A1 reference."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The named sheet (default: the first) of a workbook, or the rows of a CSV file."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _excel(path, sheet)
    return _csv(path)


def _excel(path: Path, sheet: str | None) -> Sheet:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # a damaged file, or not a workbook at all: say so, do not crash
        raise ShixianError(f"{path}: 不是可读取的Excel工作簿 (not a readable workbook: {exc})") from None
    names = list(book.sheet_names)
    if sheet is None:
        if not names:
            raise ShixianError(f"{path}: 工作簿中没有工作表 (no sheets)")
        sheet = names[0]
    elif sheet not in names:
        from ..suggest import did_you_mean

        raise ShixianError(
            f"{path}: 没有名为「{sheet}」的工作表{did_you_mean(sheet, names)}"
            f"（现有：{'、'.join(names)}） (no such sheet)"
        )
    try:
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise ShixianError(f"{path}: 工作表「{sheet}」无法读取 (unreadable sheet: {exc})") from None
    return Sheet(str(path), sheet, rows)


def _csv(path: Path) -> Sheet:
    """A CSV ledger read record by record as CSV event logs are (engine/events/csvlog.py, the one home of CSV
    reading): a field over the csv module's limit, a quote left open or a line in another encoding costs its
    own row, kept in `bad` and rejected with its number, never the file (a long cell crashed it before)."""
    from ..events.csvlog import csv_rows, physical_lines

    lines, raw, encoding = physical_lines(Path(path).read_bytes())
    rows: list[list] = []
    bad: dict[int, str] = {}
    for _, _, cells in csv_rows(lines, raw, []):  # one row per record, as Excel numbers them
        if isinstance(cells, Exception):
            bad[len(rows) + 1] = str(cells)
            cells = []
        rows.append(cells)
    return Sheet(str(path), path.name, rows, encoding, bad)
