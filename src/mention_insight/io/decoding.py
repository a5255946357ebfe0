"""Byte streams in, decoded lines out: paths, stdin and file objects; a clear error on bad bytes."""

from __future__ import annotations

import codecs
import io
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..errors import EncodingError, InputFormatError

_BARE_CR = re.compile(r"(?<=\r)(?!\n)")


class PrefixedStream(io.RawIOBase):
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


def open_binary(source) -> tuple[IO[bytes], str, bool]:
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


def seek_position(stream: IO[bytes]) -> int | None:
    """Where ``stream`` is now, when it can seek back there (a file); ``None`` for a pipe."""
    try:
        return stream.tell() if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


def spool(stream: IO[bytes], chunk: int = 1 << 20) -> IO[bytes]:
    """The rest of ``stream`` copied to a temporary file (a chunk at a time), rewound: for
    formats that seek, read from a pipe. The caller closes it; closing removes it."""
    copy = tempfile.TemporaryFile()  # noqa: SIM115 - returned open; the caller closes it
    try:
        while data := stream.read(chunk):
            copy.write(data)
        copy.seek(0)
    except BaseException:
        copy.close()
        raise
    return copy


def decode_lines(stream: IO[bytes], encoding: str, name: str) -> Iterator[tuple[int, str]]:
    """(line number, text with its line ending) for each line; clear error on bad bytes."""
    codec = codecs.lookup(encoding).name
    if codec.startswith(("utf-16", "utf-32")):
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            for n, line in enumerate(text, 1):
                yield n, line.lstrip("\ufeff") if n == 1 else line
        except UnicodeDecodeError as exc:
            raise EncodingError(
                f"{name}: cannot decode the file as {encoding} ({exc.reason}); try --encoding utf-8."
            ) from exc
        return
    n = 0
    for raw in stream:
        try:
            line = raw.decode(codec)
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 1].hex()
            raise EncodingError(
                f"{name}, line {n + 1}: byte 0x{bad} at column {exc.start + 1} cannot be decoded as {encoding}. "
                "The file is probably in another encoding: exports from Excel on Windows are often "
                "cp1252, so try --encoding cp1252 (or --encoding latin-1)."
            ) from exc
        if n == 0 and line.startswith("\ufeff"):
            line = line[1:]
        # Old Mac files end lines with a bare CR: split them so each is its own line.
        parts = _BARE_CR.split(line) if "\r" in line[:-2] else (line,)
        for part in parts:
            if part:
                n += 1
                yield n, part
