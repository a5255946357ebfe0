"""Parquet exports: read a record batch at a time, never the whole table.

pyarrow is optional (``pip install 'mention_insight[parquet]'``) and imported only when a
Parquet file is read or written. Cells come back as a JSON export's would: text as text,
numbers as numbers, nulls as ``None``; dates and timestamps as ISO 8601 text (the date
reader's format), bytes decoded as UTF-8. A record's ``line`` is its 1-based row number.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from ..errors import InputFormatError, MissingDependencyError
from .columns import map_columns, unique_names
from .records import ColumnMap, Record

#: Rows read per batch (a row group is read in slices of this many rows).
BATCH_ROWS = 1024
#: Data rows shown to the text-column guess when no column is recognised.
GUESS_ROWS = 50


def require_pyarrow(doing: str):
    """``(pyarrow, pyarrow.parquet)``, or a clear error saying how to install them."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise MissingDependencyError(
            f"{doing} needs pyarrow, which is not installed: pip install 'mention_insight[parquet]' "
            "(or pip install pyarrow), or use CSV."
        ) from None
    return pyarrow, pyarrow.parquet


def _unreadable(name: str, exc: Exception) -> InputFormatError:
    return InputFormatError(
        f"{name} is not a readable Parquet file ({exc}); it may be truncated or not Parquet at all: "
        "write it again (e.g. pandas DataFrame.to_parquet), or export it as CSV and read that."
    )


def _values(array) -> list[Any]:
    """The cells of one column of a batch, as a JSON export would give them."""
    import pyarrow as pa

    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.dictionary_decode()
        kind = array.type
    if pa.types.is_timestamp(kind) and kind.unit == "ns":  # a datetime holds microseconds
        array = array.cast(pa.timestamp("us", kind.tz), safe=False)
    elif pa.types.is_time64(kind) and kind.unit == "ns":
        array = array.cast(pa.time64("us"), safe=False)
    values = array.to_pylist()
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind) or pa.types.is_time(kind):
        return [None if v is None else v.isoformat() for v in values]
    if pa.types.is_decimal(kind):
        return [None if v is None else str(v) for v in values]
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        return [None if v is None else v.decode("utf-8", errors="replace") for v in values]
    return values


def _rows(batch) -> list[tuple]:
    return list(zip(*(_values(batch.column(i)) for i in range(batch.num_columns))))


def read_parquet(
    stream: IO[bytes], name: str, overrides: dict, batch_rows: int = BATCH_ROWS
) -> tuple[list[str], ColumnMap, Iterator[Record]]:
    """Columns, their roles and the records of a Parquet file; ``stream`` must be seekable."""
    pa, pq = require_pyarrow("reading Parquet")
    try:
        parquet = pq.ParquetFile(stream)
        columns = unique_names(list(parquet.schema_arrow.names))
        total = parquet.metadata.num_rows
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(name, exc) from None
    if total == 0:
        raise InputFormatError(f"{name} holds no rows: expected a Parquet file with one row per mention.")
    batches = parquet.iter_batches(batch_size=batch_rows)
    done = 0

    def next_rows() -> list[tuple] | None:
        try:
            batch = next(batches, None)
            return None if batch is None else _rows(batch)
        except (pa.ArrowException, OSError) as exc:
            raise InputFormatError(
                f"{name}: the rows after row {done} cannot be read ({exc}); the file is damaged: "
                "write it again, or export it as CSV."
            ) from None

    first = next_rows() or []
    mapping = map_columns(columns, overrides, [list(r) for r in first[:GUESS_ROWS]])

    def records() -> Iterator[Record]:
        nonlocal done
        rows: list[tuple] | None = first
        while rows is not None:
            for cells in rows:
                done += 1
                yield Record(done, dict(zip(columns, cells)))
            rows = next_rows()

    return columns, mapping, records()
