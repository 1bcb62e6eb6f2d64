"""The statuses a search counts by (known_tickets): equal to the tickets' after every kind of write."""
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
from ticket_store.known_tickets import CATEGORY_CODES, CODES, KnownTickets
from ticket_store.payloads import parse_ticket_query

from .conftest import CSV_HEADER, STAFF, USER, Desk, if_match

WORDS = ("heating", "leak", "printer", "projector", "wifi")
DESCRIPTIONS = ("The printer in the library is jammed", "Water is leaking from the ceiling of room B12",
                "The canteen charged me twice for lunch", "The wifi keeps dropping in the library",
                "The heating in the lecture hall is off", "My student card was not renewed")


def stored_codes(client) -> dict[int, int]:
    """Return each ticket's status code as the database holds it."""
    cursor = client.application.extensions["ticket_store"].db.cursor()
    return {ticket_id: CODES[status] for ticket_id, status in cursor.execute("SELECT id, status FROM tickets").fetchall()}


def known_codes(client, statuses: KnownTickets | None = None) -> dict[int, int]:
    """Return the known status code of every stored ticket, brought up to date; check the known categories and
    counts too."""
    store = client.application.extensions["ticket_store"]
    statuses = statuses or store.tickets.known
    cursor = store.db.cursor()
    codes = statuses.current(cursor)
    known = {ticket_id: int(codes[ticket_id]) for ticket_id in stored_codes(client)}
    categories = dict(cursor.execute("SELECT id, category FROM tickets").fetchall())
    assert {ticket_id: int(statuses.categories[ticket_id]) for ticket_id in categories} == {
        ticket_id: CATEGORY_CODES[category] for ticket_id, category in categories.items()}
    for chosen in (None, ["it"], ["facility", "services"]):
        where = f"category IN ({', '.join('?' * len(chosen))})" if chosen else "TRUE"
        stored = dict(cursor.execute(f"SELECT status, count(*) FROM tickets WHERE {where} GROUP BY status",
                                     chosen or []).fetchall())
        assert statuses.counts(cursor, chosen) == {status: stored.get(status, 0) for status in CODES}
    return known


def both_pages(client, params: dict) -> tuple[tuple, tuple]:
    """Return (ids, counts) of one search from the known statuses and from a scan of the tickets."""
    store = client.application.extensions["ticket_store"]
    query = parse_ticket_query({"limit": "100", **params})
    words = search.SearchWords(query.q)
    where = f"category IN ({', '.join('?' * len(query.category))})" if query.category else "TRUE"
    answers = []
    for statuses in (store.tickets.known, None):
        ids, by_status = search.page(store.db.cursor(), words, where, query.category or [], query, statuses)
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
    restarted = KnownTickets(client.application.extensions["ticket_store"].db)
    assert known_codes(client, restarted) == stored_codes(client)


def test_every_write_that_sets_a_category_is_known(client, desk):
    """The categorizer's at a create, a staff correction, an edit that re-checks it, an import: each is known."""
    soup = desk.create("The soup in the canteen was cold again at lunch", title="Cold soup")
    assert soup["category"] == "services"
    known_codes(client)
    edited = client.patch(f"/api/v1/tickets/{soup['id']}", json={
        "title": "eduroam and VPN", "description": "I cannot connect to eduroam and the VPN client fails to log in"},
        headers={**USER, **if_match(soup["version"])}).get_json()
    assert edited["category"] == "it"  # re-checked by the categorizer
    known = client.application.extensions["ticket_store"].tickets.known
    assert known_codes(client) and known.categories[soup["id"]] == CATEGORY_CODES["it"]
    corrected = client.patch(f"/api/v1/tickets/{soup['id']}", json={"category": "facility"},
                             headers={**STAFF, **if_match(edited["version"])}).get_json()
    assert corrected["category"] == "facility"
    assert known_codes(client) and known.categories[soup["id"]] == CATEGORY_CODES["facility"]
    rows = ",Printer jammed,Library,,services,closed,2026-01-05T09:00:00Z,2026-01-06T09:00:00Z\n" \
           ",Leak in the roof,Aula 3,,,active,2026-01-05T09:00:00Z,\n"
    assert desk.import_csv(CSV_HEADER + rows).status_code == 200
    known_codes(client)
    page = client.get("/api/v1/tickets", query_string={"category": "services", "with_counts": "true"},
                      headers=STAFF).get_json()
    assert page["counts"] == {"open": 0, "active": 0, "closed": 1} and page["items"][0]["description"] == "Printer jammed"


def test_many_changes_at_once_are_read_again_whole(client, desk, monkeypatch):
    monkeypatch.setattr("ticket_store.known_tickets.REREAD_ALL", 2)
    assert known_codes(client) == {}
    for status in ("open", "active", "closed", "active"):
        desk.ticket_in(status)
    assert known_codes(client) == stored_codes(client)


