from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from mention_insight.errors import ReportError
from mention_insight.insight.periods import (
    local,
    parse_bound,
    parse_datetime,
    period_name,
    period_names,
    period_start,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-08-03T09:14:22Z", datetime(2026, 8, 3, 9, 14, 22, tzinfo=UTC)),
        ("2026-08-03T10:14:22+01:00", datetime(2026, 8, 3, 9, 14, 22, tzinfo=UTC)),
        ("2026-08-03 09:14:22", datetime(2026, 8, 3, 9, 14, 22, tzinfo=UTC)),
        ("Wed Oct 10 20:19:24 +0000 2018", datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)),
    ],
)
def test_known_timestamp_formats(value, expected):
    assert parse_datetime(value) == expected


@pytest.mark.parametrize("value", [None, "", "not a date", "32/13/2026"])
def test_unreadable_dates_are_none(value):
    assert parse_datetime(value) is None


def test_weeks_start_on_monday_and_months_on_the_first():
    sunday = date(2026, 8, 9)
    assert period_start(sunday, "week") == date(2026, 8, 3)
    assert period_start(sunday, "month") == date(2026, 8, 1)
    assert period_name(date(2026, 8, 1), "month") == "2026-08"


def test_period_names_include_empty_periods():
    assert period_names(date(2026, 8, 3), date(2026, 8, 20), "week") == ["2026-08-03", "2026-08-10", "2026-08-17"]
    assert period_names(date(2026, 11, 30), date(2027, 1, 2), "month") == ["2026-11", "2026-12", "2027-01"]


def test_local_time_moves_a_late_utc_mention_into_the_next_day():
    moment = datetime(2026, 8, 3, 23, 30, tzinfo=UTC)
    assert local(moment, timezone(timedelta(hours=1))).date() == date(2026, 8, 4)
    assert local(moment, None).date() == date(2026, 8, 3)


def test_bounds():
    assert parse_bound("2026-08-03", "since") == date(2026, 8, 3)
    assert parse_bound(None, "since") is None
    with pytest.raises(ReportError, match=r"--until expects a date like 2026-08-03; found 'soon'"):
        parse_bound("soon", "until")
