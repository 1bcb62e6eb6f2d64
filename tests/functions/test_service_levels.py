"""service_levels against a random thread history, computed again in plain Python.

The store runs in this process on a real DuckDB file, served over real HTTP, with a clock the
test sets: each ticket is opened, prioritised, answered, noted and closed at chosen instants.
"""
from __future__ import annotations

import random
import statistics
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterator
from zoneinfo import ZoneInfo

import pytest
from werkzeug.serving import make_server

from ticket_store import create_app
from .history import UTC, at, month_list, month_of, utc_text

STAFF = {"X-Helpdesk-Role": "staff"}
TARGETS = {"urgent": (1, 8), "high": (4, 48), "normal": (24, 120), "low": (72, 240)}
NOW = at("2024-11-15T12:00:00Z")


@dataclass
class Opened:
    priority: str
    opened_at: datetime
    first_response_at: datetime | None
    closed_at: datetime | None


class Clock:
    def __init__(self) -> None:
        self.now = NOW.replace(tzinfo=None)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC).replace(tzinfo=None)


def make_tickets(client, clock: Clock, count: int = 260, seed: int = 7) -> list[Opened]:
    """Open *count* tickets at random instants; answer, note, and close some of them later."""
    rng = random.Random(seed)
    start, end = at("2023-12-01T00:00:00Z"), at("2024-11-20T00:00:00Z")
    tickets = []
    for index in range(count):
        opened = start + timedelta(microseconds=rng.randrange(int((end - start).total_seconds() * 1e6)))
        if index < 6:  # responses exactly at, just before and just after their due time
            opened = at("2024-10-10T08:00:00Z")
        elif index < 30:  # recent ones, whose clocks still run at NOW
            opened = NOW - timedelta(hours=rng.uniform(0, 60))
        priority = rng.choice(list(TARGETS))
        clock.set(opened)
        ticket = client.post("/api/v1/tickets", json={"description": f"Ticket {index}"}).get_json()
        if priority != "normal":
            assert client.patch(f"/api/v1/tickets/{ticket['id']}", json={"priority": priority},
                                headers={**STAFF, "If-Match": '"1"'}).status_code == 200
        moment = opened
        for _ in range(rng.randrange(3)):  # user messages and internal notes before any answer count for nothing
            moment += timedelta(minutes=rng.randrange(1, 300))
            clock.set(moment)
            internal = rng.random() < 0.5
            client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "…", "internal": internal},
                        headers=STAFF if internal else {})
        response = None
        if index < 6 or rng.random() < 0.75:
            target = timedelta(hours=TARGETS[priority][0])
            delay = [target, target - timedelta(microseconds=1), target + timedelta(microseconds=1)][index % 3] \
                if index < 6 else timedelta(seconds=rng.expovariate(1 / (3600 * TARGETS[priority][0])))
            response = max(moment, opened + delay)
            clock.set(response)
            assert client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "On it"},
                               headers=STAFF).status_code == 201
            clock.set(response + timedelta(hours=1))
            client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Done?"}, headers=STAFF)
        closed = None
        if rng.random() < 0.5:
            closed = (response or moment) + timedelta(hours=rng.uniform(2, 300))
            clock.set(closed)
            for status in ("active", "closed"):
                client.post(f"/api/v1/tickets/{ticket['id']}/status", json={"status": status}, headers=STAFF)
        tickets.append(Opened(priority, opened, response, closed))
    return tickets


