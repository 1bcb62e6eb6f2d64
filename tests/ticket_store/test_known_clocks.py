"""The staff's queue from the clocks held in memory (known_clocks): the same page and counts as SQL gives."""
from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ticket_store import create_app
from ticket_store.known_clocks import CLOCKS, NEVER
from ticket_store.payloads import parse_ticket_query
from ticket_store.tickets import ticket_filters

from .conftest import CSV_HEADER, STAFF, if_match
from .test_service_levels import T0, Clock, clock, timed  # noqa: F401 - the fixtures

DESCRIPTIONS = ("The printer in the library is jammed", "Water is leaking from the ceiling of room B12",
                "The canteen charged me twice for lunch")


def from_sql(client, params: dict) -> tuple[list[int], dict[str, int]]:
    """Return the page's ids and counts as the store's SQL finds them (ticket_filters, the same order)."""
    store = client.application.extensions["ticket_store"]
    query = parse_ticket_query(params)
    now = store.tickets.clock()
    where, values = ticket_filters(query, store.tickets.review_threshold, now)
    column, direction = query.sort.removeprefix("-"), "DESC" if query.sort.startswith("-") else "ASC"
    cursor = store.db.cursor()
    ids = [row[0] for row in cursor.execute(
        f"SELECT id FROM tickets WHERE {where} ORDER BY {column} {direction} NULLS LAST, id {direction} "
        "LIMIT ? OFFSET ?", [*values, query.limit, query.offset]).fetchall()]
    counts = dict(cursor.execute(f"SELECT status, count(*) FROM tickets WHERE {where} GROUP BY status", values).fetchall())
    return ids, {status: counts.get(status, 0) for status in query.status}


def from_store(client, params: dict) -> tuple[list[int], dict[str, int]]:
    page = client.get("/api/v1/tickets", query_string={**params, "with_counts": "true"}, headers=STAFF).get_json()
    assert page["total"] == sum(page["counts"].values())
    return [ticket["id"] for ticket in page["items"]], page["counts"]


def clocks_alike(client) -> None:
    """Assert that the clocks in memory are those of the tickets not closed."""
    store = client.application.extensions["ticket_store"]
    ids, clocks = store.tickets.clocks.current(store.db.cursor())
    held = sorted(zip(ids.tolist(), *(clocks[clock].tolist() for clock in CLOCKS)))
    stored = store.db.cursor().execute(
        f"SELECT id, {', '.join(f'coalesce(epoch_us({clock}), {NEVER})' for clock in CLOCKS)} FROM tickets "
        "WHERE closed_at IS NULL ORDER BY id").fetchall()
    assert held == [tuple(row) for row in stored]


QUEUE = {"sla": "at_risk,breached", "status": "open,active", "sort": "response_due_at"}


def test_every_write_that_moves_a_clock_is_known(timed, clock):
    """Creates, priorities, replies, moves, bulk changes, merges and imports: the clocks follow each one."""
    clocks_alike(timed)
    tickets = [timed.post("/api/v1/tickets", json={"description": text}).get_json() for text in DESCRIPTIONS]
    clocks_alike(timed)
    timed.patch(f"/api/v1/tickets/{tickets[0]['id']}", json={"priority": "urgent"}, headers={**STAFF, **if_match(1)})
    clocks_alike(timed)
    timed.post(f"/api/v1/tickets/{tickets[1]['id']}/messages", json={"body": "On it"}, headers=STAFF)
    clocks_alike(timed)
    timed.post(f"/api/v1/tickets/{tickets[2]['id']}/status", json={"status": "active"}, headers=STAFF)
    timed.post("/api/v1/tickets/bulk", json={"ids": [tickets[1]["id"], tickets[2]["id"]], "action": "priority",
                                             "value": "low"}, headers=STAFF)
    clocks_alike(timed)
    duplicate = timed.post("/api/v1/tickets", json={"description": DESCRIPTIONS[0]}).get_json()
    assert timed.post(f"/api/v1/tickets/{duplicate['id']}/merge", json={"into": tickets[0]["id"]},
                      headers=STAFF).status_code == 200
    clocks_alike(timed)
    rows = ",Projector broken,Aula 3,,it,open,2025-01-05T09:00:00Z,\n" \
           ",Heating off,Room 7,,facility,closed,2025-01-05T09:00:00Z,2025-01-06T09:00:00Z\n"
    assert timed.post("/api/v1/import", data=(CSV_HEADER + rows).encode(), content_type="text/csv",
                      headers=STAFF).status_code == 200
    clocks_alike(timed)
    timed.post(f"/api/v1/tickets/{tickets[2]['id']}/status", json={"status": "closed"}, headers=STAFF)
    clocks_alike(timed)
    clock.now = T0 + timedelta(hours=30)
    assert from_store(timed, QUEUE) == from_sql(timed, QUEUE)


