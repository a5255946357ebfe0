"""The one registry of input formats, and :func:`open_mentions`, which reads any of them.

:func:`open_mentions` detects the format (``format=`` forces it), finds the text column
and the optional id/author/date/account/area/reply/outcome columns, and yields one
:class:`~.records.Record` per input row, in order. CSV, JSON Lines and Parquet are
streamed (Parquet a record batch at a time, from the file itself; a pipe is first copied
to a temporary file, as Parquet keeps its index at the end); JSON documents (arrays, X API
v2 responses, the X archive's ``tweets.js``) are read whole. A row that cannot be read (a
ragged CSV row, an invalid JSON line) is still yielded, with its ``error`` set, so that
nothing is dropped; problems that make the whole file unreadable (an undecodable byte, an
unbalanced quote, a damaged Parquet file) raise
:class:`~mention_insight.errors.InputFormatError` naming the line.

Adding a format is one reader (a function of :class:`ReadRequest`) plus one entry in
:data:`FORMATS`; the CLI's ``--format`` choices read it.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from ..errors import EncodingError, InputFormatError
from .columns import map_columns, union_keys
from .decoding import PrefixedStream, decode_lines, open_binary, seek_position, spool
from .delimited import read_csv, sniff_delimiter
from .documents import WRAPPER_KEYS, json_records, load_json, tweets_js_records, twitter_records
from .jsonlines import read_jsonl
from .parquet import read_parquet
from .records import ColumnMap, MentionSource, Record
from .spreadsheet import read_xlsx

HEAD_BYTES = 1 << 16


@dataclass
class ReadRequest:
    """What a reader gets: the decoded lines, the first bytes as text, the display name,
    column overrides (role -> column) and the CSV header setting; binary formats read
    :attr:`binary` or, when they must seek, :meth:`seekable_binary`."""

    lines: Iterator[tuple[int, str]]
    head: str
    name: str
    overrides: dict = field(default_factory=dict)
    header: bool | None = None
    skip_rows: int | None = None
    binary: IO[bytes] | None = None  # the raw bytes, for binary formats (xlsx)
    sheet: str | None = None
    raw: IO[bytes] | None = None  # the opened stream itself, for formats that seek (Parquet)
    raw_start: int | None = None  # where the input starts in ``raw``; None when it cannot seek

    def seekable_binary(self) -> tuple[IO[bytes], bool]:
        """The input as a seekable binary stream at its start, and whether that is a temporary
        copy (of a pipe) that the caller must close."""
        if self.raw is not None and self.raw_start is not None:
            self.raw.seek(self.raw_start)
            return self.raw, False
        if self.binary is None:  # pragma: no cover - open_mentions always sets it
            raise InputFormatError(f"{self.name}: a binary format must be read from a file")
        return spool(self.binary), True

    def whole_text(self) -> str:
        text = "".join(line for _, line in self.lines)
        if not text.strip():
            raise InputFormatError(f"{self.name} is empty.")
        return text


#: A reader returns the format it read (a JSON file may turn out to be an X API response),
#: the columns, their roles and the records.
Reader = Callable[[ReadRequest], tuple[str, list[str], ColumnMap, Iterator[Record]]]


def _document(fmt: str, recs: list[Record], req: ReadRequest):
    if not recs:
        raise InputFormatError(f"{req.name} holds no mentions.")
    cols = union_keys(recs)
    return fmt, cols, map_columns(cols, req.overrides), iter(recs)


def _read_delimited(delimiter: str | None) -> Reader:
    def read(req: ReadRequest):
        header_line = next((ln for ln in req.head.lstrip("\ufeff").splitlines() if ln.strip()), "")
        sep = delimiter or sniff_delimiter(header_line)
        cols, mapping, records = read_csv(req.lines, sep, req.name, req.overrides, req.header, req.skip_rows)
        return ("tsv" if delimiter == "\t" else "csv"), cols, mapping, records

    return read


def _read_jsonlines(req: ReadRequest):
    return ("jsonl", *read_jsonl(req.lines, req.name, req.overrides))


def _is_api_response(doc) -> bool:
    return (isinstance(doc, dict) and isinstance(doc.get("data"), list) and "includes" in doc) or (
        isinstance(doc, list) and bool(doc) and isinstance(doc[0], dict) and isinstance(doc[0].get("data"), list)
    )


def _read_json(req: ReadRequest):
    doc = load_json(req.whole_text(), req.name)
    if _is_api_response(doc):
        return _document("twitter-api", twitter_records(doc, req.name), req)
    return _document("json", json_records(doc, req.name), req)


def _read_twitter_api(req: ReadRequest):
    return _document("twitter-api", twitter_records(load_json(req.whole_text(), req.name), req.name), req)


def _read_xlsx(req: ReadRequest):
    if req.binary is None:  # pragma: no cover - open_mentions always sets it
        raise InputFormatError(f"{req.name}: an Excel workbook must be read from a file")
    cols, mapping, recs = read_xlsx(req.binary, req.name, req.overrides, req.skip_rows, req.sheet)
    return "xlsx", cols, mapping, iter(recs)


def _read_parquet(req: ReadRequest):
    stream, temporary = req.seekable_binary()
    try:
        cols, mapping, recs = read_parquet(stream, req.name, req.overrides)
    except BaseException:
        if temporary:
            stream.close()
        raise
    return "parquet", cols, mapping, _closing(recs, stream) if temporary else recs


def _closing(records: Iterator[Record], stream: IO[bytes]) -> Iterator[Record]:
    try:
        yield from records
    finally:
        stream.close()


def _read_tweets_js(req: ReadRequest):
    return _document("tweets-js", tweets_js_records(req.whole_text(), req.name), req)


@dataclass(frozen=True)
class Format:
    name: str
    read: Reader
    description: str


#: Every input format, by name (the order of ``--format``'s choices).
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("csv", _read_delimited(None), "comma-, semicolon-, tab- or pipe-separated, delimiter sniffed"),
        Format("tsv", _read_delimited("\t"), "tab-separated"),
        Format("jsonl", _read_jsonlines, "JSON Lines: one object per line"),
        Format("json", _read_json, "a JSON array of objects, or an object with a 'data' list"),
        Format("twitter-api", _read_twitter_api, "X API v2 responses ('data' + 'includes.users')"),
        Format("tweets-js", _read_tweets_js, "the X archive's tweets.js"),
        Format("xlsx", _read_xlsx, "an Excel workbook (.xlsx): the first sheet"),
        Format("parquet", _read_parquet, "Apache Parquet (.parquet), read a batch of rows at a time; needs pyarrow"),
    )
}


def detect_format(head: str, name: str = "") -> str:
    """Guess the format from the file name and its first bytes."""
    lower = name.lower()
    start = head.lstrip("\ufeff \t\r\n")
    if head.startswith("PAR1") or lower.endswith(".parquet"):
        return "parquet"
    if head.startswith("PK\x03\x04") or lower.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if start.startswith("window.YTD") or lower.endswith(".js"):
        return "tweets-js"
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lower.endswith(".tsv"):
        return "tsv"
    if start.startswith("["):
        return "json"
    if start.startswith("{"):
        try:
            doc = json.loads(start)  # the whole file, when it fits in the head
        except json.JSONDecodeError:
            doc = None
        if doc is None:
            first_line = start.split("\n", 1)[0]
            try:
                json.loads(first_line)
                return "jsonl"  # one object per line
            except json.JSONDecodeError:
                return "twitter-api" if '"includes"' in start else "json"
        if isinstance(doc.get("data"), list) and "includes" in doc:
            return "twitter-api"
        if any(isinstance(doc.get(k), list) for k in WRAPPER_KEYS):
            return "json"
        return "jsonl"
    return "csv"


def open_mentions(
    source,
    *,
    format: str | None = None,
    encoding: str = "utf-8",
    text_column: str | None = None,
    columns: dict[str, str | None] | None = None,
    header: bool | None = None,
    skip_rows: int | None = None,
    sheet: str | None = None,
) -> MentionSource:
    """Open an export for reading.

    ``source`` is a path, ``"-"`` for stdin, or a binary file object. ``format`` is one
    of :data:`FORMATS` (detected when ``None``); ``text_column`` and ``columns`` (role ->
    column name, roles as in :class:`ColumnMap`) override the column detection;
    ``header=False`` reads a CSV without a header row (detected when ``None``);
    ``skip_rows`` skips that many rows above the header (a metadata block; detected when
    ``None``); ``sheet`` names the sheet of an Excel workbook (the first if ``None``).
    """
    if skip_rows is not None and skip_rows < 0:
        raise InputFormatError(f"--skip-rows must be 0 or more, not {skip_rows}.")
    if format is not None and format not in FORMATS:
        raise InputFormatError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}.")
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise EncodingError(f"unknown encoding {encoding!r}; try utf-8, cp1252 or latin-1.") from exc
    stream, name, owned = open_binary(source)
    overrides = dict(columns or {})
    if text_column:
        overrides["text"] = text_column
    start = seek_position(stream)
    head = stream.read(HEAD_BYTES)
    buffered = io.BufferedReader(PrefixedStream(head, stream), buffer_size=HEAD_BYTES)
    head_text = head.decode("utf-8", errors="replace")
    fmt = format or detect_format(head_text, name)
    request = ReadRequest(
        decode_lines(buffered, encoding, name),
        head_text,
        name,
        overrides,
        header,
        skip_rows,
        buffered,
        sheet,
        raw=stream,
        raw_start=start,
    )

    def closing(records):
        try:
            yield from records
        finally:
            if owned:
                stream.close()

    try:
        fmt, cols, mapping, records = FORMATS[fmt].read(request)
    except BaseException:
        if owned:
            stream.close()
        raise
    return MentionSource(fmt, cols, mapping, closing(records), name)
