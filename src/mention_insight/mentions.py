"""Reading exported mentions: CSV/TSV, JSON Lines, JSON arrays, X API v2 and X archives.

:func:`open_mentions` detects the format (``format=`` forces it), finds the text column
and the optional id/author/date/account/area/reply/outcome columns, and yields one
:class:`Record` per input row, in order. CSV and JSON Lines are streamed; JSON documents
(arrays, X API v2 responses, the X archive's ``tweets.js``) are read whole. A row that
cannot be read (a ragged CSV row, an invalid JSON line) is still yielded, with its
``error`` set, so that nothing is dropped; problems that make the whole file unreadable
(an undecodable byte, an unbalanced quote) raise :class:`InputFormatError` naming the
line.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import ColumnError, EncodingError, InputFormatError

FORMATS = ("csv", "tsv", "jsonl", "json", "twitter-api", "tweets-js")
HEAD_BYTES = 1 << 16
#: Keys under which a JSON object may hold its list of mentions.
WRAPPER_KEYS = ("data", "mentions", "records", "items", "rows", "tweets")
MAX_FIELD = 1 << 20
#: Column names looked for, in order of preference (compared lower-cased, spaces as _).
COLUMN_CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": ("text", "full_text", "message", "body", "content", "tweet", "tweet_text", "post", "comment"),
    "id": ("id", "id_str", "tweet_id", "status_id", "message_id", "post_id"),
    "author": (
        "author_username", "username", "screen_name", "user_screen_name", "author", "user", "from_user",
        "user_name", "from", "author_id",
    ),
    "created_at": ("created_at", "created", "date", "datetime", "timestamp", "time", "posted_at"),
    "account": ("account", "to_account", "mentioned_account", "recipient", "to"),
    "area": ("area", "neighbourhood", "neighborhood", "ward", "beat", "district"),
    "in_reply_to": (
        "in_reply_to_id", "in_reply_to_status_id", "in_reply_to_status_id_str", "in_reply_to_tweet_id",
        "reply_to", "replied_to_id",
    ),
    "outcome": ("outcome", "result", "action_taken"),
}


@dataclass
class Record:
    """One input row: where it starts, its fields as read, and any problem reading it."""

    line: int
    data: dict[str, Any]
    error: str | None = None


@dataclass
class ColumnMap:
    """Which input column plays which role (``None`` where the export has none)."""

    text: str
    id: str | None = None
    author: str | None = None
    created_at: str | None = None
    account: str | None = None
    area: str | None = None
    in_reply_to: str | None = None
    outcome: str | None = None


@dataclass
class MentionSource:
    """An opened export: its format, its columns, their roles and its records."""

    format: str
    columns: list[str]
    mapping: ColumnMap
    records: Iterator[Record] = field(repr=False)
    name: str = "-"

    def __iter__(self) -> Iterator[Record]:
        return self.records

    def text_of(self, record: Record) -> str | None:
        value = record.data.get(self.mapping.text)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)


# -- byte streams and decoding ---------------------------------------------------
class _Prefixed(io.RawIOBase):
    """A raw stream that replays ``head`` before reading on from ``rest``."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self._head:
            n = min(len(buf), len(self._head))
            buf[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buf))
        buf[: len(data)] = data
        return len(data)


def _open_binary(source) -> tuple[IO[bytes], str, bool]:
    """(binary stream, display name, whether we opened it and must close it)."""
    if isinstance(source, (str, Path)):
        if str(source) == "-":
            return sys.stdin.buffer, "<stdin>", False
        path = Path(source)
        if not path.is_file():
            raise InputFormatError(f"no such file: {path}")
        return open(path, "rb"), str(path), True
    if isinstance(source, io.TextIOBase):
        raise InputFormatError("open the input in binary mode ('rb') or pass its path; mention_insight decodes it.")
    return source, getattr(source, "name", "<stream>"), False


def _decode_lines(stream: IO[bytes], encoding: str, name: str) -> Iterator[tuple[int, str]]:
    """(line number, text with its line ending) for each line; clear error on bad bytes."""
    codec = codecs.lookup(encoding).name
    if codec.startswith(("utf-16", "utf-32")):
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            for n, line in enumerate(text, 1):
                yield n, line.lstrip("\ufeff") if n == 1 else line
        except UnicodeDecodeError as exc:
            raise EncodingError(f"{name}: cannot decode the file as {encoding} ({exc.reason}); try --encoding utf-8.") from exc
        return
    for n, raw in enumerate(stream, 1):
        try:
            line = raw.decode(codec)
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 1].hex()
            raise EncodingError(
                f"{name}, line {n}: byte 0x{bad} at column {exc.start + 1} cannot be decoded as {encoding}. "
                "The file is probably in another encoding: exports from Excel on Windows are often "
                "cp1252, so try --encoding cp1252 (or --encoding latin-1)."
            ) from exc
        if n == 1 and line.startswith("\ufeff"):
            line = line[1:]
        yield n, line