def test_equal_due_times_are_ordered_by_id_across_the_page(timed, clock):
    """Imported tickets opened at one instant share their due times: the id decides, on every page."""
    rows = "".join(f",Leak {n},Room {n},,facility,{'active' if n % 3 else 'open'},2025-01-05T09:00:00Z,\n"
                   for n in range(9))
    assert timed.post("/api/v1/import", data=(CSV_HEADER + rows).encode(), content_type="text/csv",
                      headers=STAFF).status_code == 200
    for sort in ("response_due_at", "-response_due_at", "resolution_due_at", "-resolution_due_at"):
        for offset, limit in ((0, 2), (1, 3), (4, 4), (7, 5), (0, 50)):
            params = {**QUEUE, "sort": sort, "offset": str(offset), "limit": str(limit)}
            assert from_store(timed, params) == from_sql(timed, params), params


def test_an_answered_ticket_past_its_response_risk_time_stays_ok(timed, clock):
    """Answered at once, a normal ticket at 20 h is past its response risk time (18 h) but ok: that clock stopped."""
    answered, waiting = (timed.post("/api/v1/tickets", json={"description": text}).get_json()["id"]
                         for text in DESCRIPTIONS[:2])
    timed.post(f"/api/v1/tickets/{answered}/messages", json={"body": "On it"}, headers=STAFF)
    clock.now = T0 + timedelta(hours=20)
    for sla, expected in (("ok", [answered]), ("at_risk", [waiting])):
        params = {**QUEUE, "sla": sla}
        assert from_store(timed, params) == from_sql(timed, params)
        assert from_store(timed, params)[0] == expected


def test_a_queue_falls_back_to_sql_when_a_status_is_unknown(timed, clock):
    ticket = timed.post("/api/v1/tickets", json={"description": DESCRIPTIONS[0]}).get_json()
    clock.now = T0 + timedelta(hours=30)
    store = timed.application.extensions["ticket_store"]
    store.tickets.known.current(store.db.cursor())
    store.tickets.known.codes[ticket["id"]] = 0  # as a ticket the events never named would be
    assert from_store(timed, QUEUE) == ([ticket["id"]], {"open": 1, "active": 0})


@settings(max_examples=25, deadline=None, derandomize=True)
@given(steps=st.lists(st.tuples(st.sampled_from(["create", "urgent", "low", "reply", "active", "close", "later"]),
                                st.integers(0, 20)), min_size=1, max_size=14),
       sla=st.sampled_from(["", "ok", "at_risk", "breached", "at_risk,breached"]),
       status=st.sampled_from(["open", "active", "open,active"]), category=st.sampled_from(["", "it", "facility,services"]),
       sort=st.sampled_from(["response_due_at", "-response_due_at", "resolution_due_at", "-resolution_due_at"]),
       offset=st.integers(0, 3), limit=st.integers(1, 4))
def test_any_queue_pages_and_counts_alike_from_memory_and_from_sql(steps, sla, status, category, sort, offset, limit):
    """Hypothesis: any creates, priorities, replies, moves and passing hours, then any queue: as SQL gives it."""
    clock = Clock()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DB_PATH": str(Path(folder) / "helpdesk.duckdb"), "TESTING": True, "CLOCK": clock})
        try:
            client = app.test_client()
            made: list[int] = []
            for action, number in steps:
                if action == "create" or not made:
                    made.append(client.post("/api/v1/tickets", json={
                        "description": DESCRIPTIONS[number % len(DESCRIPTIONS)]}).get_json()["id"])
                    continue
                ticket = made[number % len(made)]
                if action in ("urgent", "low"):
                    client.post("/api/v1/tickets/bulk", json={"ids": [ticket], "action": "priority", "value": action},
                                headers=STAFF)
                elif action == "reply":
                    client.post(f"/api/v1/tickets/{ticket}/messages", json={"body": "Seen"}, headers=STAFF)
                elif action in ("active", "close"):
                    for step in ("active", "closed")[:1 if action == "active" else 2]:
                        client.post(f"/api/v1/tickets/{ticket}/status", json={"status": step}, headers=STAFF)
                else:
                    clock.now += timedelta(hours=number * 3)
                from_store(client, QUEUE)  # the clocks are read between the writes too
            params = {"status": status, "sort": sort, "offset": str(offset), "limit": str(limit)}
            params.update({"sla": sla} if sla else {}, **({"category": category} if category else {}))
            assert from_store(client, params) == from_sql(client, params)
            clocks_alike(client)
        finally:
            app.extensions["ticket_store"].db.close()
