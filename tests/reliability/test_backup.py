"""campus-helpdesk backup while the store takes writes, and restore into a fresh store (SPEC §7.5)."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
import requests

from campus_helpdesk.backup import check_backup

from harness.processes import ROOT, service_env, store_process
from .test_crash import Acknowledged, writer

WRITERS = 8
STAFF = {"X-Helpdesk-Role": "staff"}


def helpdesk(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run one campus-helpdesk command as a person would."""
    return subprocess.run([sys.executable, "-m", "campus_helpdesk", *args], cwd=ROOT, env=service_env(**env),
                          capture_output=True, text=True, timeout=300)


def consistency_problems(path: Path) -> list[str]:
    """Return what is half-written in the database at *path*: counts that disagree with their rows."""
    with duckdb.connect(str(path), read_only=True) as con:
        problems = con.execute(
            "SELECT 'ticket ' || t.id FROM tickets t WHERE "
            "(SELECT count(*) FROM events e WHERE e.ticket_id = t.id AND e.kind = 'created') <> 1 "
            "OR t.message_count <> (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id) "
            "OR t.version <> 1 + (SELECT count(*) FROM events e WHERE e.ticket_id = t.id AND e.kind <> 'created')"
        ).fetchall()
        orphans = con.execute("SELECT count(*) FROM messages WHERE ticket_id NOT IN (SELECT id FROM tickets)"
                              ).fetchone()[0]
    return [row[0] for row in problems] + ([f"{orphans} messages without a ticket"] if orphans else [])


