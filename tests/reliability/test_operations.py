"""Operating the store: a damaged database file is named as such, the HTTP server's own refusals are
JSON in the SPEC's shape, and SIGTERM/SIGINT stop a service gracefully (SPEC §7.5)."""
from __future__ import annotations

import json
import signal
import socket
import threading
import time
from pathlib import Path

import duckdb
import pytest
import requests

from harness.processes import store_process


def good_database(path: Path) -> bytes:
    """Make a real helpdesk database at *path* (through a store) and return its bytes."""
    store = store_process(path).start()
    try:
        for number in range(20):
            requests.post(store.url + "/api/v1/tickets", json={"description": f"The printer {number} jams"},
                          timeout=10)
    finally:
        store.stop()
    with duckdb.connect(str(path)) as con:
        con.execute("CHECKPOINT")
    return path.read_bytes()


@pytest.fixture(scope="module")
def healthy_bytes(tmp_path_factory) -> bytes:
    return good_database(tmp_path_factory.mktemp("good") / "helpdesk.duckdb")


def start_failure(path: Path) -> str:
    """Start a store on *path*, which must refuse to start; return what it printed."""
    store = store_process(path)
    with pytest.raises(RuntimeError) as failure:
        store.start(timeout=60)
    return str(failure.value)


@pytest.mark.parametrize("damage, words", [
    (lambda data: data[: len(data) // 2], "is not a DuckDB database or is damaged (truncated?)"),
    (lambda data: data[:100], "is not a DuckDB database or is damaged (truncated?)"),
    (lambda data: b"these are not the tickets you are looking for\n" * 200, "is not a DuckDB database"),
    (lambda data: b"", "is empty (0 bytes)"),
], ids=["truncated-half", "truncated-header", "text-file", "empty"])
def test_a_damaged_file_is_named_not_called_in_use(tmp_path: Path, healthy_bytes: bytes, damage, words):
    path = tmp_path / "helpdesk.duckdb"
    path.write_bytes(damage(healthy_bytes))
    output = start_failure(path)
    assert words in output and "in use by another process" not in output
    assert "Traceback" not in output and "exited with 3" in output
    assert path.read_bytes() == damage(healthy_bytes)  # the store changed nothing


def test_a_file_whose_free_blocks_were_cut_off_its_end_starts(tmp_path: Path, healthy_bytes: bytes):
    # A checkpoint after much was freed shortens the file, yet DuckDB still counts the blocks cut off
    # (found at 10,000,000 tickets, where the store refused its own healthy file as truncated).
    path = tmp_path / "helpdesk.duckdb"
    path.write_bytes(healthy_bytes)
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE scratch AS SELECT range AS n, md5(range::VARCHAR) AS text FROM range(1000000)")
        con.execute("CHECKPOINT")
        con.execute("DROP TABLE scratch")
        con.execute("CHECKPOINT")
    with duckdb.connect(str(path)) as con:
        block_size, total, used = con.execute(
            "SELECT block_size, total_blocks, used_blocks FROM pragma_database_size()").fetchone()
    assert path.stat().st_size < block_size * total and used < total  # the case itself
    store = store_process(path).start()
    try:
        assert requests.get(store.url + "/api/v1/tickets", timeout=10).json()["total"] == 20
    finally:
        store.stop()


def test_a_directory_is_named_as_a_directory(tmp_path: Path):
    (tmp_path / "helpdesk.duckdb").mkdir()
    output = start_failure(tmp_path / "helpdesk.duckdb")
    assert "is a directory, not a database file" in output and "in use" not in output


def test_a_file_held_by_another_process_is_still_in_use(tmp_path: Path):
    path = tmp_path / "helpdesk.duckdb"
    first = store_process(path).start()
    try:
        output = start_failure(path)
    finally:
        first.stop()
    assert "in use by another process" in output and "damaged" not in output


def raw_exchange(port: int, request: bytes) -> tuple[str, dict]:
    """Send raw bytes and return the status line and the JSON body of the answer."""
    received: list[bytes] = []

    def receive(connection: socket.socket) -> None:  # while sending: the server answers before reading it all
        try:
            while chunk := connection.recv(65536):
                received.append(chunk)
        except ConnectionResetError:
            pass

    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        reader = threading.Thread(target=receive, args=(connection,))
        reader.start()
        try:
            connection.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        reader.join(15)
    head, _, body = b"".join(received).partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), head
    return head.split(b"\r\n")[0].decode(), json.loads(body)


@pytest.mark.parametrize("request_bytes, status", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    (b"GET /api/v1/tickets?q=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 431),
    (b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400),
    (b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: nine\r\n\r\n", 400),
], ids=["request-line", "header", "long-address", "chunk-size", "content-length"])
def test_the_servers_own_refusals_have_the_error_shape(store_server, request_bytes: bytes, status: int):
    line, body = raw_exchange(store_server.port, request_bytes)
    assert line.split()[1] == str(status)
    assert set(body) == {"status", "error", "details"} and body["status"] == status
    assert body["error"].endswith(".") and "waitress" not in json.dumps(body)


def test_a_long_search_still_reaches_the_store(store_server):
    response = requests.get(store_server.url + "/api/v1/tickets", params={"q": "a" * 9000}, timeout=10)
    assert response.status_code == 422 and response.json()["details"][0]["field"] == "q"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_lets_the_request_under_way_finish_then_stops(tmp_path: Path, sig: int):
    store = store_process(tmp_path / "helpdesk.duckdb").start()
    answers: list[int] = []
    body = ("title,description,location,reporter,category,status,opened_at,closed_at\n" +
            "".join(f",The bin in room {n} is full,,,facility,open,2025-01-01T00:00:00Z,\n" for n in range(100_000)))
    sender = threading.Thread(target=lambda: answers.append(requests.post(
        store.url + "/api/v1/import", data=body.encode(), timeout=120,
        headers={"X-Helpdesk-Role": "staff", "Content-Type": "text/csv"}).status_code))
    sender.start()
    time.sleep(0.3)  # while the body is sent or the import runs
    store.process.send_signal(sig)
    assert store.process.wait(30) == 0
    sender.join(30)
    assert answers == [200]
    assert "stopped" in store.output()
    with duckdb.connect(str(tmp_path / "helpdesk.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM tickets").fetchone()[0] == 100_000