# -- detection --------------------------------------------------------------------
def detect_format(head: str, name: str = "") -> str:
    """Guess the format from the file name and its first bytes."""
    lower = name.lower()
    start = head.lstrip("\ufeff \t\r\n")
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


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def map_columns(columns: list[str], overrides: dict[str, str | None] | None = None) -> ColumnMap:
    """Find each role's column; ``overrides`` (role -> column) win. Raises ColumnError."""
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)
    found: dict[str, str | None] = {}
    for role, candidates in COLUMN_CANDIDATES.items():
        if role in overrides:
            wanted = overrides[role]
            if wanted not in columns and _norm(wanted) not in by_norm:
                raise ColumnError(
                    f"no column {wanted!r} for the {role.replace('_', ' ')}; found columns [{', '.join(columns)}]."
                )
            found[role] = wanted if wanted in columns else by_norm[_norm(wanted)]
            continue
        found[role] = next((by_norm[c] for c in candidates if c in by_norm), None)
    if found["text"] is None:
        names = ", ".join(COLUMN_CANDIDATES["text"][:6])
        hint = f" Use --text-column {_quote_arg(columns[0])}." if columns else ""
        raise ColumnError(
            f"expected a text column (one of: {names}); found columns [{', '.join(columns)}].{hint}"
        )
    return ColumnMap(**found)


def _quote_arg(name: str) -> str:
    return name if re.fullmatch(r"[\w.\-]+", name) else repr(name)


# -- readers ------------------------------------------------------------------------
def _looks_like_data(cells: list[str]) -> bool:
    """A first row of data rather than a header (e.g. the complaints set has no header)."""
    return any(c.strip().isdigit() or len(c) > 40 for c in cells)


