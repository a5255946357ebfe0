"""Writing rows: CSV or JSON Lines (or Parquet, :mod:`.parquet_writer`), atomically
(:mod:`.atomic`), or to stdout with ``"-"``; :func:`row_writer` opens the one for a format."""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import InputFormatError
from .atomic import atomic_file
from .safety import spreadsheet_safe

OUTPUT_FORMATS = ("csv", "jsonl", "parquet")


def output_format_for(path: str, forced: str | None = None) -> str:
    if forced:
        if forced not in OUTPUT_FORMATS:
            raise InputFormatError(
                f"unknown output format {forced!r}: expected {', '.join(OUTPUT_FORMATS[:-1])} or {OUTPUT_FORMATS[-1]}."
            )
        return forced
    lower = str(path).lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith(".parquet"):
        return "parquet"
    return "csv"


def row_writer(
    path: str | Path,
    fmt: str,
    columns: Sequence[str] | None = None,
    *,
    raw: bool = False,
    kinds: Mapping[str, str] | None = None,
):
    """The writer for ``fmt`` (one of :data:`OUTPUT_FORMATS`): a :class:`RowWriter`, or for
    Parquet a :class:`~.parquet_writer.ParquetRowWriter` with typed ``kinds`` columns
    (column -> "number" or "list"; ``raw`` is a CSV matter)."""
    if fmt == "parquet":
        from .parquet_writer import ParquetRowWriter

        return ParquetRowWriter(path, columns, kinds)
    return RowWriter(path, fmt, columns, raw=raw)


def _cell(value: Any) -> str:
    kind = type(value)
    if kind is str:  # most cells: the input's own columns
        return value
    return _other_cell(value)


def _safe_cell(value: Any) -> str:
    if type(value) is str:
        return spreadsheet_safe(value) if value and value[0] in "'=+-@\t\r" else value
    return spreadsheet_safe(_other_cell(value))


def _other_cell(value: Any) -> str:
    kind = type(value)
    if kind is float:  # the scores
        return f"{value:.4f}"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (tuple, set)):
        return ";".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


class RowWriter:
    """Rows out to a CSV or JSONL file (or stdout), committed by :meth:`close`.

    With CSV, ``columns`` fixes the header; when ``columns=None`` the rows are spooled and
    the header is the union of their keys. CSV cells are made spreadsheet-safe
    (:func:`~.safety.spreadsheet_safe`) unless ``raw=True``.
    """

    def __init__(self, path: str | Path, fmt: str, columns: Sequence[str] | None = None, *, raw: bool = False):
        self.path = str(path)
        self.fmt = fmt
        self._cell = _cell if raw else _safe_cell
        self.columns = list(columns) if columns is not None else None
        self._stack = contextlib.ExitStack()
        if self.path == "-":
            self._fh: IO[str] = sys.stdout
        else:
            self._fh = self._stack.enter_context(atomic_file(self.path, newline=""))
        self._spool: list[dict] | None = None
        self._writer: Any = None
        if fmt == "csv":
            if self.columns is None:
                self._spool = []
            else:
                self._writer = csv.writer(self._fh)
                self._writer.writerow([self._cell(c) for c in self.columns])

    def write(self, row: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self._fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        elif self._spool is not None:
            self._spool.append(row)
        else:
            cell = self._cell
            self._writer.writerow([cell(row.get(c)) for c in self.columns or ()])

    def close(self) -> None:
        """Finish the output and move it into place."""
        if self._spool is not None:
            cols: dict[str, None] = {}
            for row in self._spool:
                for k in row:
                    cols.setdefault(k, None)
            writer = csv.writer(self._fh)
            writer.writerow([self._cell(c) for c in cols])
            for row in self._spool:
                writer.writerow([self._cell(row.get(c)) for c in cols])
            self._spool = None
        self._fh.flush()
        self._stack.close()

    def __enter__(self) -> RowWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:  # the atomic file is dropped: the target is left as it was
            self._stack.__exit__(exc_type, exc, tb)
