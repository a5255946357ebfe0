"""Output paths that never destroy a user's file, and cells a spreadsheet will not run.

:func:`check_output` is called by every command before it writes anything. It refuses
an output path that is one of the inputs, a directory, or an existing file that this
package did not write (recognised by :func:`written_by_us`), unless ``force`` is given.
:func:`check_model_output` does the same for model directories.

:func:`spreadsheet_safe` applies OWASP's rule against CSV (formula) injection: a text
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe, so a spreadsheet shows it as text instead of evaluating it. Numbers
(``-3``, ``+44``) are left alone. :func:`unescape_cell` undoes it when this package reads
its own output back.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import OutputPathError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
#: Strings that mark a file as written by this package (found in its first few kilobytes).
SIGNATURES = ("mention-insight", "mention_insight")
_PEEK = 8192
#: The most of a Parquet file's footer (its schema and metadata) read to recognise it.
_FOOTER_PEEK = 1 << 20


def _needs_quote(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula, or ``text`` is apostrophes before
    such a text (so that escaping stays reversible)."""
    rest = text.lstrip("'")
    return bool(rest) and rest[0] in "=+-@\t\r" and not _NUMBER.fullmatch(rest)


def spreadsheet_safe(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text and text[0] in "'=+-@\t\r" and _needs_quote(text) else text


def unescape_cell(text: str) -> str:
    """The original text of a cell :func:`spreadsheet_safe` escaped."""
    return text[1:] if text[:1] == "'" and _needs_quote(text[1:]) else text


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _parquet_footer(fh) -> str:
    """The footer of an open Parquet file (where its columns and metadata are), as text."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    if size < 12:
        return ""
    fh.seek(size - 8)
    length = int.from_bytes(fh.read(4), "little")
    length = min(length, _FOOTER_PEEK, size - 8)
    fh.seek(size - 8 - length)
    return fh.read(length).decode("utf-8", errors="replace")


def written_by_us(path: Path, header: Iterable[str] = ()) -> bool:
    """Whether ``path`` looks like a file this package wrote: a classified export (its
    ``label`` and ``model_id`` columns), a report carrying the package's name, a CSV
    whose first line is exactly ``header``, or a Parquet file whose metadata names the
    package."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_PEEK)
            if raw.startswith(b"PAR1"):
                return any(sig in _parquet_footer(fh) for sig in SIGNATURES)
            head = raw.decode("utf-8", errors="replace")
    except OSError:
        return False
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip("\r")
    header = list(header)
    if header and first == ",".join(header):
        return True
    if '"model_id"' in first or "model_id" in first.split(","):
        return "label" in first
    return any(sig in head for sig in SIGNATURES)


def check_output(
    output, inputs: Iterable = (), *, kind: str = "output", force: bool = False, header: Iterable[str] = ()
) -> None:
    """Refuse to write ``output`` over an input, a directory or a file of another kind.

    ``inputs`` are the paths being read (``"-"`` and ``None`` are skipped). An existing file
    is replaced only when this package wrote it (:func:`written_by_us`) or ``force`` is set.
    """
    if output is None or str(output) == "-":
        return
    out = Path(output)
    for source in inputs:
        if source is None or str(source) == "-":
            continue
        if out.exists() and Path(source).exists() and _same_file(out, Path(source)):
            raise OutputPathError(
                f"the {kind} path {out} is the input file {source}; write to a new file (nothing was written)."
            )
    if out.is_dir():
        raise OutputPathError(f"the {kind} path {out} is a directory; give a file name, e.g. {out / 'out.csv'}.")
    if out.exists() and not force and not written_by_us(out, header):
        raise OutputPathError(
            f"{out} exists and was not written by mention-insight; choose another {kind} path, "
            "or pass --force to replace it."
        )
    if out.parent != Path("") and out.parent.exists() and not out.parent.is_dir():
        raise OutputPathError(f"cannot write {out}: {out.parent} is a file, not a directory.")


def check_model_output(path, inputs: Iterable = (), *, force: bool = False) -> None:
    """Refuse to write a model directory over a file, an input, a non-model directory, or
    (without ``force``) an existing model."""
    out = Path(path)
    for source in inputs:
        if source is None or str(source) == "-":
            continue
        if out.exists() and Path(source).exists() and _same_file(out, Path(source)):
            raise OutputPathError(f"the model path {out} is the input {source}; choose a new directory.")
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputPathError(
            f"{out} is an existing file, not a model directory; choose a new directory for the model (nothing was written)."
        )
    if (out / "config.json").is_file():
        if not force:
            raise OutputPathError(
                f"a model already exists at {out}; choose a new directory, or pass --force to replace it "
                "(the old model stays until the new one is complete)."
            )
        return
    if any(out.iterdir()):
        raise OutputPathError(
            f"{out} is a directory that holds other files, not a model; choose a new or empty directory for the model."
        )