class ReadBeforeTheCreate(KnownTickets):
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
    stale = store.tickets.known.current(store.db.cursor()).copy()
    later = desk.create("Leak under the sink")
    store.tickets.known = ReadBeforeTheCreate(store.db, stale[:later["id"]])
    page = client.get("/api/v1/tickets", query_string={"q": "leak", "sort": "-id", "with_counts": "true"},
                      headers=STAFF).get_json()
    assert page["counts"]["open"] == 2 and page["total"] == 2
    assert [ticket["id"] for ticket in page["items"]] == [later["id"], later["id"] - 1]


def test_a_search_falls_back_to_the_tickets_when_a_status_stays_unknown(client, desk):
    first = desk.create("Leak in the roof")
    store = client.application.extensions["ticket_store"]
    store.tickets.known.current(store.db.cursor())
    store.tickets.known.codes[first["id"]] = 0  # as a ticket the events never named would be
    page = client.get("/api/v1/tickets", query_string={"q": "leak", "sort": "id", "with_counts": "true"},
                      headers=STAFF).get_json()
    assert page["counts"]["open"] == 1 and page["total"] == 1


@pytest.mark.parametrize("params", [
    {"q": "leak", "sort": "-id", "with_counts": "true"},
    {"q": "leak roof", "sort": "id"},
    {"q": "lea", "sort": "relevance", "status": "open,active"},
    {"q": "printer", "status": "closed"},
    {"q": "nothing", "sort": "-id"},
    {"q": "leak", "sort": "-id", "category": "facility", "with_counts": "true"},
    {"q": "printer", "sort": "relevance", "category": "it,services", "status": "open,closed"},
])
def test_a_search_counts_alike_from_the_known_tickets_and_from_the_tickets(client, desk, params):
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
       categories=st.sampled_from(["", "it", "facility,services"]), offset=st.integers(0, 3), limit=st.integers(1, 5),
       edited=st.booleans(), mask_share=st.sampled_from([-1.0, 1.0]))
def test_any_search_pages_and_counts_alike_either_way(tickets, query, sort, statuses, categories, offset, limit,
                                                      edited, mask_share):
    """Hypothesis: the same page and counts for any tickets, words, order, statuses, categories and page.

    *edited*: the first ticket's terms are written again, after the others' (a word's postings out of order);
    *mask_share*: the words are intersected in memory (1.0) or in one statement (-1.0: every word is common).
    """
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DB_PATH": str(Path(folder) / "helpdesk.duckdb"), "TESTING": True})
        shared, search.MASK_SHARE = search.MASK_SHARE, mask_share
        try:
            client = app.test_client()
            desk = Desk(client)
            for status, words in tickets:
                desk.ticket_in(status, description=" ".join(words))
            first = desk.get(1)
            if edited and first["status"] != "closed":
                response = client.patch("/api/v1/tickets/1", json={"description": first["description"] + " roof"},
                                        headers={**STAFF, **if_match(first["version"])})
                assert response.status_code == 200, response.get_json()
            params = {"q": " ".join(query), "sort": sort, "offset": str(offset), "limit": str(limit)}
            if statuses:
                params["status"] = statuses
            if categories:
                params["category"] = categories
            known, scanned = both_pages(client, params)
            assert known == scanned
            assert known_codes(client) == stored_codes(client)
        finally:
            search.MASK_SHARE = shared
            app.extensions["ticket_store"].db.close()


def test_postings_an_edit_wrote_after_the_others_still_page_in_order(client, desk, monkeypatch):
    """An edit writes its ticket's terms again, after the others': a word's postings then come out of order."""
    monkeypatch.setattr(search, "MASK_SHARE", 1.0)  # however few the tickets, the words are intersected in memory
    for room in range(4):
        desk.create(f"Leak in the roof of room {room}")
    first = desk.get(1)
    response = client.patch("/api/v1/tickets/1", json={"description": "Leak in the roof of room 0, again"},
                            headers={**STAFF, **if_match(first["version"])})
    assert response.status_code == 200
    for sort, expected in (("id", [1, 2, 3, 4]), ("-id", [4, 3, 2, 1])):
        for query in ("leak", "leak roof", "leak roo", "roof of"):
            page = client.get("/api/v1/tickets", query_string={"q": query, "sort": sort, "with_counts": "true"},
                              headers=STAFF).get_json()
            assert [ticket["id"] for ticket in page["items"]] == expected, (query, sort)
            assert page["counts"]["open"] == 4


