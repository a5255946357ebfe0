"""Dates and periods: parse export timestamps and bucket them by day, week or month.

Timestamps are ISO 8601 (``2026-08-03T09:14:22Z``, with or without an offset), X's
classic format (``Wed Oct 10 20:19:24 +0000 2018``), or what social-media tools write
(``01/09/2026 09:12``, ``01-Sep-2026``, ``1 September 2026 9:12am``), read by
``python-dateutil``: numeric dates day-first (UK) unless the export shows otherwise
(:func:`read_dates`), or with an explicit ``strptime`` format. A naive timestamp is taken
as UTC.
Weeks start on Monday and are named by that Monday's date; months are ``YYYY-MM``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from ..errors import ReportError

PERIODS = ("day", "week", "month")
#: The bucket for mentions whose date is missing or unreadable.
UNDATED = "undated"
#: Years outside this range are read as no date (``0001-01-01`` placeholders; year 9999 overflows a time zone shift).
MIN_YEAR, MAX_YEAR = 1900, 2200


#: A date with digits or a month name in it (what dateutil is allowed to read: it would
#: otherwise take "10" or "may" for a day of the current month).
_DATE_LIKE = re.compile(
    r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}|\d{1,2}[\s\-]*[A-Za-z]{3,9}[\s\-,]*\d{2,4}|[A-Za-z]{3,9}\s+\d{1,2},?\s+\d{4}"
)
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")


def parse_datetime(value, *, dayfirst: bool = True, date_format: str | None = None) -> datetime | None:
    """A timezone-aware datetime, or None when ``value`` is empty or not a readable date.

    ``date_format``: a ``strptime`` format that every date follows (tried after ISO 8601);
    ``dayfirst``: how ``01/09/2026`` reads (1 September when True)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return moment if MIN_YEAR <= moment.year <= MAX_YEAR else None
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.strptime(text, date_format or "%a %b %d %H:%M:%S %z %Y")
        except ValueError:
            if date_format or not _DATE_LIKE.search(text):
                return None
            from dateutil import parser as date_parser

            try:
                parsed = date_parser.parse(text, dayfirst=dayfirst)
            except (ValueError, OverflowError):
                return None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:  # no mention is that old or new; shifting zones would overflow
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class DateReading:
    """How an export's dates were read, and the rows whose date could not be."""

    dayfirst: bool
    decided_by: str  # "option", "data" or "default"
    unreadable: list[tuple[int, str]] = field(default_factory=list)  # (line, value), the first ones
    numeric: int = 0  # dates written like 01/09/2026
    unreadable_count: int = 0

    def dayfirst_message(self) -> str | None:
        """A line for stderr when numeric dates were read day-first only by default."""
        if self.decided_by != "default" or not self.numeric:
            return None
        return (
            f"{self.numeric} date(s) like 01/09/2026 were read day-first (1 September), as in the UK; "
            "pass --monthfirst if the export writes them month-first."
        )

    def message(self) -> str | None:
        """A line for stderr about the unreadable dates, or None."""
        if not self.unreadable:
            return None
        lines = ", ".join(str(n) for n, _ in self.unreadable[:8]) + (", ..." if len(self.unreadable) > 8 else "")
        return (
            f"{max(self.unreadable_count, len(self.unreadable))} row(s) have a date that could not be read and count as undated "
            f"(lines {lines}; e.g. {self.unreadable[0][1]!r}): pass --date-format, e.g. --date-format '%d/%m/%Y %H:%M'."
        )


def decide_dayfirst(values: Sequence[str], dayfirst: bool | None = None) -> tuple[bool, str]:
    """Day-first or month-first for numeric dates like 01/09/2026: as told, else as the data
    shows (a first number over 12 means day-first, a second one month-first), else day-first."""
    if dayfirst is not None:
        return dayfirst, "option"
    day = month = False
    for v in values:
        m = _NUMERIC_DATE.match(str(v))
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            day |= a > 12
            month |= b > 12
    if month and not day:
        return False, "data"
    return True, "data" if day else "default"


#: Unreadable dates remembered by line (the rest are only counted).
MAX_UNREADABLE_KEPT = 100


class DateReader:
    """Parses one export's date cells the same way throughout, as they stream past,
    and keeps a :class:`DateReading` of how: day-first or not is decided beforehand from
    ``head`` (the first rows' values) unless ``dayfirst`` is given."""

    def __init__(self, head: Sequence[object], *, dayfirst: bool | None = None, date_format: str | None = None):
        first, how = decide_dayfirst([str(v) for v in head if isinstance(v, str)], dayfirst)
        self.reading = DateReading(first, how)
        self.date_format = date_format

    def __call__(self, line: int, value: object) -> datetime | None:
        reading = self.reading
        if isinstance(value, str) and _NUMERIC_DATE.match(value):
            reading.numeric += 1
        parsed = parse_datetime(value, dayfirst=reading.dayfirst, date_format=self.date_format)
        if parsed is None and value not in (None, "") and str(value).strip():
            reading.unreadable_count += 1
            if len(reading.unreadable) < MAX_UNREADABLE_KEPT:
                reading.unreadable.append((line, str(value)[:40]))
        return parsed


def read_dates(
    values: Sequence[tuple[int, object]], *, dayfirst: bool | None = None, date_format: str | None = None
) -> tuple[list[datetime | None], DateReading]:
    """Parse an export's date cells ((line, value) pairs) the same way throughout."""
    reader = DateReader([v for _, v in values], dayfirst=dayfirst, date_format=date_format)
    return [reader(line, value) for line, value in values], reader.reading


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise ReportError(f"unknown period {period!r}: expected one of {', '.join(PERIODS)}. Use --period week.")
    return period


def period_start(day: date, period: str) -> date:
    """The first day of the period holding ``day``."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    check_period(period)
    raise AssertionError("unreachable")


def next_period(start: date, period: str) -> date:
    if period == "day":
        return start + timedelta(days=1)
    if period == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_name(start: date, period: str) -> str:
    return start.strftime("%Y-%m") if period == "month" else start.isoformat()


def period_names(first: date, last: date, period: str) -> list[str]:
    """Every period from the one holding ``first`` to the one holding ``last``, gaps included."""
    names, cur, end = [], period_start(first, period), period_start(last, period)
    while cur <= end:
        names.append(period_name(cur, period))
        cur = next_period(cur, period)
    return names


def local(moment: datetime, tz: tzinfo | None) -> datetime:
    return moment.astimezone(tz) if tz is not None else moment.astimezone(UTC)


def parse_bound(value: str | None, name: str) -> date | None:
    """A ``--since``/``--until`` date (``YYYY-MM-DD``), or None."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)[:10]) if len(str(value)) >= 10 else date.fromisoformat(str(value))
    except ValueError:
        raise ReportError(f"--{name} expects a date like 2026-08-03; found {value!r}.") from None
