"""kill -9 of the store in the middle of an import: nothing imported, and the next store removes its spooled body."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from harness.processes import store_process

STAFF = {"X-Helpdesk-Role": "staff"}
HEADER = "title,description,location,reporter,category,status,opened_at,closed_at\n"


@pytest.mark.slow
def test_a_store_killed_during_an_import_imports_nothing_and_its_body_is_removed_at_the_next_start(tmp_path):
    db = tmp_path / "helpdesk.duckdb"
    rows = "".join(f"Leak {n},Water drips from the ceiling of room {n},Room {n},,facility,open,2025-01-05T09:00:00Z,\n"
                   for n in range(300_000))  # about 25 MB: seconds to save and import
    server = store_process(db).start()
    answers: list = []
    sender = threading.Thread(target=lambda: answers.append(_post_import(server.url, (HEADER + rows).encode())))
    try:
        sender.start()
        deadline = time.monotonic() + 60
        while not (spooled := list(tmp_path.glob(".helpdesk.duckdb-spool-*"))):
            assert time.monotonic() < deadline, "the import's body never reached the store"
            time.sleep(0.005)
        server.kill()
    finally:
        server.stop()
        sender.join(60)
    assert not any(isinstance(answer, requests.Response) and answer.ok for answer in answers), answers
    assert all(path.exists() for path in spooled)  # what a crash leaves

    server = store_process(db).start()
    try:
        assert list(tmp_path.glob(".helpdesk.duckdb-spool-*")) == []
        total = requests.get(f"{server.url}/api/v1/tickets", params={"limit": 1}, headers=STAFF, timeout=10)
        assert total.json()["total"] == 0  # all or nothing
        assert "removed 1 import or export file(s)" in server.output()
    finally:
        server.stop()


def _post_import(url: str, body: bytes) -> requests.Response | Exception:
    try:
        return requests.post(f"{url}/api/v1/import", data=body, headers={**STAFF, "Content-Type": "text/csv"},
                             timeout=120)
    except requests.RequestException as error:
        return error
