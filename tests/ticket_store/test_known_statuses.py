"""The statuses a search counts by (known_statuses): equal to the tickets' after every kind of write."""
from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from ticket_store import create_app, search
from ticket_store.known_statuses import CODES, KnownStatuses
from ticket_store.payloads import parse_ticket_query

from .conftest import CSV_HEADER, STAFF, USER, Desk

WORDS = ("heating", "leak", "printer", "projector", "wifi")


def stored_codes(client) -> dict[int, int]:
    """Return each ticket's status code as the database holds it."""
    cursor = client.application.extensions["ticket_store"].db.cursor()
    return {ticket_id: CODES[status] for ticket_id, status in cursor.execute("SELECT id, status FROM tickets").fetchall()}


def known_codes(client, statuses: KnownStatuses | None = None) -> dict[int, int]:
    """Return the known status code of every stored ticket, brought up to date; check the known counts too."""
    store = client.application.extensions["ticket_store"]
    statuses = statuses or store.tickets.statuses
    codes = statuses.current(store.db.cursor())
    known = {ticket_id: int(codes[ticket_id]) for ticket_id in stored_codes(client)}
    stored = dict(store.db.cursor().execute("SELECT status, count(*) FROM tickets GROUP BY status").fetchall())
    assert statuses.counts(store.db.cursor()) == {status: stored.get(status, 0) for status in CODES}
    return known


def both_pages(client, params: dict) -> tuple[tuple, tuple]:
    """Return (ids, counts) of one search from the known statuses and from a scan of the tickets."""
    store = client.application.extensions["ticket_store"]
    query = parse_ticket_query({"limit": "100", **params})
    words = search.SearchWords(query.q)
    answers = []
    for statuses in (store.tickets.statuses, None):
        ids, by_status = search.page(store.db.cursor(), words, "TRUE", [], query, statuses)
        answers.append((ids, {status: count for status, count in by_status.items() if count}))
    return answers[0], answers[1]


def test_every_write_that_sets_a_status_is_known(client, desk):
    """Creates, moves, bulk moves, merges and imports: the known statuses follow each one."""
    assert known_codes(client) == {}  # read before any ticket
    first, second, third = desk.ticket_in("open"), desk.ticket_in("active"), desk.ticket_in("closed")
    assert known_codes(client) == stored_codes(client) == {first["id"]: 1, second["id"]: 2, third["id"]: 3}
    moved = client.post("/api/v1/tickets/bulk", json={"ids": [first["id"]], "action": "status", "value": "active"},
                        headers=STAFF)
    assert moved.status_code == 200, moved.get_json()
    assert known_codes(client) == stored_codes(client)
    duplicate = desk.create("The heating in B12 is off")
    merged = client.post(f"/api/v1/tickets/{duplicate['id']}/merge", json={"into": first["id"]}, headers=STAFF)
    assert merged.status_code == 200, merged.get_json()
    assert known_codes(client)[duplicate["id"]] == CODES["closed"]
    rows = ",Printer jammed,Library,,it,closed,2026-01-05T09:00:00Z,2026-01-06T09:00:00Z\n" \
           ",Leak in the roof,Aula 3,,facility,active,2026-01-05T09:00:00Z,\n"
    assert desk.import_csv(CSV_HEADER + rows).status_code == 200
    assert known_codes(client) == stored_codes(client)
    restarted = KnownStatuses(client.application.extensions["ticket_store"].db)
    assert known_codes(client, restarted) == stored_codes(client)


def test_many_changes_at_once_are_read_again_whole(client, desk, monkeypatch):
    monkeypatch.setattr("ticket_store.known_statuses.REREAD_ALL", 2)
    assert known_codes(client) == {}
    for status in ("open", "active", "closed", "active"):
        desk.ticket_in(status)
    assert known_codes(client) == stored_codes(client)


class ReadBeforeTheCreate(KnownStatuses):
    """Known statuses whose first answer was read before a ticket was created: a search's race, made certain."""

    def __init__(self, db, stale: np.ndarray) -> None:
        super().__init__(db)
        self.stale = stale

    def current(self, cursor):
        if self.stale is not None:
            stale, self.stale = self.stale, None
            return stale
        return super().current(cursor)


def test_a_ticket_created_after_the_statuses_were_read_is_counted(client, desk):
    """A search's matches may include a ticket newer than the statuses it read first: it reads them again."""
    desk.create("Leak in the roof")
    store = client.application.extensions["ticket_store"]
    stale = store.tickets.statuses.current(store.db.cursor()).copy()
    later = desk.create("Leak under the sink")
    store.tickets.statuses = ReadBeforeTheCreate(store.db, stale[:later["id"]])
    page = client.get("/api/v1/tickets", query_string={"q": "leak", "sort": "-id", "with_counts": "true"},
                      headers=STAFF).get_json()
    assert page["counts"]["open"] == 2 and page["total"] == 2
    assert [ticket["id"] for ticket in page["items"]] == [later["id"], later["id"] - 1]


def test_a_search_falls_back_to_the_tickets_when_a_status_stays_unknown(client, desk):
    first = desk.create("Leak in the roof")
    store = client.application.extensions["ticket_store"]
    store.tickets.statuses.current(store.db.cursor())
    store.tickets.statuses.codes[first["id"]] = 0  # as a ticket the events never named would be
    page = client.get("/api/v1/tickets", query_string={"q": "leak", "sort": "id", "with_counts": "true"},
                      headers=STAFF).get_json()
    assert page["counts"]["open"] == 1 and page["total"] == 1


