"""Dates and periods: parse export timestamps and bucket them by day, week or month.

Timestamps are ISO 8601 (``2026-08-03T09:14:22Z``, with or without an offset) or X's
classic format (``Wed Oct 10 20:19:24 +0000 2018``). A naive timestamp is taken as UTC.
Weeks start on Monday and are named by that Monday's date; months are ``YYYY-MM``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from ..errors import ReportError

PERIODS = ("day", "week", "month")
#: The bucket for mentions whose date is missing or unreadable.
UNDATED = "undated"
#: Years outside this range are read as no date (``0001-01-01`` placeholders; year 9999 overflows a time zone shift).
MIN_YEAR, MAX_YEAR = 1900, 2200


def parse_datetime(value) -> datetime | None:
    """A timezone-aware datetime, or None when ``value`` is empty or not a known format."""
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
            parsed = datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
        except ValueError:
            return None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:  # no mention is that old or new; shifting zones would overflow
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


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
