"""Excel workbooks (.xlsx): the first sheet (or a named one), read like a CSV export.

Analysts keep exports in Excel. Cells come back as text: dates as ISO 8601, whole numbers
without a trailing ``.0`` (an id Excel stored as a number stays readable, though Excel
itself keeps only 15 significant digits of a long id). The header row is found as in a
CSV, below a metadata block if there is one (``skip_rows`` overrides); a row with more
cells than the header keeps its place with an error.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import IO

from ..errors import InputFormatError
from .columns import map_columns, unique_names
from .delimited import HEADER_SEARCH_ROWS
from .layouts import header_score
from .records import ColumnMap, Record


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(
    stream: IO[bytes], name: str, overrides: dict, skip_rows: int | None = None, sheet: str | None = None
) -> tuple[list[str], ColumnMap, list[Record]]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a core dependency
        raise InputFormatError("reading .xlsx needs openpyxl: pip install openpyxl") from None
    data = stream.read()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputFormatError(
            f"{name} cannot be read as an Excel workbook ({type(exc).__name__}: {exc}); save it again as .xlsx "
            "or export it as CSV."
        ) from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise InputFormatError(f"{name} has no sheet {sheet!r}; its sheets are {', '.join(book.sheetnames)}.")
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        rows = [
            (n, [cell_text(v) for v in values])
            for n, values in enumerate(ws.iter_rows(values_only=True), 1)
            if any(v is not None and str(v).strip() for v in values)
        ]
    finally:
        book.close()
    if skip_rows:
        if skip_rows >= len(rows):
            raise InputFormatError(f"{name} has no more than {skip_rows} rows: lower --skip-rows.")
        rows = rows[skip_rows:]
    if not rows:
        raise InputFormatError(f"{name} is empty: expected a header row and at least one mention.")
    at = 0
    if not skip_rows and header_score(rows[0][1]) == 0:
        at = next((i for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]) if header_score(cells) >= 2), 0)
    header_line, header = rows[at]
    while header and not header[-1].strip():  # trailing empty header cells
        header = header[:-1]
    columns = unique_names([c.strip() for c in header])
    body = rows[at + 1 :]
    mapping = map_columns(columns, overrides, [cells for _, cells in body[:50]])
    mapping.header_line = header_line
    width = len(columns)
    records = []
    for n, cells in body:
        extra = [c for c in cells[width:] if c.strip()]
        error = f"line {n}: {width + len(extra)} cells but the header has {width}; check this row" if extra else None
        cells = cells[:width] + [""] * (width - len(cells))
        records.append(Record(n, dict(zip(columns, cells)), error))
    return columns, mapping, records
