"""Many clients racing on one ticket against a real store: versions add up, exactly one transition wins.

tests/ticket_store/test_concurrency.py covers a pair of edits with the same If-Match and a fixed number
of retried edits; these tests run for a while, check every answer, and race writes of different kinds.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

STAFF = {"X-Helpdesk-Role": "staff"}
EDITORS = 16
SECONDS = 4.0


def test_sixteen_editors_for_seconds_every_success_counts_once(store_server, record_property):
    """Each 2xx edit gets its own version; every 412 carries the ticket as it is; final version = 1 + edits."""
    url = store_server.url + "/api/v1/tickets"
    ticket = requests.post(url, json={"description": "The lecture hall clock is wrong"}, timeout=10).json()
    address = f"{url}/{ticket['id']}"
    deadline = time.monotonic() + SECONDS

    def editor(number: int) -> tuple[list[tuple[int, str]], int]:
        """Edit until the deadline, retrying from the ticket a 412 hands back; return (version, title) of wins."""
        session = requests.Session()
        won: list[tuple[int, str]] = []
        refused = 0
        version = session.get(address, timeout=10).json()["version"]
        while time.monotonic() < deadline:
            title = f"editor {number} attempt {len(won) + refused}"
            field = ("title", "location", "reporter")[(len(won) + refused) % 3]
            response = session.patch(address, json={field: title}, headers={"If-Match": f'"{version}"'}, timeout=10)
            body = response.json()
            if response.status_code == 200:
                # A stale version applies when nobody changed this field since, at the ticket's next version.
                assert body["version"] > version and body[field] == title
                assert response.headers["ETag"] == f'"{body["version"]}"'
                won.append((body["version"], title))
                version = body["version"]
            else:
                assert response.status_code == 412, response.text
                current = body["current"]
                assert current["id"] == ticket["id"] and current["version"] > version, body
                assert body["status"] == 412 and body["error"].endswith(".")
                refused += 1
                version = current["version"]
        return won, refused

    with ThreadPoolExecutor(EDITORS) as pool:
        results = list(pool.map(editor, range(EDITORS)))
    wins = sorted(version for won, _ in results for version, _ in won)
    refusals = sum(refused for _, refused in results)
    assert wins == list(range(2, 2 + len(wins))), "two edits got the same version, or a version was skipped"
    assert refusals > 0, "the editors never raced"
    record_property("edits", {"succeeded": len(wins), "refused_412": refusals})
    print(f"{len(wins)} edits succeeded, {refusals} were refused with 412")
    final = requests.get(address, timeout=10).json()
    assert final["version"] == 1 + len(wins)
    events = requests.get(f"{address}/events", timeout=10).json()["items"]
    # An edit of the title may also re-check the automatic category: that is recorded as its own entry.
    kinds = [event["kind"] for event in events if event["kind"] != "category_changed"]
    assert kinds == ["created"] + ["edited"] * len(wins)


def test_only_one_of_many_simultaneous_transitions_wins(store_server):
    """Eight staff press "active" at once, then eight press "closed": one 200 each, the rest 409 naming the way on."""
    url = store_server.url + "/api/v1/tickets"
    for attempt in range(5):
        ticket = requests.post(url, json={"description": f"Broken blind, round {attempt}"}, timeout=10).json()
        for target, allowed_after in (("active", ["closed"]), ("closed", [])):
            barrier = threading.Barrier(8)

            def press(_: int) -> requests.Response:
                barrier.wait()
                return requests.post(f"{url}/{ticket['id']}/status", json={"status": target}, headers=STAFF,
                                     timeout=10)

            with ThreadPoolExecutor(8) as pool:
                responses = list(pool.map(press, range(8)))
            assert sorted(response.status_code for response in responses) == [200] + [409] * 7
            for response in responses:
                if response.status_code == 409:
                    assert response.json()["allowed"] == allowed_after
        events = requests.get(f"{url}/{ticket['id']}/events", headers=STAFF, timeout=10).json()["items"]
        assert [event["kind"] for event in events] == ["created", "status_changed", "status_changed"]
        assert requests.get(f"{url}/{ticket['id']}", headers=STAFF, timeout=10).json()["version"] == 3


def test_messages_and_edits_racing_a_close_land_before_it_or_not_at_all(store_server):
    """Whatever wins the race, a closed ticket gets nothing after closing and its counts match its thread."""
    url = store_server.url + "/api/v1/tickets"
    for attempt in range(5):
        ticket = requests.post(url, json={"description": f"Noisy ventilation, round {attempt}"}, timeout=10).json()
        address = f"{url}/{ticket['id']}"
        requests.post(f"{address}/status", json={"status": "active"}, headers=STAFF, timeout=10).raise_for_status()
        barrier = threading.Barrier(9)

        def write(number: int) -> int:
            barrier.wait()
            if number == 0:
                return requests.post(f"{address}/status", json={"status": "closed"}, headers=STAFF,
                                     timeout=10).status_code
            if number % 2:
                return requests.post(f"{address}/messages", json={"body": f"note {number}"}, headers=STAFF,
                                     timeout=10).status_code
            return requests.patch(address, json={"location": f"room {number}"},
                                  headers={**STAFF, "If-Match": '"2"'}, timeout=10).status_code

        with ThreadPoolExecutor(9) as pool:
            codes = list(pool.map(write, range(9)))
        assert codes[0] == 200
        assert all(code in (201, 409) for code in codes[1::2]), codes
        assert all(code in (200, 409, 412) for code in codes[2::2]), codes
        final = requests.get(address, headers=STAFF, timeout=10).json()
        thread = requests.get(f"{address}/messages", headers=STAFF, timeout=10).json()["items"]
        events = requests.get(f"{address}/events", headers=STAFF, timeout=10).json()["items"]
        assert final["status"] == "closed" and final["message_count"] == len(thread) == codes.count(201)
        assert events[-1]["kind"] == "status_changed" and events[-1]["new"] == {"status": "closed"}
        assert final["version"] == len(events)
