"""Checkpoints go on while the store serves: no request, and not the start, leaves a transaction open.

A DuckDB result read with fetchone() stays open with its transaction; once an UPDATE is committed
after such a transaction began, DuckDB refuses every checkpoint ("there are other write transactions
active") and the WAL grows until the store stops: 5 GB and a 3.5 GB spill after a 10M demo load.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import requests

from .conftest import CSV_HEADER, STAFF

CHECKPOINT_THRESHOLD = 16 * 2**20  # DuckDB's checkpoint_threshold: a larger WAL is checkpointed at the next commit


def checkpoint_refusal(app) -> str | None:
    """Return DuckDB's reason for refusing a checkpoint now, or None when it checkpoints."""
    cursor = app.extensions["ticket_store"].db.connection.cursor()
    try:
        cursor.execute("CHECKPOINT")
        return None
    except duckdb.Error as error:
        return str(error)
    finally:
        cursor.close()


def test_the_start_leaves_no_transaction_open(app, desk):
    ticket = desk.create()
    assert desk.move(ticket["id"], "active").status_code == 200  # an UPDATE: the first write a checkpoint waits for
    assert checkpoint_refusal(app) is None


def test_a_read_on_a_thread_gone_idle_leaves_no_transaction_open(app, desk):
    ticket = desk.create()
    read, done = threading.Event(), threading.Event()

    def read_then_idle() -> None:  # as a waitress thread between requests: its cursor lives on
        assert app.test_client().get(f"/api/v1/tickets/{ticket['id']}", headers=STAFF).status_code == 200
        read.set()
        done.wait(30)

    reader = threading.Thread(target=read_then_idle)
    reader.start()
    try:
        assert read.wait(30)
        assert desk.move(ticket["id"], "active").status_code == 200
        assert checkpoint_refusal(app) is None
    finally:
        done.set()
        reader.join()


def test_a_store_that_imports_and_changes_keeps_its_wal_small(db_path: Path, store_server):
    """Over HTTP, with reads spread over the store's threads, an import of a WAL's worth of tickets and the
    changes after it are checkpointed: the WAL ends below the threshold."""
    api = store_server.url + "/api/v1"
    first = requests.post(f"{api}/tickets", json={"description": "The projector in room A1 is off"}, timeout=10).json()

    def read(_: int) -> None:  # each on a connection of its own, so on several of the store's threads
        with requests.Session() as session:
            session.get(f"{api}/tickets/{first['id']}", headers=STAFF, timeout=10).raise_for_status()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(read, range(32)))
    rows = "".join(f"Heating {n},The radiator in office {n} of building C has been cold since Monday morning "
                   f"and the thermostat shows nothing,Building C room {n},Reporter {n},facility,closed,"
                   "2025-01-06T09:00:00Z,2025-01-08T10:00:00Z\n" for n in range(60_000))
    response = requests.post(f"{api}/import", data=(CSV_HEADER + rows).encode(),
                             headers={**STAFF, "Content-Type": "text/csv"}, timeout=300)
    assert response.status_code == 200 and response.json()["imported"] == 60_000, response.text
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(read, range(32)))
    requests.post(f"{api}/tickets/{first['id']}/status", json={"status": "active"}, headers=STAFF,
                  timeout=10).raise_for_status()
    requests.post(f"{api}/tickets", json={"description": "The lift in building C is stuck"},
                  timeout=10).raise_for_status()
    wal = db_path.with_name(db_path.name + ".wal")
    assert not wal.exists() or wal.stat().st_size < CHECKPOINT_THRESHOLD, f"WAL of {wal.stat().st_size:,} bytes"
