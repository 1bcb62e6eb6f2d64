"""resolution_time against the history: local months, DST, empty months, default range, overall."""
from __future__ import annotations

from datetime import datetime
from typing import Iterator
from zoneinfo import ZoneInfo

import pytest

from harness.processes import Running, store_process
from .conftest import import_history
from .history import NOW, Ticket, at, month_list, resolution_answer, utc_text

HOURS = ("avg_resolution_hours", "median_resolution_hours")


def assert_same_figures(actual: dict, expected: dict) -> None:
    """Counts exactly, hours to well within the two decimals promised."""
    assert actual.keys() == expected.keys()
    for name, value in expected.items():
        if name in HOURS and value is not None:
            assert actual[name] == pytest.approx(value, rel=1e-9, abs=1e-6), name
        else:
            assert actual[name] == value, name


def assert_matches(body: dict, expected: dict) -> None:
    assert [month["month"] for month in body["months"]] == [month["month"] for month in expected["months"]]
    for actual, wanted in zip(body["months"], expected["months"]):
        assert_same_figures(actual, wanted)
    assert_same_figures(body["overall"], expected["overall"])


@pytest.mark.parametrize("zone", ["Europe/Rome", "UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])
def test_months_match_the_history(call, history, monkeypatch, zone):
    monkeypatch.setenv("HELPDESK_TIMEZONE", zone)
    response = call("resolution_time", **{"from": "2023-06", "to": "2024-12", "now": utc_text(NOW)})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["timezone"], body["from"], body["to"], body["now"]) == (zone, "2023-06", "2024-12", utc_text(NOW))
    assert_matches(body, resolution_answer(history, ZoneInfo(zone), month_list("2023-06", "2024-12"), NOW))


@pytest.fixture(scope="module")
def month_end_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A store holding two tickets opened late on the last day of a month, UTC."""
    store = store_process(tmp_path_factory.mktemp("month-end") / "helpdesk.duckdb").start()
    try:
        import_history(store, [Ticket("it", "closed", at("2024-03-31T22:30:00Z"), at("2024-04-01T08:15:30Z")),
                               Ticket("facility", "closed", at("2024-02-29T23:00:00Z"), at("2024-03-02T23:00:00Z"))])
        yield store
    finally:
        store.stop()


@pytest.mark.parametrize("zone, opened, hours", [
    ("Europe/Rome", [0, 1, 1], [None, 48.0, 9.758333]),
    ("UTC", [1, 1, 0], [48.0, 9.758333, None]),
])
def test_ticket_opened_31_march_2230_utc_counts_in_april_in_rome(call, month_end_store, monkeypatch, zone, opened,
                                                                 hours):
    monkeypatch.setenv("HELPDESK_STORE_URL", month_end_store.url)
    monkeypatch.setenv("HELPDESK_TIMEZONE", zone)
    body = call("resolution_time", **{"from": "2024-02", "to": "2024-04", "now": utc_text(NOW)}).get_json()
    assert [month["opened"] for month in body["months"]] == opened
    assert [month["closed"] for month in body["months"]] == opened
    for month, expected in zip(body["months"], hours):
        assert month["avg_resolution_hours"] == (None if expected is None else pytest.approx(expected, abs=1e-6))
        assert month["median_resolution_hours"] == month["avg_resolution_hours"]
    assert body["overall"]["median_resolution_hours"] == pytest.approx((48 + 9.758333) / 2, abs=1e-6)


def test_empty_months_are_listed_with_null_averages(call, history):
    body = call("resolution_time", **{"from": "2023-01", "to": "2023-09", "now": utc_text(NOW)}).get_json()
    empty = {"opened": 0, "closed": 0, "avg_resolution_hours": None, "median_resolution_hours": None}
    assert body["months"][:7] == [{"month": f"2023-{month:02d}", **empty} for month in range(1, 8)]
    assert body["months"][7] == {"month": "2023-08", "opened": 1, "closed": 0, "avg_resolution_hours": None,
                                 "median_resolution_hours": None}
    assert body["months"][8]["closed"] > 0 and body["months"][8]["avg_resolution_hours"] > 0


def test_months_after_now_are_empty(call, history):
    body = call("resolution_time", **{"from": "2024-11", "to": "2025-02", "now": utc_text(NOW)}).get_json()
    assert [month["opened"] for month in body["months"][1:]] == [0, 0, 0]
    assert_matches(body, resolution_answer(history, ZoneInfo("Europe/Rome"), month_list("2024-11", "2025-02"), NOW))


@pytest.mark.parametrize("now, first, last", [
    (utc_text(NOW), "2023-12", "2024-11"),
    ("2024-12-31T23:30:00Z", "2024-02", "2025-01"),  # already January in Rome
    ("2024-03-31T21:59:59Z", "2023-04", "2024-03"),
])
def test_default_range_is_the_12_months_up_to_nows_local_month(call, history, now, first, last):
    body = call("resolution_time", now=now).get_json()
    assert (body["from"], body["to"], len(body["months"])) == (first, last, 12)
    assert_matches(body, resolution_answer(history, ZoneInfo("Europe/Rome"), month_list(first, last),
                                           datetime.fromisoformat(now)))


def test_from_or_to_alone_completes_the_range(call):
    only_from = call("resolution_time", **{"from": "2024-01", "now": utc_text(NOW)}).get_json()
    assert (only_from["from"], only_from["to"]) == ("2024-01", "2024-11")
    only_to = call("resolution_time", **{"to": "2024-06", "now": utc_text(NOW)}).get_json()
    assert (only_to["from"], only_to["to"], len(only_to["months"])) == ("2023-07", "2024-06", 12)


def test_one_month_range_equals_its_overall(call):
    body = call("resolution_time", **{"from": "2024-04", "to": "2024-04", "now": utc_text(NOW)}).get_json()
    (april,) = body["months"]
    assert {key: value for key, value in april.items() if key != "month"} == body["overall"]