@pytest.mark.slow
def test_a_backup_taken_under_writes_restores_everything_acknowledged_before_it(tmp_path: Path, record_property):
    store = store_process(tmp_path / "live.duckdb").start()
    acknowledged, stop = Acknowledged(), threading.Event()
    threads = [threading.Thread(target=writer, args=(store.url, n, 0, acknowledged, stop)) for n in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(3)
        with acknowledged.lock:
            before = dict(acknowledged.tickets)
            messages_before = dict(acknowledged.messages)
        started = time.perf_counter()
        result = helpdesk("backup", str(tmp_path / "backup.duckdb"), HELPDESK_STORE_URL=store.url)
        took = time.perf_counter() - started
        assert result.returncode == 0, result.stderr
        assert "Backed up the store" in result.stdout
        time.sleep(1)  # the writers carry on after the backup
    finally:
        stop.set()
        for thread in threads:
            thread.join(15)
        store.stop()
    assert len(acknowledged.tickets) > len(before) > WRITERS  # writes were acknowledged before and after it

    result = helpdesk("restore", str(tmp_path / "backup.duckdb"), "--db-path", str(tmp_path / "restored.duckdb"))
    assert result.returncode == 0, result.stderr
    counts = check_backup(tmp_path / "restored.duckdb")  # every row of every table read: DuckDB checks each block
    assert consistency_problems(tmp_path / "restored.duckdb") == []
    with duckdb.connect(str(tmp_path / "restored.duckdb"), read_only=True) as con:
        tickets = dict(con.execute("SELECT id, description FROM tickets").fetchall())
        messages = {id_: (ticket, body) for id_, ticket, body in
                    con.execute("SELECT id, ticket_id, body FROM messages").fetchall()}
    assert {id_: tickets.get(id_) for id_ in before} == before
    assert {id_: messages.get(id_) for id_ in messages_before} == messages_before
    with duckdb.connect(str(tmp_path / "live.duckdb"), read_only=True) as con:
        live = dict(con.execute("SELECT id, description FROM tickets").fetchall())
    assert tickets.items() <= live.items()  # nothing the live store does not hold (no torn or stray rows)

    restored = store_process(tmp_path / "restored.duckdb").start()
    try:
        total = requests.get(restored.url + "/api/v1/tickets", params={"limit": 1}, headers=STAFF,
                             timeout=10).json()["total"]
    finally:
        restored.stop()
    assert total == len(tickets) == counts["tickets"]
    summary = {"acknowledged_before": len(before), "in_backup": len(tickets),
               "acknowledged_in_all": len(acknowledged.tickets), "backup_seconds": round(took, 2)}
    print(summary)
    record_property("backup", summary)


def test_restore_refuses_while_a_store_runs_and_keeps_the_file(store_server, db_path: Path, tmp_path: Path):
    requests.post(store_server.url + "/api/v1/tickets", json={"description": "The tap in B2 drips"}, timeout=10)
    assert helpdesk("backup", str(tmp_path / "b.duckdb"), HELPDESK_STORE_URL=store_server.url).returncode == 0
    result = helpdesk("restore", str(tmp_path / "b.duckdb"), "--db-path", str(db_path))
    assert result.returncode == 1
    assert f"A ticket store is running on {db_path}; stop it first" in result.stderr
    assert "Traceback" not in result.stderr
    assert requests.get(store_server.url + "/api/v1/tickets", params={"limit": 1}, headers=STAFF,
                        timeout=10).json()["total"] == 1


def test_restore_over_a_stopped_store_keeps_the_old_file_aside(tmp_path: Path):
    store = store_process(tmp_path / "h.duckdb").start()
    try:
        requests.post(store.url + "/api/v1/tickets", json={"description": "First: the lift is stuck"}, timeout=10)
        assert helpdesk("backup", str(tmp_path / "b.duckdb"), HELPDESK_STORE_URL=store.url).returncode == 0
        requests.post(store.url + "/api/v1/tickets", json={"description": "Second: after the backup"}, timeout=10)
    finally:
        store.stop()
    result = helpdesk("restore", str(tmp_path / "b.duckdb"), "--db-path", str(tmp_path / "h.duckdb"))
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout and "1 tickets" in result.stdout
    aside = [path for path in tmp_path.iterdir()
             if path.name.startswith("h.duckdb.before-restore-") and path.suffix != ".wal"]
    assert len(aside) == 1  # a write-ahead log left beside it goes aside with it, as aside[0].wal
    with duckdb.connect(str(tmp_path / "h.duckdb"), read_only=True) as con:
        assert con.execute("SELECT description FROM tickets").fetchall() == [("First: the lift is stuck",)]
    with duckdb.connect(str(aside[0]), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM tickets").fetchone()[0] == 2
    assert not (tmp_path / "h.duckdb.wal").exists()


@pytest.mark.parametrize("make, words", [
    (lambda path: path.write_bytes(b"not a database at all" * 100), "is not a usable DuckDB database"),
    (lambda path: duckdb.connect(str(path)).execute("CREATE TABLE t (i INT)").close(), "not a helpdesk backup"),
], ids=["not-duckdb", "other-database"])
def test_restore_refuses_what_is_not_a_helpdesk_backup(tmp_path: Path, make, words):
    make(tmp_path / "b.duckdb")
    (tmp_path / "h.duckdb").write_bytes(b"")
    result = helpdesk("restore", str(tmp_path / "b.duckdb"), "--db-path", str(tmp_path / "h.duckdb"))
    assert result.returncode == 1 and words in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "h.duckdb").read_bytes() == b""  # nothing was replaced


def test_backup_is_for_staff_with_the_token(tmp_path: Path):
    store = store_process(tmp_path / "h.duckdb", HELPDESK_API_TOKEN="s3cret").start()
    try:
        token = {"Authorization": "Bearer s3cret"}
        for headers, status in (({}, 401), (token, 403), ({**token, "X-Helpdesk-Role": "user"}, 403)):
            response = requests.post(store.url + "/api/v1/backup", headers=headers, timeout=10)
            assert response.status_code == status and response.json()["status"] == status
            assert response.json()["error"].endswith(".")
        refused = helpdesk("backup", str(tmp_path / "b.duckdb"), HELPDESK_STORE_URL=store.url)
        assert refused.returncode == 1 and "HELPDESK_API_TOKEN" in refused.stderr
        assert not (tmp_path / "b.duckdb").exists() and not (tmp_path / ".b.duckdb.part").exists()
        done = helpdesk("backup", str(tmp_path / "b.duckdb"), HELPDESK_STORE_URL=store.url,
                        HELPDESK_API_TOKEN="s3cret")
        assert done.returncode == 0, done.stderr
    finally:
        store.stop()
    assert check_backup(tmp_path / "b.duckdb")["tickets"] == 0
