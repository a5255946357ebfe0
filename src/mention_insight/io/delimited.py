"""CSV and TSV exports: header detection, the text column of a headerless file, ragged rows kept with an error."""

from __future__ import annotations

import csv

from ..errors import ColumnError, InputFormatError
from .columns import guess_text_column, map_columns, unique_names
from .layouts import header_score
from .records import Record

MAX_FIELD = 1 << 20


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _looks_like_data(cells: list[str]) -> bool:
    """A first row of data rather than a header (e.g. the complaints set has no header)."""
    return any(c.strip().isdigit() or len(c) > 40 for c in cells)


class _RowError(Exception):
    """A physical line the CSV reader could not turn into a row (kept with this reason)."""


#: How far down a header row below a metadata block is looked for.
HEADER_SEARCH_ROWS = 30


def read_csv(lines, delimiter, name, overrides, header: bool | None, skip_rows: int | None = None):
    csv.field_size_limit(MAX_FIELD)
    # Physical lines and quote characters read so far, and the raw lines of the current
    # record: a record that spans several lines with an odd number of quotes, or with the
    # wrong number of fields, had a quote opened and never closed; its lines are re-read
    # one by one so that no row is lost.
    state: dict = {"lines": 0, "quotes": 0, "raw": []}

    def feed():
        for _, line in lines:
            state["lines"] += 1
            state["quotes"] += line.count('"')
            state["raw"].append(line)
            yield line

    reader = csv.reader(feed(), delimiter=delimiter)

    def next_row():
        """(row, first line, last line, odd quotes, raw lines); blank lines are skipped.

        A line the reader refuses (a field over the size limit) comes back as an
        exception object in place of the row.
        """
        while True:
            start, quotes = state["lines"] + 1, state["quotes"]
            state["raw"] = []
            try:
                row = next(reader)
            except StopIteration:
                return None, start, start, False, []
            except csv.Error as exc:
                reason = str(exc)
                if "field larger than field limit" in reason:
                    reason = f"a field is longer than {MAX_FIELD:,} characters (1 MiB); shorten it"
                end = max(state["lines"], start)
                return _RowError(reason), start, end, False, list(state["raw"])
            if row and any(cell.strip() for cell in row):
                return row, start, state["lines"], (state["quotes"] - quotes) % 2 == 1, list(state["raw"])

    pending: list[tuple] = []  # rows read ahead, replayed before reading on

    def take():
        return pending.pop(0) if pending else next_row()

    if skip_rows:
        for _ in range(skip_rows):  # --skip-rows: rows above the header, skipped as told
            if take()[0] is None:
                raise InputFormatError(f"{name} has no more than {skip_rows} rows: lower --skip-rows.")
    item = take()
    first = item[0]
    if first is None:
        raise InputFormatError(f"{name} is empty: expected a header row and at least one mention.")
    if isinstance(first, _RowError):
        raise InputFormatError(f"{name}, line {item[1]}: the header row cannot be read ({first}).")
    header_line = item[1]
    if header is None and not skip_rows and header_score(first) == 0:
        # A metadata block above the header (title, query, date range): look for a row below
        # that names a text column among other known headers, and start there.
        ahead: list[tuple] = []
        while len(ahead) < HEADER_SEARCH_ROWS:
            nxt = next_row()
            if nxt[0] is None:
                break
            ahead.append(nxt)
        at = next(
            (i for i, it in enumerate(ahead) if not isinstance(it[0], _RowError) and header_score(it[0]) >= 2),
            None,
        )
        if at is not None:
            first, header_line, header = ahead[at][0], ahead[at][1], True
            pending.extend(ahead[at + 1 :])
        else:
            pending.extend(ahead)
    buffered: list[tuple] = []
    if header is None:
        header = not _looks_like_data(first)
    if header:
        columns = unique_names([c.strip() for c in first])
    else:
        columns = [f"column_{i + 1}" for i in range(len(first))]
        buffered.append((first, header_line, header_line, False, []))
        while len(buffered) < 50:
            item = take()
            if item[0] is None:
                break
            if not isinstance(item[0], _RowError):
                buffered.append(item)
        if not (overrides or {}).get("text"):
            guess = guess_text_column(columns, [item[0] for item in buffered])
            if guess:
                overrides = {**(overrides or {}), "text": guess}
    try:
        mapping = map_columns(columns, overrides)
    except ColumnError:
        sample = [it[0] for it in [*buffered, *pending] if not isinstance(it[0], _RowError)]
        while len(sample) < 50:
            nxt = take()
            if nxt[0] is None:
                break
            pending.append(nxt)
            if not isinstance(nxt[0], _RowError):
                sample.append(nxt[0])
        map_columns(columns, overrides, sample)  # raises, proposing the most text-like column
        raise
    mapping.header_line = header_line if header else None
    width = len(columns)

    def record(row, line: int, error: str | None = None) -> Record:
        data = dict(zip(columns, row))
        for c in columns[len(row) :]:
            data[c] = ""
        return Record(line, data, error)

    def ragged(row, line: int) -> str:
        extra = f" (extra: {row[width:]!r})" if len(row) > width else ""
        return f"line {line}: {len(row)} fields but the header has {width}{extra}; check the quoting or delimiter of this row"

    def one_by_one(raw_lines: list[str], start: int):
        """Re-read the lines of a record that swallowed its neighbours, one row per line."""
        for offset, line in enumerate(raw_lines):
            n = start + offset
            if not line.strip():
                continue
            if line.count('"') % 2:
                cells = line.rstrip("\r\n").split(delimiter)
                yield record(cells[:width], n, f"line {n}: a quote opened in this row is never closed; fix the quote")
                continue
            row = next(csv.reader([line], delimiter=delimiter), [])
            yield record(row, n, None if len(row) == width else ragged(row, n))

    def records():
        replay = iter(buffered)
        while True:
            item = next(replay, None) or take()
            row, start, end, odd_quotes, raw_lines = item
            if row is None:
                return
            if isinstance(row, _RowError):
                yield record([], start, f"line {start}: {row}")
                yield from one_by_one(raw_lines[1:], start + 1)
            elif end > start and (odd_quotes or len(row) != width) and raw_lines:
                yield from one_by_one(raw_lines, start)
            elif len(row) != width:
                yield record(row, start, ragged(row, start))
            else:
                yield record(row, start)

    return columns, mapping, records()
