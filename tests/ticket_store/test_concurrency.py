"""Many threads against one real store process: no lost update, no lost write."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

STAFF = {"X-Helpdesk-Role": "staff"}


def test_two_edits_with_the_same_if_match_exactly_one_wins(store_server):
    url = store_server.url + "/api/v1/tickets"
    for attempt in range(20):
        ticket = requests.post(url, json={"description": f"Race {attempt}"}, timeout=10).json()
        barrier = threading.Barrier(2)

        def edit(title: str) -> requests.Response:
            barrier.wait()
            return requests.patch(f"{url}/{ticket['id']}", json={"title": title}, headers={"If-Match": '"1"'},
                                  timeout=10)

        with ThreadPoolExecutor(2) as pool:
            responses = list(pool.map(edit, ["left", "right"]))
        assert sorted(response.status_code for response in responses) == [200, 412]
        winner = next(response.json() for response in responses if response.status_code == 200)
        loser = next(response.json() for response in responses if response.status_code == 412)
        final = requests.get(f"{url}/{ticket['id']}", timeout=10).json()
        assert final["title"] == winner["title"] and final["version"] == 2
        assert loser["current"]["version"] == 2


def test_no_lost_update_under_many_threads(store_server):
    """16 editors retry on 412; the final version counts every successful edit exactly once."""
    url = store_server.url + "/api/v1/tickets"
    ticket = requests.post(url, json={"description": "Shared"}, timeout=10).json()
    successes: list[int] = []
    lock = threading.Lock()

    def editor(number: int) -> None:
        session = requests.Session()
        done = 0
        while done < 5:
            current = session.get(f"{url}/{ticket['id']}", timeout=10)
            response = session.patch(f"{url}/{ticket['id']}", json={"location": f"editor {number} edit {done}"},
                                     headers={"If-Match": current.headers["ETag"]}, timeout=10)
            assert response.status_code in (200, 412), response.text
            if response.status_code == 200:
                done += 1
            else:
                assert response.json()["current"]["id"] == ticket["id"]
        with lock:
            successes.append(done)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(editor, range(16)))
    final = requests.get(f"{url}/{ticket['id']}", timeout=10).json()
    assert final["version"] == 1 + sum(successes) == 81
    events = requests.get(f"{url}/{ticket['id']}/events", timeout=10).json()["items"]
    assert len([event for event in events if event["kind"] == "edited"]) == 80


def test_concurrent_open_to_active_only_one_succeeds(store_server):
    url = store_server.url + "/api/v1/tickets"
    for attempt in range(10):
        ticket = requests.post(url, json={"description": f"Status race {attempt}"}, timeout=10).json()
        barrier = threading.Barrier(2)

        def activate(_: int) -> int:
            barrier.wait()
            return requests.post(f"{url}/{ticket['id']}/status", json={"status": "active"}, headers=STAFF,
                                 timeout=10).status_code

        with ThreadPoolExecutor(2) as pool:
            assert sorted(pool.map(activate, range(2))) == [200, 409]


def test_parallel_creates_and_messages_all_land(store_server):
    url = store_server.url + "/api/v1/tickets"

    def reporter(number: int) -> list[int]:
        session = requests.Session()
        ids = []
        for n in range(15):
            response = session.post(url, json={"description": f"Reporter {number} ticket {n}"}, timeout=10)
            assert response.status_code == 201
            ids.append(response.json()["id"])
            assert session.post(f"{url}/{ids[-1]}/messages", json={"body": "details"}, timeout=10).status_code == 201
        return ids

    with ThreadPoolExecutor(8) as pool:
        ids = [ticket_id for batch in pool.map(reporter, range(8)) for ticket_id in batch]
    assert len(set(ids)) == 120
    page = requests.get(url, params={"limit": 1}, headers=STAFF, timeout=10).json()
    assert page["total"] == 120
