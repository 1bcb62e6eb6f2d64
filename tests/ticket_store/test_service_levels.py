"""Service levels at their boundaries, on a store whose clock the test sets."""
from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest

from ticket_store import create_app
from ticket_store.schema import MIGRATIONS
from ticket_store.service_levels import BadServiceLevels, read_targets

from .conftest import CSV_HEADER, STAFF, USER, assert_error, if_match

T0 = datetime(2025, 3, 3, 9, 0, 0)


class Clock:
    """The store's time, moved by the test."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def at(self, hours: float) -> None:
        self.now = T0 + timedelta(hours=hours)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed(tmp_path, clock):
    app = create_app({"DB_PATH": str(tmp_path / "timed.duckdb"), "CLOCK": clock})
    yield app.test_client()
    app.extensions["ticket_store"].db.close()


def create(client, **fields) -> dict:
    response = client.post("/api/v1/tickets", json={"description": "The heating is off", **fields})
    assert response.status_code == 201
    return response.get_json()


def state(client, ticket: dict) -> str:
    return client.get(f"/api/v1/tickets/{ticket['id']}", headers=STAFF).get_json()["sla_state"]


def reply(client, ticket: dict, role: dict = STAFF, **extra):
    return client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Seen", **extra}, headers=role)


def test_due_times_follow_the_priority_from_the_opening(timed, clock):
    ticket = create(timed)
    assert (ticket["response_due_at"], ticket["resolution_due_at"]) == ("2025-03-04T09:00:00.000000Z",
                                                                        "2025-03-08T09:00:00.000000Z")
    clock.at(2)
    urgent = timed.patch(f"/api/v1/tickets/{ticket['id']}", json={"priority": "urgent"},
                         headers={**STAFF, **if_match(1)}).get_json()
    assert (urgent["response_due_at"], urgent["resolution_due_at"]) == ("2025-03-03T10:00:00.000000Z",
                                                                        "2025-03-03T17:00:00.000000Z")
    assert urgent["sla_state"] == "breached"  # two hours without an answer, against one


@pytest.mark.parametrize("hours, expected", [
    (0, "ok"), (0.74 * 24, "ok"), (0.75 * 24 - 1e-6, "ok"), (0.75 * 24, "at_risk"), (0.99 * 24, "at_risk"),
    (24, "breached"), (200, "breached"),
])
def test_the_response_target_at_its_boundaries(timed, clock, hours, expected):
    ticket = create(timed)
    clock.at(hours)
    assert state(timed, ticket) == expected


@pytest.mark.parametrize("hours, expected", [
    (0.74 * 120, "ok"), (0.75 * 120, "at_risk"), (120 - 1e-6, "at_risk"), (120, "breached"),
])
def test_the_resolution_target_runs_on_after_the_first_response(timed, clock, hours, expected):
    ticket = create(timed)
    clock.at(1)
    reply(timed, ticket)
    clock.at(hours)
    assert state(timed, ticket) == expected


def test_a_response_stops_its_clock_and_notes_or_user_messages_do_not(timed, clock):
    ticket = create(timed)
    clock.at(20)
    reply(timed, ticket, USER)
    reply(timed, ticket, internal=True)
    assert state(timed, ticket) == "at_risk"
    clock.at(21)
    reply(timed, ticket)
    assert state(timed, ticket) == "ok"  # answered within 24 h; the resolution clock is at 17.5 %
    clock.at(25)
    reply(timed, ticket)
    assert timed.get(f"/api/v1/tickets/{ticket['id']}", headers=STAFF).get_json()["first_response_at"] == (
        "2025-03-04T06:00:00.000000Z")


def test_a_late_first_response_stays_breached(timed, clock):
    ticket = create(timed)
    clock.at(30)
    reply(timed, ticket)
    clock.at(31)
    assert state(timed, ticket) == "breached"


def close(client, ticket: dict) -> None:
    for status in ("active", "closed"):
        assert client.post(f"/api/v1/tickets/{ticket['id']}/status", json={"status": status},
                           headers=STAFF).status_code == 200


def test_closing_pauses_the_clocks(timed, clock):
    on_time, late = create(timed), create(timed)
    clock.at(1)
    reply(timed, on_time)
    reply(timed, late)
    clock.at(100)  # 83 % of the resolution target: at risk while it runs
    assert state(timed, on_time) == "at_risk"
    close(timed, on_time)
    clock.at(1000)
    assert state(timed, on_time) == "ok"
    close(timed, late)
    assert state(timed, late) == "breached"
    clock.at(2000)
    assert (state(timed, on_time), state(timed, late)) == ("ok", "breached")


def test_a_ticket_closed_without_an_answer_in_time_is_breached(timed, clock):
    quick, slow = create(timed), create(timed)
    clock.at(2)
    close(timed, quick)
    clock.at(30)
    close(timed, slow)
    clock.at(500)
    assert (state(timed, quick), state(timed, slow)) == ("ok", "breached")


def test_the_list_filters_and_sorts_by_service_level(timed, clock):
    normal, urgent, low, answered = create(timed), create(timed), create(timed), create(timed)
    timed.patch(f"/api/v1/tickets/{urgent['id']}", json={"priority": "urgent"}, headers={**STAFF, **if_match(1)})
    timed.patch(f"/api/v1/tickets/{low['id']}", json={"priority": "low"}, headers={**STAFF, **if_match(1)})
    reply(timed, answered)
    clock.at(20)  # normal: 83 % of its response target; urgent: breached; low: 28 %; answered: 17 % of 120 h

    def ids(query: str) -> list[int]:
        body = timed.get(f"/api/v1/tickets?{query}", headers=STAFF).get_json()
        return [ticket["id"] for ticket in body["items"]]

    assert ids("sla=at_risk,breached&sort=response_due_at") == [urgent["id"], normal["id"]]
    assert ids("sla=breached") == [urgent["id"]]
    assert ids("sla=ok&sort=-response_due_at") == [low["id"], answered["id"]]
    assert ids("sort=resolution_due_at")[:1] == [urgent["id"]]
    counted = timed.get("/api/v1/tickets?sla=at_risk&with_counts=true", headers=STAFF).get_json()
    assert counted["total"] == 1 and counted["counts"]["open"] == 1
    assert ids("sla=at_risk") == [normal["id"]]


def test_the_staffs_queue_counts_only_the_statuses_it_asks_for(timed, clock):
    waiting, taken, closed_late = create(timed), create(timed), create(timed)
    timed.post(f"/api/v1/tickets/{taken['id']}/status", json={"status": "active"}, headers=STAFF)
    clock.at(30)  # all three breached their response target; one of them is then closed
    close(timed, closed_late)

    def page(query: str) -> dict:
        return timed.get(f"/api/v1/tickets?{query}", headers=STAFF).get_json()

    queue = page("sla=at_risk,breached&status=open,active&sort=response_due_at&with_counts=true")
    assert queue["counts"] == {"open": 1, "active": 1} and queue["total"] == 2
    assert [ticket["id"] for ticket in queue["items"]] == [waiting["id"], taken["id"]]
    assert page("sla=breached&status=open,active")["total"] == 2
    closed = page("sla=breached&status=closed&with_counts=true")
    assert closed["counts"] == {"closed": 1} and [ticket["id"] for ticket in closed["items"]] == [closed_late["id"]]
    assert page("sla=breached&status=closed,open&with_counts=true")["counts"] == {"closed": 1, "open": 1}


def test_helpdesk_sla_overrides_the_targets(tmp_path, clock, monkeypatch):
    monkeypatch.setenv("HELPDESK_SLA", '{"normal": {"response_hours": 2}, "urgent": {"resolution_hours": 4.5}}')
    app = create_app({"DB_PATH": str(tmp_path / "sla.duckdb"), "CLOCK": clock})
    ticket = create(app.test_client())
    assert (ticket["response_due_at"], ticket["resolution_due_at"]) == ("2025-03-03T11:00:00.000000Z",
                                                                        "2025-03-08T09:00:00.000000Z")
    app.extensions["ticket_store"].db.close()


@pytest.mark.parametrize("text, words", [
    ("{", "not valid JSON"), ("[1]", "JSON object"), ('{"asap": {"response_hours": 1}}', "priorities"),
    ('{"high": 4}', "response_hours"), ('{"high": {"response_hours": 0}}', "above 0"),
    ('{"high": {"response_hours": true}}', "number"), ('{"high": {"reply_hours": 1}}', "response_hours"),
])
def test_a_wrong_helpdesk_sla_is_named_in_words(text, words):
    with pytest.raises(BadServiceLevels, match=words):
        read_targets(text)


def test_imported_tickets_get_due_times_from_their_opening(timed, clock):
    csv = (CSV_HEADER + ",Old leak,,,facility,closed,2025-03-01T08:00:00Z,2025-03-01T09:00:00Z\n"
           ",Old leak two,,,facility,open,2025-03-02T08:00:00Z,\n")
    assert timed.post("/api/v1/import", data=csv.encode(), content_type="text/csv", headers=STAFF).status_code == 200
    closed, still_open = sorted(timed.get("/api/v1/tickets?sort=id", headers=STAFF).get_json()["items"],
                                key=lambda ticket: ticket["id"])
    assert (closed["priority"], closed["response_due_at"], closed["resolution_due_at"]) == (
        "normal", "2025-03-02T08:00:00.000000Z", "2025-03-06T08:00:00.000000Z")
    assert closed["sla_state"] == "ok"  # closed after an hour
    assert still_open["sla_state"] == "breached"  # 25 hours with no answer at T0


def test_migration_gives_existing_tickets_due_times_and_their_first_staff_answer(tmp_path):
    path = str(tmp_path / "old.duckdb")
    with duckdb.connect(path) as con:
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
        for version, sql in MIGRATIONS[:3]:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [version])
        con.execute("INSERT INTO tickets VALUES (4, NULL, 'Wifi down', NULL, NULL, 'it', 'auto', 0.9, 'open', "
                    "TIMESTAMP '2026-01-05 09:00', TIMESTAMP '2026-01-05 12:00', NULL, 4, 3, 'wifi down')")
        con.execute("INSERT INTO messages VALUES (1, 4, 'user', NULL, 'Any news?', TIMESTAMP '2026-01-05 10:00'), "
                    "(2, 4, 'staff', 'Ana', 'Looking', TIMESTAMP '2026-01-05 11:00'), "
                    "(3, 4, 'staff', 'Ana', 'Fixed?', TIMESTAMP '2026-01-05 12:00')")
    app = create_app({"DB_PATH": path})
    ticket = app.test_client().get("/api/v1/tickets/4", headers=USER).get_json()
    assert (ticket["priority"], ticket["first_response_at"], ticket["response_due_at"], ticket["message_count"]) == (
        "normal", "2026-01-05T11:00:00.000000Z", "2026-01-06T09:00:00.000000Z", 3)
    messages = app.test_client().get("/api/v1/tickets/4/messages", headers=USER).get_json()["items"]
    assert [message["internal"] for message in messages] == [False, False, False]
    app.extensions["ticket_store"].db.close()


def test_a_bad_sort_is_refused(timed):
    assert_error(timed.get("/api/v1/tickets?sort=sla_state", headers=STAFF), 422)
