"""A write acknowledged with 2xx survives kill -9 of the store."""
from __future__ import annotations

import requests

from ..servers import store_process

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
