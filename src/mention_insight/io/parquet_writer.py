"""Writing rows to Parquet: a row group at a time, atomically (:mod:`.atomic`), or to stdout.

Columns are text unless ``kinds`` says otherwise (:func:`~.rows.column_kinds`): the scores
are float64 and ``labels`` a list of strings, so a reader gets the same labels and scores as
from the CSV. Input columns are written as text, the way the CSV writes them (lists and
objects as JSON, numbers in full); cells are not spreadsheet-escaped (no spreadsheet runs
Parquet). The file's metadata names this package, so that :func:`~.safety.check_output`
lets it be replaced.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from .atomic import atomic_file
from .parquet import require_pyarrow

#: Rows per row group.
GROUP_ROWS = 10_000
#: The file metadata key that marks a Parquet file as written by this package.
METADATA_KEY = "mention_insight"


def _text(value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (tuple, set)):
        return ";".join(str(v) for v in value)
    return str(value)


def _number(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def _strings(value: Any) -> list[str] | None:
    return None if value is None else [str(v) for v in value]


_CONVERT = {"text": _text, "number": _number, "list": _strings}


class ParquetRowWriter:
    """Rows out to a Parquet file (or stdout), committed by :meth:`close`; the same interface
    as :class:`~.writer.RowWriter`.

    ``columns`` fixes the schema; when ``columns=None`` the rows are spooled and the columns
    are the union of their keys (as the CSV writer does).
    """

    def __init__(
        self,
        path: str | Path,
        columns: Sequence[str] | None = None,
        kinds: Mapping[str, str] | None = None,
        group_rows: int = GROUP_ROWS,
    ):
        self._pa, self._pq = require_pyarrow("writing Parquet")
        self.path = str(path)
        self.columns = list(columns) if columns is not None else None
        self._kinds = dict(kinds or {})
        self._group_rows = group_rows
        self._rows: list[dict[str, Any]] = []
        self._writer: Any = None
        self._stack = contextlib.ExitStack()
        if self.path == "-":
            self._fh = sys.stdout.buffer
        else:
            self._fh = self._stack.enter_context(atomic_file(self.path, "wb"))

    def _schema(self, columns: Sequence[str]):
        pa = self._pa
        types = {"text": pa.string(), "number": pa.float64(), "list": pa.list_(pa.string())}
        fields = [pa.field(c, types[self._kinds.get(c, "text")]) for c in columns]
        return pa.schema(fields, metadata={METADATA_KEY: json.dumps({"version": __version__})})

    def _start(self, columns: Sequence[str]) -> None:
        if self._writer is None:
            self._writer = self._pq.ParquetWriter(self._fh, self._schema(columns))

    def _flush(self, columns: Sequence[str]) -> None:
        self._start(columns)
        arrays = []
        for field in self._writer.schema:
            convert = _CONVERT[self._kinds.get(field.name, "text")]
            arrays.append(self._pa.array([convert(row.get(field.name)) for row in self._rows], type=field.type))
        self._writer.write_batch(self._pa.record_batch(arrays, schema=self._writer.schema))
        self._rows = []

    def write(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if self.columns is not None and len(self._rows) >= self._group_rows:
            self._flush(self.columns)

    def close(self) -> None:
        """Finish the file (its footer) and move it into place."""
        columns = self.columns
        if columns is None:
            seen: dict[str, None] = {}
            for row in self._rows:
                seen.update(dict.fromkeys(row))
            columns = list(seen)
        self._start(columns)
        if self._rows:
            self._flush(columns)
        self._writer.close()
        self._fh.flush()
        self._stack.close()

    def __enter__(self) -> ParquetRowWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
            return
        if self._writer is not None:  # the atomic file is dropped: the target is left as it was
            with contextlib.suppress(Exception):
                self._writer.close()
        self._stack.__exit__(exc_type, exc, tb)