def _guess_text_column(columns: list[str], rows: list[list[str]]) -> str | None:
    best, best_len = None, 0.0
    for i, c in enumerate(columns):
        values = [r[i] for r in rows if i < len(r)]
        spaced = [v for v in values if " " in v.strip()]
        if len(spaced) < max(1, len(values) // 2):
            continue
        mean = sum(len(v) for v in values) / len(values)
        if mean > best_len:
            best, best_len = c, mean
    return best


def _read_csv(lines, delimiter, name, overrides, header: bool | None):
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
        columns = _unique([c.strip() for c in first])
    else:
        columns = [f"column_{i + 1}" for i in range(len(first))]
        buffered.append((first, 1, 1, False))
        while len(buffered) < 50:
            item = next_row()
            if item[0] is None:
                break
            buffered.append(item)
        if not (overrides or {}).get("text"):
            guess = _guess_text_column(columns, [item[0] for item in buffered])
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
            for c in columns[len(row):]:
                data[c] = ""
            yield Record(start, data, error)

    return columns, mapping, records()


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        n = n or f"column_{i + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n}_{seen[n]}"
        else:
            seen[n] = 1
        out.append(n)
    return out


def _read_jsonl(lines, name, overrides):
    def parse():
        for n, line in lines:
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Record(n, {"_raw": line.rstrip("\r\n")}, f"line {n}: invalid JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(obj, dict):
                yield Record(n, {"_raw": line.rstrip("\r\n")}, f"line {n}: expected a JSON object, found {type(obj).__name__}")
                continue
            yield Record(n, obj)

    stream = parse()
    head: list[Record] = []
    for rec in stream:
        head.append(rec)
        if len(head) >= 1000:
            break
    if not head:
        raise InputFormatError(f"{name} is empty: expected one JSON object per line.")
    columns = _union_keys(head)
    mapping = map_columns(columns, overrides)

    def records():
        yield from head
        yield from stream

    return columns, mapping, records()


def _union_keys(records: list[Record]) -> list[str]:
    cols: dict[str, None] = {}
    for r in records:
        for k in r.data:
            cols.setdefault(k, None)
    cols.pop("_raw", None)
    return list(cols) + (["_raw"] if any("_raw" in r.data for r in records) else [])


def _load_json(text: str, name: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFormatError(
            f"{name}, line {exc.lineno}: invalid JSON ({exc.msg} at column {exc.colno}). "
            "For one object per line use JSON Lines (.jsonl) or --format jsonl."
        ) from exc


def _twitter_records(doc, name) -> list[Record]:
    pages = doc if isinstance(doc, list) else [doc]
    out: list[Record] = []
    for p, page in enumerate(pages, 1):
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise InputFormatError(f"{name}: page {p} is not an X API v2 response (expected an object with a 'data' list).")
        users = {u.get("id"): u for u in (page.get("includes") or {}).get("users", []) if isinstance(u, dict)}
        for i, tweet in enumerate(page["data"], 1):
            if not isinstance(tweet, dict):
                out.append(Record(i, {"_raw": json.dumps(tweet)}, f"item {i}: expected a tweet object"))
                continue
            data = dict(tweet)
            user = users.get(tweet.get("author_id"), {})
            data["author_username"] = user.get("username")
            data["author_name"] = user.get("name")
            replied = [r.get("id") for r in tweet.get("referenced_tweets", []) or [] if r.get("type") == "replied_to"]
            data["in_reply_to_id"] = replied[0] if replied else None
            out.append(Record(i, data))
    return out


def _tweets_js_records(text: str, name: str) -> list[Record]:
    start = text.find("=")
    if not text.lstrip().startswith("window.YTD") or start < 0:
        raise InputFormatError(f"{name}: expected an X archive file starting 'window.YTD.tweets.part0 = ['.")
    items = _load_json(text[start + 1 :].strip().rstrip(";"), name)
    if not isinstance(items, list):
        raise InputFormatError(f"{name}: expected a list of tweets after 'window.YTD... ='.")
    out = []
    for i, item in enumerate(items, 1):
        tweet = item.get("tweet", item) if isinstance(item, dict) else None
        if not isinstance(tweet, dict):
            out.append(Record(i, {"_raw": json.dumps(item)}, f"item {i}: expected a tweet object"))
            continue
        data = dict(tweet)
        data.setdefault("in_reply_to_id", tweet.get("in_reply_to_status_id_str"))
        out.append(Record(i, data))
    return out


def _json_records(doc, name) -> list[Record]:
    if isinstance(doc, dict):
        for key in WRAPPER_KEYS:
            if isinstance(doc.get(key), list):
                doc = doc[key]
                break
        else:
            raise InputFormatError(f"{name}: expected a JSON array of objects (or an object with a 'data' list).")
    if not isinstance(doc, list):
        raise InputFormatError(f"{name}: expected a JSON array of objects, found {type(doc).__name__}.")
    out = []
    for i, obj in enumerate(doc, 1):
        if isinstance(obj, dict):
            out.append(Record(i, dict(obj)))
        else:
            out.append(Record(i, {"_raw": json.dumps(obj)}, f"item {i}: expected a JSON object, found {type(obj).__name__}"))
    return out


def open_mentions(
    source,
    *,
    format: str | None = None,
    encoding: str = "utf-8",
    text_column: str | None = None,
    columns: dict[str, str | None] | None = None,
    header: bool | None = None,
) -> MentionSource:
    """Open an export for reading.

    ``source`` is a path, ``"-"`` for stdin, or a binary file object. ``format`` is one
    of :data:`FORMATS` (detected when ``None``); ``text_column`` and ``columns`` (role ->
    column name, roles as in :class:`ColumnMap`) override the column detection;
    ``header=False`` reads a CSV without a header row (detected when ``None``).
    """
    if format is not None and format not in FORMATS:
        raise InputFormatError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}.")
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise EncodingError(f"unknown encoding {encoding!r}; try utf-8, cp1252 or latin-1.") from exc
    stream, name, owned = _open_binary(source)
    overrides = dict(columns or {})
    if text_column:
        overrides["text"] = text_column
    head = stream.read(HEAD_BYTES)
    buffered = io.BufferedReader(_Prefixed(head, stream), buffer_size=HEAD_BYTES)
    fmt = format or detect_format(head.decode("utf-8", errors="replace"), name)
    lines = _decode_lines(buffered, encoding, name)

    def closing(records):
        try:
            yield from records
        finally:
            if owned:
                stream.close()

    try:
        if fmt in ("csv", "tsv"):
            first_text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
            header_line = next((ln for ln in first_text.splitlines() if ln.strip()), "")
            delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(header_line)
            cols, mapping, records = _read_csv(lines, delimiter, name, overrides, header)
        elif fmt == "jsonl":
            cols, mapping, records = _read_jsonl(lines, name, overrides)
        else:
            text = "".join(line for _, line in lines)
            if not text.strip():
                raise InputFormatError(f"{name} is empty.")
            if fmt == "tweets-js":
                recs = _tweets_js_records(text, name)
            else:
                doc = _load_json(text, name)
                is_api = (isinstance(doc, dict) and isinstance(doc.get("data"), list) and "includes" in doc) or (
                    isinstance(doc, list) and doc and isinstance(doc[0], dict) and isinstance(doc[0].get("data"), list)
                )
                if fmt == "twitter-api" or is_api:
                    recs, fmt = _twitter_records(doc, name), "twitter-api"
                else:
                    recs, fmt = _json_records(doc, name), "json"
            if not recs:
                raise InputFormatError(f"{name} holds no mentions.")
            cols = _union_keys(recs)
            mapping = map_columns(cols, overrides)
            records = iter(recs)
    except BaseException:
        if owned:
            stream.close()
        raise
    return MentionSource(fmt, cols, mapping, closing(records), name)