@pytest.mark.parametrize("params", [
    {"q": "leak", "sort": "-id", "with_counts": "true"},
    {"q": "leak roof", "sort": "id"},
    {"q": "lea", "sort": "relevance", "status": "open,active"},
    {"q": "printer", "status": "closed"},
    {"q": "nothing", "sort": "-id"},
])
def test_a_search_counts_alike_from_the_known_statuses_and_from_the_tickets(client, desk, params):
    for n, status in enumerate(["open", "active", "closed", "open", "closed", "active"]):
        desk.ticket_in(status, description=f"Leak in the roof of room {n}", title="Printer leak" if n % 2 else None)
    known, scanned = both_pages(client, params)
    assert known == scanned


@settings(max_examples=25, deadline=None, derandomize=True)
@given(tickets=st.lists(st.tuples(st.sampled_from(["open", "active", "closed"]),
                                  st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)), min_size=1, max_size=12),
       query=st.lists(st.sampled_from(WORDS + ("pro", "le")), min_size=1, max_size=2),
       sort=st.sampled_from(["id", "-id", "relevance"]),
       statuses=st.sampled_from(["", "open", "open,active", "closed"]),
       offset=st.integers(0, 3), limit=st.integers(1, 5))
def test_any_search_pages_and_counts_alike_either_way(tickets, query, sort, statuses, offset, limit):
    """Hypothesis: the same page and counts for any tickets, words, order, statuses and page."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DB_PATH": str(Path(folder) / "helpdesk.duckdb"), "TESTING": True})
        try:
            client = app.test_client()
            desk = Desk(client)
            for status, words in tickets:
                desk.ticket_in(status, description=" ".join(words))
            params = {"q": " ".join(query), "sort": sort, "offset": str(offset), "limit": str(limit)}
            if statuses:
                params["status"] = statuses
            known, scanned = both_pages(client, params)
            assert known == scanned
            assert known_codes(client) == stored_codes(client)
        finally:
            app.extensions["ticket_store"].db.close()


def test_a_campus_user_counts_only_what_they_may_see(client, desk):
    desk.ticket_in("closed", description="Leak in the roof")
    desk.ticket_in("open", description="Leak under the sink")
    page = client.get("/api/v1/tickets", query_string={"q": "leak", "sort": "id", "with_counts": "true"},
                      headers=USER).get_json()
    assert page["total"] == 1 and "closed" not in page["counts"]


@pytest.mark.parametrize("params, role", [
    ({"with_counts": "true"}, STAFF),
    ({"status": "open,active", "with_counts": "true"}, STAFF),
    ({"status": "closed"}, STAFF),
    ({}, USER),
    ({"category": "facility", "with_counts": "true"}, STAFF),  # another filter: counted by a scan
])
def test_a_list_counts_what_its_filters_match(client, desk, params, role):
    for status in ("open", "active", "closed", "open", "active", "open"):
        desk.ticket_in(status)
    page = client.get("/api/v1/tickets", query_string={"sort": "-id", **params}, headers=role).get_json()
    store = client.application.extensions["ticket_store"]
    statuses = params.get("status", "open,active" if role is USER else "open,active,closed").split(",")
    where = "category = 'facility'" if "category" in params else "TRUE"
    stored = dict(store.db.cursor().execute(f"SELECT status, count(*) FROM tickets WHERE {where} GROUP BY status").fetchall())
    assert page["total"] == sum(stored.get(status, 0) for status in statuses) == len(page["items"])
    if "with_counts" in params:
        assert page["counts"] == {status: stored.get(status, 0) for status in statuses}


def test_searches_beside_creates_and_moves_count_what_the_store_holds_once_they_stop(store_server):
    """Real HTTP, several threads: creates and status changes while searches count; then the counts are exact."""
    url = store_server.url + "/api/v1/tickets"
    seed = [requests.post(url, json={"description": f"Leak in room {n}"}, timeout=10).json()["id"] for n in range(8)]

    def write(n: int) -> None:
        created = requests.post(url, json={"description": f"Leak under sink {n}"}, timeout=10).json()
        for ticket_id in (created["id"], seed[n % len(seed)]):
            requests.post(f"{url}/{ticket_id}/status", json={"status": "active"}, headers=STAFF, timeout=10)

    def read(_: int) -> dict:
        page = requests.get(url, params={"q": "leak", "sort": "-id", "with_counts": "true"}, headers=STAFF,
                            timeout=10).json()
        assert page["total"] == sum(page["counts"].values()) and len(page["items"]) == min(page["total"], 50)
        return page

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda n: write(n) if n % 2 else read(n), range(40)))
    page = read(0)
    everything = requests.get(url, params={"limit": 100, "with_counts": "true"}, headers=STAFF, timeout=10).json()
    assert page["total"] == everything["total"] == 8 + 20
    by_status = {"open": 0, "active": 0, "closed": 0}
    for ticket in everything["items"]:
        by_status[ticket["status"]] += 1
    assert page["counts"] == everything["counts"] == by_status


def test_after_many_events_every_status_is_read_again_without_listing_them(client, desk, monkeypatch):
    """Regression: after a 10M demo load the events since the first read were listed (10M ids, +900 MB at the peak).

    More events than REREAD_ALL since the last read (counted from the next event id, no query)
    read every status again, even when they name few tickets.
    """
    monkeypatch.setattr("ticket_store.known_statuses.REREAD_ALL", 5)
    statuses = client.application.extensions["ticket_store"].tickets.statuses
    assert known_codes(client) == {}  # read once, before the writes
    for _ in range(3):
        desk.ticket_in("closed")  # three tickets, nine events
    reads, read_all = [], statuses.read_all
    monkeypatch.setattr(statuses, "read_all", lambda cursor: (reads.append(1), read_all(cursor)))
    assert known_codes(client) == stored_codes(client) and reads == [1]
