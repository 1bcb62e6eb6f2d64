"""open_since against the history: exact counts, inclusive period ends, hours versus days, `now`."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from .history import NOW, UTC, open_since_answer, utc_text

PERIODS = [{"hours": 1}, {"hours": 24}, {"days": 1}, {"days": 7}, {"days": 30}, {"hours": 8760}, {"days": 3650}]


def length(period: dict[str, int]) -> timedelta:
    return timedelta(hours=period.get("hours", 0) + 24 * period.get("days", 0))


@pytest.mark.parametrize("period", PERIODS, ids=lambda period: "&".join(f"{k}={v}" for k, v in period.items()))
def test_open_since_matches_the_history(call, history, period):
    response = call("open_since", now=utc_text(NOW), **period)
    assert response.status_code == 200, response.get_json()
    since = NOW - length(period)
    assert response.get_json() == {"since": utc_text(since), "until": utc_text(NOW), **period,
                                   **open_since_answer(history, since, NOW)}


def test_both_ends_of_the_period_are_included(call):
    """One microsecond earlier, the window loses the ticket opened exactly at now and gains the one
    opened one microsecond before its start, and the ticket closed exactly at now is not closed yet."""
    at_now = call("open_since", hours=24, now=utc_text(NOW)).get_json()
    earlier = call("open_since", hours=24, now=utc_text(NOW - timedelta(microseconds=1))).get_json()
    assert {name: earlier["by_category"][name] - at_now["by_category"][name] for name in at_now["by_category"]} == {
        "facility": 1, "it": 1, "services": -1}
    assert {name: earlier["by_status"][name] - at_now["by_status"][name] for name in at_now["by_status"]} == {
        "open": 1, "active": 0}


def test_a_ticket_closed_after_now_was_not_closed_at_now(call, history):
    counted = call("open_since", hours=3, now=utc_text(NOW)).get_json()
    later = call("open_since", hours=4, now=utc_text(NOW + timedelta(hours=1))).get_json()
    assert counted["by_category"]["facility"] - later["by_category"]["facility"] == 1


@pytest.mark.parametrize("days", [1, 2, 7, 30, 365])
def test_days_are_periods_of_24_hours(call, days):
    """Across the end of summer time in Europe/Rome too: a day is 24 hours of elapsed time."""
    now = "2024-10-28T12:00:00Z"
    by_days = call("open_since", days=days, now=now).get_json()
    by_hours = call("open_since", hours=24 * days, now=now).get_json()
    assert by_days.pop("days") == days and by_hours.pop("hours") == 24 * days
    assert by_days == by_hours
    assert by_days["since"] == utc_text(datetime(2024, 10, 28, 12, tzinfo=UTC) - timedelta(hours=24 * days))


def test_now_defaults_to_the_current_time(call, history):
    before = datetime.now(UTC)
    body = call("open_since", days=3650).get_json()
    until = datetime.fromisoformat(body["until"])
    assert before <= until <= datetime.now(UTC)
    assert body["count"] == open_since_answer(history, until - timedelta(days=3650), until)["count"]


@pytest.mark.parametrize("now", ["2024-11-15T13:00:00+01:00", "2024-11-15T13:00:00 01:00", "2024-11-15T12:00:00",
                                 "2024-11-15T12:00:00.000000Z", "2024-11-15 12:00Z"])
def test_now_in_any_iso_form_is_the_same_instant(call, now):
    body = call("open_since", hours=24, now=now).get_json()
    assert body["until"] == "2024-11-15T12:00:00Z"
    assert body == call("open_since", hours=24, now=utc_text(NOW)).get_json()
