"""The group commit: its deferred rows (few go in as VALUES, many as one INSERT of column lists) and its wait for writes under way."""
from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest

from ticket_store.db import UNNEST_FROM, Database

COLUMNS = "id, ticket_id, kind, recipient, details, follow_token, skip, created_at, next_attempt_at, attempts"


@pytest.mark.parametrize("count", sorted({1, UNNEST_FROM - 1, UNNEST_FROM, UNNEST_FROM + 1, 70}))
def test_deferred_rows_arrive_whole_however_many(db_path, count):
    db = Database(str(db_path))
    at = datetime(2026, 1, 5, 9, 30, 0, 123456)
    rows = [(n + 1, n, "created", f"person{n}@campus.example", '{"é": "ü"}' if n % 2 else "{}", None,
             bool(n % 3), at, at, 0) for n in range(count)]  # follow_token: null in every row

    def defer(_cursor):
        for row in rows:
            db.insert_later("outbox", COLUMNS, row)

    try:
        db.write(defer)
        stored = db.cursor().execute(f"SELECT {COLUMNS} FROM outbox ORDER BY id").fetchall()
        assert stored == rows
    finally:
        db.close()


def test_a_refused_job_leaves_none_of_its_many_rows(db_path):
    from ticket_store.rules import NotPermitted

    db = Database(str(db_path))
    at = datetime(2026, 1, 5)

    def refuse(_cursor):
        for n in range(UNNEST_FROM + 2):
            db.insert_later("outbox", COLUMNS, (n + 1, n, "created", "a@campus.example", "{}", None, False, at, at, 0))
        raise NotPermitted("Only staff may do this.", "user")

    try:
        with pytest.raises(NotPermitted):
            db.write(refuse)
        db.write(lambda _cursor: None)
        assert db.cursor().execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    finally:
        db.close()


def transaction_id(cursor) -> int:
    return cursor.execute("SELECT txid_current()").fetchone()[0]


def test_a_commit_waits_for_a_write_announced_under_way(db_path, monkeypatch):
    import ticket_store.db

    monkeypatch.setattr(ticket_store.db, "GATHER_SECONDS", 30.0)  # long enough that only the arrival ends the wait
    db = Database(str(db_path))
    announced, results = threading.Event(), {}

    def request_under_way() -> None:
        db.announce_write()
        announced.set()
        while not db._queue:  # the other write is queued and waits for this one
            time.sleep(0.001)
        results["late"] = db.write(transaction_id)

    try:
        late = threading.Thread(target=request_under_way)
        late.start()
        announced.wait(10)
        results["first"] = db.write(transaction_id)
        late.join(10)
        assert results["first"] == results["late"]  # one transaction, one fsync
        assert db.writes_announced() == 0
    finally:
        db.close()


def test_a_withdrawn_announcement_holds_no_commit_back(db_path, monkeypatch):
    import ticket_store.db

    monkeypatch.setattr(ticket_store.db, "GATHER_SECONDS", 30.0)
    db = Database(str(db_path))
    done = threading.Event()

    def refused_request() -> None:
        db.announce_write()
        db.announce_write()  # one request counts once
        db.withdraw_write()  # it ended without writing (a 422, say)

    try:
        other = threading.Thread(target=refused_request)
        other.start()
        other.join(10)
        assert db.writes_announced() == 0
        writer = threading.Thread(target=lambda: (db.write(transaction_id), done.set()))
        writer.start()
        assert done.wait(10), "the commit waited for a request that had ended"
        writer.join(10)
    finally:
        db.close()


def test_every_request_that_may_write_announces_and_ends_its_announcement(app, client):
    db = app.extensions["ticket_store"].db
    created = client.post("/api/v1/tickets", json={"description": "The projector in room 1.02 flickers"})
    assert created.status_code == 201
    assert client.post("/api/v1/tickets", json={"description": ""}).status_code == 422
    assert client.patch(f"/api/v1/tickets/{created.json['id']}", json={"priority": "high"},
                        headers={"X-Helpdesk-Role": "staff"}).status_code == 428  # no If-Match
    assert client.get("/api/v1/tickets").status_code == 200
    assert db.writes_announced() == 0
    db.announce_write()  # this thread's next request (the test client runs them here) writes
    assert db.writes_announced() == 1
    assert client.post(f"/api/v1/tickets/{created.json['id']}/messages", json={"body": "Still flickering"}).status_code == 201
    assert db.writes_announced() == 0


def test_a_write_of_its_own_counts_as_arrived(db_path):
    db = Database(str(db_path))
    try:
        db.announce_write()  # an import's request
        with db.transaction() as cursor:
            cursor.execute("SELECT 1")
        assert db.writes_announced() == 0  # no group commit waits for it while it runs
    finally:
        db.close()
