"""A stale If-Match is refused only when a field the PATCH changes was changed since (SPEC §3)."""
from __future__ import annotations

import threading
import time

import pytest

from ticket_store.db import PendingWrite

from .conftest import STAFF, USER, assert_error, if_match, matches_schema


def patch(client, ticket_id: int, changes: dict, version: int | str, role: dict = USER):
    header = {"If-Match": version} if isinstance(version, str) else if_match(version)
    return client.patch(f"/api/v1/tickets/{ticket_id}", json=changes, headers={**header, **role})


def test_stale_version_after_a_message_applies(client, desk):
    ticket = desk.create(title="Cold room")
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Still cold"}, headers=STAFF)
    response = patch(client, ticket["id"], {"title": "Very cold room"}, 1)
    assert response.status_code == 200, response.get_json()
    edited = response.get_json()
    matches_schema("Ticket", edited)
    assert edited["title"] == "Very cold room" and edited["message_count"] == 1
    assert edited["version"] == 3 and response.headers["ETag"] == '"3"'


def test_stale_version_after_a_status_change_applies(client, desk):
    ticket = desk.create()
    assert desk.move(ticket["id"], "active").status_code == 200
    response = patch(client, ticket["id"], {"description": "The radiator in B12 is cold and leaks"}, 1)
    assert response.status_code == 200
    assert response.get_json()["status"] == "active" and response.get_json()["version"] == 3


def test_stale_version_after_an_edit_of_another_field_applies(client, desk):
    ticket = desk.create(title="Cold room")
    assert patch(client, ticket["id"], {"location": "B12"}, 1).status_code == 200
    response = patch(client, ticket["id"], {"title": "Very cold room"}, 1)
    assert response.status_code == 200
    edited = response.get_json()
    assert (edited["title"], edited["location"], edited["version"]) == ("Very cold room", "B12", 3)
    events = client.get(f"/api/v1/tickets/{ticket['id']}/events").get_json()["items"]
    assert [event["new"] for event in events if event["kind"] == "edited"] == [{"location": "B12"},
                                                                                {"title": "Very cold room"}]


@pytest.mark.parametrize("other, mine", [
    ({"title": "Someone else's title"}, {"title": "My title"}),
    ({"title": "Someone else's title", "location": "B12"}, {"location": "C3", "reporter": "Ana"}),
    ({"description": "Someone else's text"}, {"description": "My text", "title": "My title"}),
])
def test_stale_version_after_an_edit_of_the_same_field_is_412_with_the_current_ticket(client, desk, other, mine):
    ticket = desk.create(title="Cold room")
    assert patch(client, ticket["id"], other, 1).status_code == 200
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Any news?"})
    current = desk.get(ticket["id"])
    body = assert_error(patch(client, ticket["id"], mine, 1), 412)
    assert body["current"] == current and current["version"] == 3
    assert "someone else" in body["error"]
    assert all(field in body["error"] for field in set(mine) & set(other))
    assert desk.get(ticket["id"]) == current


def test_an_edit_from_after_the_other_change_applies(client, desk):
    ticket = desk.create(title="Cold room")
    assert patch(client, ticket["id"], {"title": "Someone else's title"}, 1).status_code == 200
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Any news?"})
    response = patch(client, ticket["id"], {"title": "My title"}, 2)
    assert response.status_code == 200 and response.get_json()["version"] == 4


def test_a_category_correction_conflicts_only_with_another_correction(client, desk):
    ticket = desk.create("The canteen staff were rude to me")
    first = "facility" if ticket["category"] != "facility" else "it"
    second = "services" if first != "services" else "it"
    assert patch(client, ticket["id"], {"category": first}, 1, STAFF).status_code == 200
    assert patch(client, ticket["id"], {"title": "Rude staff"}, 1).status_code == 200
    body = assert_error(patch(client, ticket["id"], {"category": second}, 1, STAFF), 412)
    assert body["current"]["category"] == first
    assert patch(client, ticket["id"], {"category": second}, 2, STAFF).get_json()["category"] == second


@pytest.mark.parametrize("version", [0, 9, '"banana"'])
def test_a_version_the_ticket_never_had_is_412(client, desk, version):
    ticket = desk.create()
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Any news?"})
    assert_error(patch(client, ticket["id"], {"title": "x"}, version), 412)


def test_if_match_star_overwrites_a_changed_field(client, desk):
    ticket = desk.create(title="Cold room")
    assert patch(client, ticket["id"], {"title": "Someone else's title"}, 1).status_code == 200
    response = patch(client, ticket["id"], {"title": "Mine anyway"}, "*")
    assert response.status_code == 200 and response.get_json()["title"] == "Mine anyway"


def test_a_closed_ticket_is_409_before_a_stale_version(client, desk):
    ticket = desk.ticket_in("closed")
    assert_error(patch(client, ticket["id"], {"title": "x"}, 1, STAFF), 409)


def test_a_conflicting_edit_in_the_same_group_commit_is_refused(app, client, desk):
    """The history rows of an edit committed in the same group as a stale edit count for the conflict."""
    ticket = desk.create(title="Cold room")
    db = app.extensions["ticket_store"].db
    answers: dict[str, object] = {}

    def edit(name: str, title: str) -> None:
        with app.test_client() as own:
            answers[name] = patch(own, ticket["id"], {"title": title}, 1)

    # Hold the write lock, so both edits queue and the first thread to get it commits them as one group.
    with db._write_lock:
        threads = [threading.Thread(target=edit, args=(name, f"title from {name}")) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(db._queue) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(db._queue) == 2 and all(isinstance(pending, PendingWrite) for pending in db._queue)
    for thread in threads:
        thread.join(10)
    statuses = sorted(answer.status_code for answer in answers.values())
    assert statuses == [200, 412]
    winner = next(answer.get_json() for answer in answers.values() if answer.status_code == 200)
    assert desk.get(ticket["id"])["title"] == winner["title"] and winner["version"] == 2