@pytest.mark.parametrize("mask_share", [-1.0, 1.0])  # in one statement, in memory
def test_relevance_counts_a_prefix_by_its_greatest_weight_in_memory_as_in_sql(client, desk, monkeypatch, mask_share):
    """A prefix may match two terms of one ticket, one in its title: the word weighs as the title's."""
    monkeypatch.setattr(search, "MASK_SHARE", mask_share)
    a = desk.create("A leak under the pipe", title="Leaking pipe")["id"]  # pipe 2 + lea… max(leaking 2, leak 1)
    b = desk.create("It is leaking", title="Pipe")["id"]  # 2 + 1
    c = desk.create("Water everywhere", title="Pipe leaking")["id"]  # 2 + 2, and the newest of the best
    page = client.get("/api/v1/tickets", query_string={"q": "pipe lea", "sort": "relevance"}, headers=STAFF)
    assert [ticket["id"] for ticket in page.get_json()["items"]] == [c, a, b]


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
    ({"category": "facility", "with_counts": "true"}, STAFF),
    ({"category": "it,services", "status": "open"}, USER),
    ({"priority": "normal", "with_counts": "true"}, STAFF),  # another filter: counted by a scan
    ({"category": "it", "priority": "normal"}, STAFF),
])
def test_a_list_counts_what_its_filters_match(client, desk, params, role):
    for status, description in zip(("open", "active", "closed", "open", "active", "open"), DESCRIPTIONS):
        desk.ticket_in(status, description=description)
    page = client.get("/api/v1/tickets", query_string={"sort": "-id", **params}, headers=role).get_json()
    store = client.application.extensions["ticket_store"]
    statuses = params.get("status", "open,active" if role is USER else "open,active,closed").split(",")
    where = f"category IN ({', '.join(repr(c) for c in params['category'].split(','))})" if "category" in params else "TRUE"
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
    monkeypatch.setattr("ticket_store.known_tickets.REREAD_ALL", 5)
    statuses = client.application.extensions["ticket_store"].tickets.known
    assert known_codes(client) == {}  # read once, before the writes
    for _ in range(3):
        desk.ticket_in("closed")  # three tickets, nine events
    reads, read_all = [], statuses.read_all
    monkeypatch.setattr(statuses, "read_all", lambda cursor: (reads.append(1), read_all(cursor)))
    assert known_codes(client) == stored_codes(client) and reads == [1]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(tickets=st.lists(st.tuples(st.sampled_from(["open", "active", "closed"]), st.sampled_from(DESCRIPTIONS)),
                        min_size=0, max_size=12),
       sort=st.sampled_from(["id", "-id"]), statuses=st.sampled_from(["", "open", "open,active", "active,closed"]),
       categories=st.sampled_from(["", "it", "facility,services", "services"]),
       offset=st.integers(0, 4), limit=st.integers(1, 5))
def test_any_list_by_id_pages_and_counts_alike_from_memory_and_from_the_tickets(tickets, sort, statuses, categories,
                                                                               offset, limit):
    """Hypothesis: a list sorted by id with no filter but the status and the category, from memory, as SQL gives it."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DB_PATH": str(Path(folder) / "helpdesk.duckdb"), "TESTING": True})
        try:
            client = app.test_client()
            desk = Desk(client)
            for status, description in tickets:
                desk.ticket_in(status, description=description)
            params = {"sort": sort, "offset": str(offset), "limit": str(limit), "with_counts": "true"}
            chosen_statuses = statuses.split(",") if statuses else ["open", "active", "closed"]
            chosen_categories = categories.split(",") if categories else ["facility", "it", "services"]
            params.update({"status": statuses} if statuses else {}, **({"category": categories} if categories else {}))
            page = client.get("/api/v1/tickets", query_string=params, headers=STAFF).get_json()
            cursor = app.extensions["ticket_store"].db.cursor()
            where = (f"status IN ({', '.join('?' * len(chosen_statuses))}) "
                     f"AND category IN ({', '.join('?' * len(chosen_categories))})")
            ids = [row[0] for row in cursor.execute(
                f"SELECT id FROM tickets WHERE {where} ORDER BY id {'DESC' if sort == '-id' else 'ASC'} LIMIT ? OFFSET ?",
                [*chosen_statuses, *chosen_categories, limit, offset]).fetchall()]
            stored = dict(cursor.execute(f"SELECT status, count(*) FROM tickets WHERE {where} GROUP BY status",
                                         [*chosen_statuses, *chosen_categories]).fetchall())
            assert [ticket["id"] for ticket in page["items"]] == ids
            assert page["counts"] == {status: stored.get(status, 0) for status in chosen_statuses}
            assert page["total"] == sum(stored.values())
        finally:
            app.extensions["ticket_store"].db.close()


def test_a_page_by_id_is_taken_a_chunk_at_a_time_across_chunks(client, desk, monkeypatch):
    """Pages that start, end or skip across PAGE_CHUNK's bounds: the same tickets as SQL gives."""
    monkeypatch.setattr("ticket_store.known_tickets.PAGE_CHUNK", 4)
    for n in range(15):
        desk.ticket_in(("open", "active", "closed")[n % 3])
    # A cursor of its own: a request ends by closing its thread's.
    cursor = client.application.extensions["ticket_store"].db.connection.cursor()
    for sort, offset, limit in (("-id", 0, 3), ("-id", 2, 7), ("id", 3, 5), ("id", 0, 15), ("-id", 9, 4), ("id", 12, 4)):
        page = client.get("/api/v1/tickets", query_string={"sort": sort, "status": "open,closed", "offset": offset,
                                                           "limit": limit}, headers=STAFF).get_json()
        ids = [row[0] for row in cursor.execute(
            f"SELECT id FROM tickets WHERE status IN ('open', 'closed') ORDER BY id {'DESC' if sort == '-id' else ''} "
            "LIMIT ? OFFSET ?", [limit, offset]).fetchall()]
        assert [ticket["id"] for ticket in page["items"]] == ids and page["total"] == 10
