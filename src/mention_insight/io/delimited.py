"""CSV and TSV exports: header detection, the text column of a headerless file, ragged rows kept with an error."""

from __future__ import annotations

import csv

from ..errors import InputFormatError
from .columns import guess_text_column, map_columns, unique_names
from .records import Record

MAX_FIELD = 1 << 20


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _looks_like_data(cells: list[str]) -> bool:
    """A first row of data rather than a header (e.g. the complaints set has no header)."""
    return any(c.strip().isdigit() or len(c) > 40 for c in cells)


def read_csv(lines, delimiter, name, overrides, header: bool | None):
    csv.field_size_limit(MAX_FIELD)
    # Physical lines and quote characters read so far: a record that spans several
    # lines with an odd number of quotes had a quote opened and never closed.
    state = {"lines": 0, "quotes": 0}

    def feed():
        for _, line in lines:
            state["lines"] += 1
            state["quotes"] += line.count('"')
            yield line

    reader = csv.reader(feed(), delimiter=delimiter)

    def next_row():
        """(row, first line, last line, odd quotes); blank lines are skipped."""
        while True:
            start, quotes = state["lines"] + 1, state["quotes"]
            try:
                row = next(reader)
            except StopIteration:
                return None, start, start, False
            except csv.Error as exc:
                raise InputFormatError(
                    f"{name}, line {start}: {exc}. A quote is probably unbalanced; fix it or export the file again."
                ) from exc
            if row and any(cell.strip() for cell in row):
                return row, start, state["lines"], (state["quotes"] - quotes) % 2 == 1

    first, *_ = next_row()
    if first is None:
        raise InputFormatError(f"{name} is empty: expected a header row and at least one mention.")
    buffered: list[tuple] = []
    if header is None:
        header = not _looks_like_data(first)
    if header:
        columns = unique_names([c.strip() for c in first])
    else:
        columns = [f"column_{i + 1}" for i in range(len(first))]
        buffered.append((first, 1, 1, False))
        while len(buffered) < 50:
            item = next_row()
            if item[0] is None:
                break
            buffered.append(item)
        if not (overrides or {}).get("text"):
            guess = guess_text_column(columns, [item[0] for item in buffered])
            if guess:
                overrides = {**(overrides or {}), "text": guess}
    mapping = map_columns(columns, overrides)

    def records():
        width = len(columns)
        pending = iter(buffered)
        while True:
            item = next(pending, None) or next_row()
            row, start, end, odd_quotes = item
            if row is None:
                return
            data = dict(zip(columns, row))
            error = None
            if odd_quotes and end > start:
                error = (
                    f"lines {start}-{end}: a quote opened in this row is not closed, so {end - start + 1} lines "
                    "were read as one row; fix the quote"
                )
            elif len(row) != width:
                extra = f" (extra: {row[width:]!r})" if len(row) > width else ""
                error = (
                    f"line {start}: {len(row)} fields but the header has {width}{extra}; "
                    "check the quoting or delimiter of this row"
                )
            for c in columns[len(row) :]:
                data[c] = ""
            yield Record(start, data, error)

    return columns, mapping, records()