@pytest.fixture(scope="module")
def answered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[Opened]]]:
    """A store over HTTP holding the random history; its URL and the tickets as the oracle knows them."""
    clock = Clock()
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("answered") / "helpdesk.duckdb"), "CLOCK": clock})
    tickets = make_tickets(app.test_client(), clock)
    clock.set(at("2025-06-01T00:00:00Z"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", tickets
    finally:
        server.shutdown()
        app.extensions["ticket_store"].db.close()


def first_response_figures(tickets: list[Opened], now: datetime) -> dict:
    hours, on_time = [], 0
    for ticket in tickets:
        if ticket.first_response_at is not None and ticket.first_response_at <= now:
            hours.append((ticket.first_response_at - ticket.opened_at).total_seconds() / 3600)
            on_time += ticket.first_response_at < ticket.opened_at + timedelta(hours=TARGETS[ticket.priority][0])
    return {"opened": len(tickets), "responded": len(hours),
            "avg_first_response_hours": statistics.mean(hours) if hours else None,
            "median_first_response_hours": statistics.median(hours) if hours else None,
            "within_target_pct": 100 * on_time / len(hours) if hours else None}


def state_at(ticket: Opened, now: datetime) -> str | None:
    """Return the service-level state at *now* of a ticket not closed then (None for the others)."""
    if ticket.opened_at > now or (ticket.closed_at is not None and ticket.closed_at <= now):
        return None
    response, resolution = (timedelta(hours=hours) for hours in TARGETS[ticket.priority])
    answered = ticket.first_response_at if ticket.first_response_at and ticket.first_response_at <= now else None
    if (answered or now) >= ticket.opened_at + response or now >= ticket.opened_at + resolution:
        return "breached"
    if now >= ticket.opened_at + resolution * 0.75 or (answered is None and now >= ticket.opened_at + response * 0.75):
        return "at_risk"
    return "ok"


def oracle(tickets: list[Opened], zone: ZoneInfo, months: list[str], now: datetime) -> dict:
    known = [ticket for ticket in tickets if ticket.opened_at <= now]
    in_range = [ticket for ticket in known if month_of(ticket.opened_at, zone) in months]
    states = [state_at(ticket, now) for ticket in tickets]
    return {
        "months": [{"month": month, **first_response_figures(
            [ticket for ticket in known if month_of(ticket.opened_at, zone) == month], now)} for month in months],
        "by_priority": [{"priority": priority, **first_response_figures(
            [ticket for ticket in in_range if ticket.priority == priority], now),
            "response_target_hours": TARGETS[priority][0], "resolution_target_hours": TARGETS[priority][1]}
            for priority in ("low", "normal", "high", "urgent")],
        "overall": first_response_figures(in_range, now),
        "now": {"at_risk": states.count("at_risk"), "breached": states.count("breached")},
    }


def assert_close(actual, expected, where: str = "") -> None:
    if isinstance(expected, dict):
        assert actual.keys() == expected.keys(), where
        for key in expected:
            assert_close(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), where
        for index, (one, other) in enumerate(zip(actual, expected)):
            assert_close(one, other, f"{where}[{index}]")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-6), where
    else:
        assert actual == expected, where


@pytest.mark.parametrize("zone, first, last, now", [
    ("Europe/Rome", "2023-12", "2024-11", NOW),
    ("UTC", "2024-01", "2024-12", at("2024-10-10T09:30:00Z")),
    ("America/New_York", "2024-06", "2024-11", at("2024-11-20T00:00:00Z")),
    ("Europe/Rome", "2024-10", "2024-10", at("2024-10-10T08:00:00.000001Z")),
])
def test_service_levels_match_the_oracle(function_clients, answered, monkeypatch, zone, first, last, now):
    url, tickets = answered
    monkeypatch.setenv("HELPDESK_STORE_URL", url)
    monkeypatch.setenv("HELPDESK_TIMEZONE", zone)
    monkeypatch.delenv("HELPDESK_API_TOKEN", raising=False)
    response = function_clients["service_levels"].get("/", query_string={"from": first, "to": last,
                                                                         "now": utc_text(now)})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["timezone"], body["from"], body["to"], body["at"]) == (zone, first, last, utc_text(now))
    expected = oracle(tickets, ZoneInfo(zone), month_list(first, last), now)
    assert_close({key: body[key] for key in expected}, expected)
    assert body["overall"]["responded"] > 0 or first == last


def test_the_history_has_every_case_the_oracle_distinguishes(answered):
    _, tickets = answered
    states = {state_at(ticket, NOW) for ticket in tickets}
    assert {"ok", "at_risk", "breached"} <= states
    assert {ticket.priority for ticket in tickets} == set(TARGETS)
    assert any(ticket.first_response_at is None for ticket in tickets)
