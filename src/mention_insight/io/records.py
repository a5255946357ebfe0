"""What a reader yields: one :class:`Record` per input row, and the opened :class:`MentionSource`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


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
    #: The export layout recognised from the header (:mod:`.layouts`), if any.
    layout: str | None = None
    #: The line of the header row, when it is not the first (rows above it were skipped).
    header_line: int | None = None


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
