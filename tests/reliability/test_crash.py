"""kill -9 of the store in the middle of concurrent writes, ten times over the same file."""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

import duckdb
import pytest
import requests

from harness.processes import store_process
from ticket_store import search

WRITERS = 8
CYCLES = 10
STAFF = {"X-Helpdesk-Role": "staff"}


@dataclass
class Acknowledged:
    """Writes the store answered with a 2xx: ticket id → description, message id → (ticket id, body), edits."""

    tickets: dict[int, str] = field(default_factory=dict)
    messages: dict[int, tuple[int, str]] = field(default_factory=dict)
    edits: set[tuple[int, str]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def writer(url: str, number: int, cycle: int, acknowledged: Acknowledged, stop: threading.Event) -> None:
    """Create tickets, post messages and edit titles until the store dies; record every 2xx."""
    session = requests.Session()
    mine: list[int] = []
    step = 0
    while not stop.is_set():
        step += 1
        try:
            if mine and step % 4 == 3:
                ticket_id = random.choice(mine)
                title = f"cycle {cycle} writer {number} edit {step}"
                version = session.get(f"{url}/api/v1/tickets/{ticket_id}", timeout=10).headers["ETag"]
                response = session.patch(f"{url}/api/v1/tickets/{ticket_id}", json={"title": title},
                                         headers={"If-Match": version}, timeout=10)
                if response.status_code == 200:
                    with acknowledged.lock:
                        acknowledged.edits.add((ticket_id, title))
            elif mine and step % 2 == 0:
                ticket_id = random.choice(mine)
                body = f"cycle {cycle} writer {number} message {step}"
                response = session.post(f"{url}/api/v1/tickets/{ticket_id}/messages", json={"body": body},
                                        timeout=10)
                if response.status_code == 201:
                    with acknowledged.lock:
                        acknowledged.messages[response.json()["id"]] = (ticket_id, body)
            else:
                description = f"cycle {cycle} writer {number} ticket {step}: the projector in H{step} flickers"
                response = session.post(f"{url}/api/v1/tickets", json={"description": description}, timeout=10)
                if response.status_code == 201:
                    ticket_id = response.json()["id"]
                    mine.append(ticket_id)
                    with acknowledged.lock:
                        acknowledged.tickets[ticket_id] = description
            assert response.status_code < 300, response.text
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            return  # the store was killed before (or while) answering


def open_when_released(path: str, wait: float = 20) -> duckdb.DuckDBPyConnection:
    """Open the file read-only once the killed store's last process has let go of its lock."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(path, read_only=True)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def check_database(path: str, acknowledged: Acknowledged) -> dict[str, int]:
    """Open the file as the next store would; assert every acknowledged write and a consistent history."""
    with open_when_released(path) as con:
        tickets = dict(con.execute("SELECT id, description FROM tickets").fetchall())
        messages = {id_: (ticket, body) for id_, ticket, body in
                    con.execute("SELECT id, ticket_id, body FROM messages").fetchall()}
        lost_tickets = {id_ for id_, description in acknowledged.tickets.items() if tickets.get(id_) != description}
        lost_messages = {id_ for id_, message in acknowledged.messages.items() if messages.get(id_) != message}
        assert not lost_tickets and not lost_messages, (sorted(lost_tickets)[:10], sorted(lost_messages)[:10])
        edits = set(con.execute("SELECT ticket_id, json_extract_string(new, '$.title') FROM events "
                                "WHERE kind = 'edited'").fetchall())
        assert acknowledged.edits <= edits, sorted(acknowledged.edits - edits)[:10]
        without_created = con.execute(
            "SELECT id FROM tickets t WHERE (SELECT count(*) FROM events e WHERE e.ticket_id = t.id "
            "AND kind = 'created') <> 1").fetchall()
        assert without_created == [], f"tickets without exactly one created event: {without_created[:10]}"
        mismatched = con.execute(
            "SELECT t.id, t.message_count, "
            "(SELECT count(*) FROM messages m WHERE m.ticket_id = t.id), "
            "(SELECT count(*) FROM events e WHERE e.ticket_id = t.id AND e.kind = 'message_posted'), "
            "t.version, (SELECT count(*) FROM events e WHERE e.ticket_id = t.id AND e.kind <> 'created') "
            "FROM tickets t").fetchall()
        bad = [row for row in mismatched if not (row[1] == row[2] == row[3] and row[4] == 1 + row[5])]
        assert bad == [], f"(id, message_count, messages, message_posted events, version, changes): {bad[:10]}"
        titles = con.execute(
            "SELECT t.id FROM tickets t WHERE t.title IS DISTINCT FROM (SELECT json_extract_string(new, '$.title') "
            "FROM events e WHERE e.ticket_id = t.id AND kind = 'edited' ORDER BY id DESC LIMIT 1)").fetchall()
        assert titles == [], f"tickets whose title is not their last edit: {titles[:10]}"
        orphans = con.execute(
            "SELECT count(*) FROM messages WHERE ticket_id NOT IN (SELECT id FROM tickets)").fetchone()[0]
        orphan_events = con.execute(
            "SELECT count(*) FROM events WHERE ticket_id NOT IN (SELECT id FROM tickets)").fetchone()[0]
        assert orphans == orphan_events == 0
        assert search.index_differences(con) == []  # the search index holds exactly the tickets' text
        return {"tickets": len(tickets), "messages": len(messages), "edits": len(edits)}


@pytest.mark.slow
def test_acknowledged_writes_survive_repeated_kill_9(db_path, record_property):
    """8 writers, kill -9 of the whole store process group at a random moment, restart; ten times."""
    seed = random.randrange(1 << 30)
    chooser = random.Random(seed)
    acknowledged = Acknowledged()
    counts: dict[str, int] = {}
    for cycle in range(CYCLES):
        store = store_process(db_path).start()
        try:
            if cycle:  # the store came back after the previous crash: what it serves matches the file's check
                total = requests.get(store.url + "/api/v1/tickets", params={"limit": 1}, headers=STAFF,
                                     timeout=10).json()["total"]
                assert total == counts["tickets"]
            stop = threading.Event()
            threads = [threading.Thread(target=writer, args=(store.url, n, cycle, acknowledged, stop))
                       for n in range(WRITERS)]
            for thread in threads:
                thread.start()
            time.sleep(chooser.uniform(0.5, 3.0))
            store.kill()
        finally:
            store.stop()
        stop.set()
        for thread in threads:
            thread.join(15)
        counts = check_database(str(db_path), acknowledged)
        print(f"cycle {cycle} (seed {seed}): in the file {counts}; acknowledged so far "
              f"{len(acknowledged.tickets)} tickets, {len(acknowledged.messages)} messages, "
              f"{len(acknowledged.edits)} edits")
    record_property("crash_cycles", CYCLES)
    record_property("acknowledged", {"tickets": len(acknowledged.tickets), "messages": len(acknowledged.messages),
                                     "edits": len(acknowledged.edits)})
    assert len(acknowledged.tickets) > CYCLES * WRITERS  # the writers really wrote in every run


@pytest.mark.slow
def test_import_killed_midway_is_all_or_nothing(db_path, tmp_path):
    """kill -9 while a 50,000-row import runs: after restart the file holds all of its rows or none."""
    from bench.dataset import write_tickets_csv

    rows = 50_000
    body = write_tickets_csv(tmp_path / "tickets.csv", rows).read_bytes()
    chooser = random.Random()
    store = store_process(db_path).start()
    try:  # one import that finishes, to learn how long one takes here
        started = time.monotonic()
        assert post_quietly(store.url, body) == 200
        duration = time.monotonic() - started
    finally:
        store.stop()
    counts = [rows]
    for cycle in range(4):
        store = store_process(db_path).start()
        try:
            assert requests.get(store.url + "/api/v1/tickets", params={"limit": 1}, headers=STAFF,
                                timeout=10).json()["total"] == counts[-1]
            sender = threading.Thread(target=lambda: post_quietly(store.url, body))
            sender.start()
            time.sleep(chooser.uniform(0.1, 1.3) * duration)
            store.kill()
            sender.join(30)
        finally:
            store.stop()
        with open_when_released(str(db_path)) as con:
            tickets, events = con.execute("SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM events)"
                                          ).fetchone()
            index_differences = search.index_differences(con)
        assert tickets in (counts[-1], counts[-1] + rows) and events == tickets, (cycle, tickets, events)
        assert index_differences == []  # the import's index rows went with its tickets, or neither did
        counts.append(tickets)
    print(f"one import of {rows:,} rows takes {duration:.1f} s; tickets after each killed import: {counts[1:]}")


def post_quietly(url: str, body: bytes) -> int | None:
    """Post the import; return its status, or None when the store died first."""
    try:
        return requests.post(url + "/api/v1/import", data=body, headers={**STAFF, "Content-Type": "text/csv"},
                             timeout=120).status_code
    except requests.RequestException:
        return None
