"""Writing classified rows: CSV or JSON Lines, atomically.

A file is written to a temporary sibling and renamed over the target only when the
whole output is complete, so an interrupted run never leaves half a file behind.
``"-"`` writes to stdout.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from .errors import InputFormatError

OUTPUT_FORMATS = ("csv", "jsonl")


def output_format_for(path: str, forced: str | None = None) -> str:
    if forced:
        if forced not in OUTPUT_FORMATS:
            raise InputFormatError(f"unknown output format {forced!r}: expected csv or jsonl.")
        return forced
    lower = str(path).lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "csv"


def set_default_mode(path, directory: bool = False) -> None:
    """Give a temporary file or directory the permissions a plain open()/mkdir() would."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if directory else 0o666) & ~umask)


def _cell(value: Any) -> str:
    kind = type(value)
    if kind is str:  # most cells: the input's own columns
        return value
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


class AtomicWriter:
    """Rows out to a CSV or JSONL file (or stdout), committed by :meth:`close`.

    With CSV, ``columns`` fixes the header; a row's keys beyond it are kept as JSON in
    a final ``_extra`` column, which is added only when the columns are not known in
    advance (``columns=None``: rows are spooled, and the header is the union of keys).
    """

    def __init__(self, path: str | Path, fmt: str, columns: Sequence[str] | None = None):
        self.path = str(path)
        self.fmt = fmt
        self.columns = list(columns) if columns is not None else None
        self._to_stdout = self.path == "-"
        if self._to_stdout:
            self._fh: IO[str] = sys.stdout
            self._tmp = None
        else:
            target = Path(self.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            self._tmp = tmp
            set_default_mode(tmp)
            self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self._spool: list[dict] | None = None
        self._writer = None
        if fmt == "csv":
            if self.columns is None:
                self._spool = []
            else:
                self._writer = csv.writer(self._fh)
                self._writer.writerow(self.columns)

    def write(self, row: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self._fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        elif self._spool is not None:
            self._spool.append(row)
        else:
            self._writer.writerow([_cell(row.get(c)) for c in self.columns])

    def close(self) -> None:
        """Finish the output and move it into place."""
        if self._spool is not None:
            cols: dict[str, None] = {}
            for row in self._spool:
                for k in row:
                    cols.setdefault(k, None)
            writer = csv.writer(self._fh)
            writer.writerow(list(cols))
            for row in self._spool:
                writer.writerow([_cell(row.get(c)) for c in cols])
            self._spool = None
        self._fh.flush()
        if not self._to_stdout:
            os.fsync(self._fh.fileno())
            self._fh.close()
            os.replace(self._tmp, self.path)
            self._tmp = None

    def abort(self) -> None:
        """Drop the output; the target is left as it was."""
        if not self._to_stdout and self._tmp:
            self._fh.close()
            os.unlink(self._tmp)
            self._tmp = None

    def __enter__(self) -> AtomicWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
