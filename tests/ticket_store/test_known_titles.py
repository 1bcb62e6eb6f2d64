"""Open and active tickets sorted by title from the titles held in memory (known_titles): as SQL sorts them."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ticket_store import create_app
from ticket_store.known_titles import RESORT_AT

from .conftest import CSV_HEADER, STAFF, USER, if_match
from .test_known_clocks import from_sql, from_store

TITLES = st.one_of(st.none(), st.text(alphabet="aAzZ éÉèßä0-€😀", max_size=4))


def titles_alike(client) -> None:
    """Assert that the titles in memory are those of the tickets not closed, in SQL's order."""
    store = client.application.extensions["ticket_store"]
    titled, untitled = store.tickets.titles.current(store.db.cursor())
    cursor = store.db.cursor()
    assert titled == [tuple(row) for row in cursor.execute(
        "SELECT title, id FROM tickets WHERE closed_at IS NULL AND title IS NOT NULL ORDER BY title, id").fetchall()]
    assert untitled == [row[0] for row in cursor.execute(
        "SELECT id FROM tickets WHERE closed_at IS NULL AND title IS NULL ORDER BY id").fetchall()]


def pages_alike(client, status: str = "open,active", category: str = "") -> None:
    """Assert that every page sorted by title, both ways, is the page SQL gives."""
    for sort in ("title", "-title"):
        for offset, limit in ((0, 2), (1, 3), (3, 100), (0, 100)):
            params = {"status": status, "sort": sort, "offset": str(offset), "limit": str(limit),
                      **({"category": category} if category else {})}
            assert from_store(client, params) == from_sql(client, params), params


def import_rows(client, titles: list[str | None], status: str = "open") -> None:
    rows = "".join(f"{title or ''},Leak {n},Room {n},,facility,{status},2025-01-05T09:00:00Z,\n"
                   for n, title in enumerate(titles))
    assert client.post("/api/v1/import", data=(CSV_HEADER + rows).encode(), content_type="text/csv",
                       headers=STAFF).status_code == 200


def test_every_write_that_moves_a_title_is_known(client):
    """Creates, edits, moves, bulk moves, merges and imports, small and large: the titles follow each one."""
    titles_alike(client)
    made = [client.post("/api/v1/tickets", json={"description": "The printer in the library is jammed",
                                                  **({"title": title} if title else {})}).get_json()["id"]
            for title in ("Printer", None, "printer", "Printer", "Ärger", "")]
    titles_alike(client)
    pages_alike(client)
    assert client.patch(f"/api/v1/tickets/{made[0]}", json={"title": "Zebra crossing"},
                        headers={**USER, **if_match(1)}).status_code == 200
    assert client.patch(f"/api/v1/tickets/{made[1]}", json={"title": "A title at last"},
                        headers={**STAFF, **if_match(1)}).status_code == 200
    titles_alike(client)
    client.post(f"/api/v1/tickets/{made[2]}/status", json={"status": "active"}, headers=STAFF)
    client.post("/api/v1/tickets/bulk", json={"ids": made[3:5], "action": "status", "value": "active"}, headers=STAFF)
    pages_alike(client, status="active")
    client.post(f"/api/v1/tickets/{made[4]}/status", json={"status": "closed"}, headers=STAFF)
    assert client.post(f"/api/v1/tickets/{made[5]}/merge", json={"into": made[0]}, headers=STAFF).status_code == 200
    titles_alike(client)
    import_rows(client, ["Boiler", None, "boiler"])
    titles_alike(client)
    import_rows(client, [f"Heating {n % 7}" if n % 5 else None for n in range(RESORT_AT + 10)], status="active")
    titles_alike(client)
    pages_alike(client)
    heating = [ticket["id"] for ticket in client.get("/api/v1/tickets", query_string={
        "status": "active", "q": "leak", "limit": "200"}, headers=STAFF).get_json()["items"]]
    assert len(heating) > RESORT_AT
    assert client.post("/api/v1/tickets/bulk", json={"ids": heating, "action": "status", "value": "closed"},
                       headers=STAFF).status_code == 200  # more than RESORT_AT at once: filtered and sorted again
    titles_alike(client)
    pages_alike(client, status="open", category="facility")


def test_equal_titles_are_ordered_by_id_and_untitled_tickets_come_last(client):
    import_rows(client, ["Same", None, "Same", "Other", None, "Same", "same"])
    store = client.application.extensions["ticket_store"]
    ids = [row[0] for row in store.db.cursor().execute("SELECT id FROM tickets ORDER BY id").fetchall()]
    first = from_store(client, {"status": "open", "sort": "title"})[0]
    assert first == [ids[3], ids[0], ids[2], ids[5], ids[6], ids[1], ids[4]]
    assert from_store(client, {"status": "open", "sort": "-title"})[0] == [ids[6], ids[5], ids[2], ids[0], ids[3],
                                                                            ids[4], ids[1]]
    pages_alike(client, status="open")


def test_a_page_falls_back_to_sql_when_a_status_is_unknown(client):
    ticket = client.post("/api/v1/tickets", json={"description": "The canteen charged me twice",
                                                   "title": "Canteen"}).get_json()
    store = client.application.extensions["ticket_store"]
    store.tickets.known.current(store.db.cursor())
    store.tickets.known.codes[ticket["id"]] = 0  # as a ticket the events never named would be
    assert from_store(client, {"status": "open", "sort": "title"}) == ([ticket["id"]], {"open": 1})


@settings(max_examples=25, deadline=None, derandomize=True)
@given(steps=st.lists(st.tuples(st.sampled_from(["create", "edit", "active", "close", "import"]), st.integers(0, 30),
                                TITLES), min_size=1, max_size=12),
       status=st.sampled_from(["open", "active", "open,active"]), category=st.sampled_from(["", "it", "facility,it"]))
def test_any_titles_page_alike_from_memory_and_from_sql(steps, status, category):
    """Hypothesis: any titles (none, empty, accents, emoji), edits, moves and imports, then any page by title."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DB_PATH": str(Path(folder) / "helpdesk.duckdb"), "TESTING": True})
        try:
            client = app.test_client()
            made: list[int] = []
            for action, number, title in steps:
                if action == "import":
                    import_rows(client, [title] * (number % 3 + 1) + [f"T{n}" for n in range(number * 3)])
                    made = [row[0] for row in app.extensions["ticket_store"].db.cursor().execute(
                        "SELECT id FROM tickets ORDER BY id").fetchall()]
                elif action == "create" or not made:
                    made.append(client.post("/api/v1/tickets", json={
                        "description": "Wi-fi is down in the library" if number % 2 else "Water leaks in B12",
                        **({"title": title} if title is not None else {})}).get_json()["id"])
                elif action == "edit":
                    client.patch(f"/api/v1/tickets/{made[number % len(made)]}", json={"title": title}, headers=STAFF)
                else:
                    for step in ("active", "closed")[:1 if action == "active" else 2]:
                        client.post(f"/api/v1/tickets/{made[number % len(made)]}/status", json={"status": step},
                                    headers=STAFF)
                from_store(client, {"status": "open,active", "sort": "title"})  # read between the writes too
            titles_alike(client)
            pages_alike(client, status, category)
        finally:
            app.extensions["ticket_store"].db.close()
