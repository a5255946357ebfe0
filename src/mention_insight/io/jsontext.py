"""Parsing JSON text from exports: plain errors for what ``json`` raises, and no lone surrogates.

``json.loads`` accepts ``"\\ud800"`` (half of a UTF-16 pair) and returns a string that
cannot be written as UTF-8 later; it raises ``RecursionError`` on deep nesting and
``ValueError`` on integers with thousands of digits. :func:`parse_json` turns each into a
:class:`JSONTextError` with a plain reason, and repairs lone surrogates to U+FFFD.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}|\\u[dD][c-fC-F][0-9a-fA-F]{2}")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONTextError(ValueError):
    """JSON text that cannot be used; ``reason`` says why in plain words."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None):
        super().__init__(reason)
        self.reason, self.line, self.column = reason, line, column


def repair_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {repair_surrogates(k): repair_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [repair_surrogates(v) for v in value]
    return value


def parse_json(text: str) -> Any:
    """``json.loads(text)``, with :class:`JSONTextError` for anything it cannot take."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JSONTextError(f"invalid JSON ({exc.msg} at column {exc.colno})", exc.lineno, exc.colno) from None
    except RecursionError:
        raise JSONTextError("JSON nested too deeply to read (over ~1,000 levels)") from None
    except ValueError as exc:  # e.g. an integer with more than 4,300 digits
        raise JSONTextError(f"unreadable JSON value ({str(exc).split(';')[0]})") from None
    if _SURROGATE_ESCAPE.search(text):
        value = repair_surrogates(value)
    return value


def without_lone_surrogates(texts: list[str]) -> list[str]:
    """``texts``, with any lone surrogate replaced by U+FFFD (one cheap check for the whole list)."""
    try:
        "".join(texts).encode("utf-8")
    except UnicodeEncodeError:
        return [_LONE_SURROGATE.sub("\ufffd", t) for t in texts]
    except TypeError:  # not all strings: the caller's checks report it
        return texts
    return texts
