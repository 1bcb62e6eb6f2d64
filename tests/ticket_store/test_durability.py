"""A write acknowledged with 2xx survives kill -9 of the store."""
from __future__ import annotations

import requests

from harness.processes import store_process

STAFF = {"X-Helpdesk-Role": "staff"}


def test_acknowledged_writes_survive_kill_9(db_path):
    store = store_process(db_path).start()
    url = store.url + "/api/v1/tickets"
    created = [requests.post(url, json={"description": f"Leak number {n}"}, timeout=10).json() for n in range(25)]
    first = created[0]["id"]
    requests.post(f"{url}/{first}/messages", json={"body": "still leaking"}, timeout=10).raise_for_status()
    requests.patch(f"{url}/{first}", json={"title": "Leak"}, headers={"If-Match": '"2"'},
                   timeout=10).raise_for_status()
    requests.post(f"{url}/{first}/status", json={"status": "active"}, headers=STAFF, timeout=10).raise_for_status()
    store.kill()

    again = store_process(db_path, port=store.port).start()
    try:
        page = requests.get(url, params={"limit": 200, "sort": "id"}, headers=STAFF, timeout=10).json()
        assert [ticket["id"] for ticket in page["items"]] == [ticket["id"] for ticket in created]
        ticket = requests.get(f"{url}/{first}", headers=STAFF, timeout=10).json()
        assert (ticket["title"], ticket["status"], ticket["message_count"], ticket["version"]) == ("Leak", "active", 1, 4)
        events = requests.get(f"{url}/{first}/events", headers=STAFF, timeout=10).json()["items"]
        assert [event["kind"] for event in events] == ["created", "message_posted", "edited", "status_changed"]
        assert requests.post(url, json={"description": "after restart"}, timeout=10).json()["id"] == created[-1]["id"] + 1
    finally:
        again.stop()


def test_second_store_on_the_same_file_says_why_and_stops(store_server, db_path):
    second = store_process(db_path, HELPDESK_DB_LOCK_WAIT="1")
    try:
        second.start(timeout=20)
    except RuntimeError as error:
        assert "in use by another process" in str(error) and "Traceback" not in str(error)
    else:
        second.stop()
        raise AssertionError("a second store opened a database another store holds")
    assert requests.get(store_server.url + "/api/v1/health", timeout=5).json() == {"status": "ok"}
