"""'Me too' counts people with the same problem; merging closes a duplicate into the main ticket, keeping its people."""
from __future__ import annotations

import pytest

from .conftest import STAFF, USER, assert_error, matches_schema


def me_too(client, ticket_id: int, body: dict | None = None, role: dict = USER):
    return client.post(f"/api/v1/tickets/{ticket_id}/me-too", json=body or {}, headers=role)


def merge(client, ticket_id: int, into, role: dict = STAFF):
    return client.post(f"/api/v1/tickets/{ticket_id}/merge", json={"into": into}, headers=role)


def kinds(client, ticket_id: int) -> list[str]:
    return [event["kind"] for event in client.get(f"/api/v1/tickets/{ticket_id}/events", headers=STAFF).get_json()["items"]]


def test_me_too_counts_each_person_with_or_without_contact(client, desk):
    ticket = desk.create()
    first = me_too(client, ticket["id"])
    assert first.status_code == 200
    matches_schema("Ticket", first.get_json())
    assert first.headers["ETag"] == '"2"'
    second = me_too(client, ticket["id"], {"contact": "lena@campus.example"}, role=STAFF).get_json()
    assert second["me_too_count"] == 2 and second["version"] == 3
    assert kinds(client, ticket["id"]) == ["created", "me_too", "me_too"]
    assert "lena@campus.example" not in str(client.get(f"/api/v1/tickets/{ticket['id']}/events").get_json())
    assert client.application.extensions["duplicates"].me_too_contacts(ticket["id"]) == ["lena@campus.example"]
    listed = client.get("/api/v1/tickets", headers=USER).get_json()["items"][0]
    assert listed["me_too_count"] == 2


@pytest.mark.parametrize("body", [{"contact": "not an address"}, {"contact": 5}, {"contact": "a@b.org", "x": 1},
                                  {"contact": "a" * 250 + "@b.org"}, {"contact": "a@b.org\x00"}])
def test_a_bad_me_too_changes_nothing(client, desk, body):
    ticket = desk.create()
    assert_error(me_too(client, ticket["id"], body), 422)
    assert desk.get(ticket["id"])["me_too_count"] == 0


def test_me_too_on_a_closed_or_unknown_ticket(client, desk):
    closed = desk.ticket_in("closed")
    assert_error(me_too(client, closed["id"], role=USER), 403)
    assert_error(me_too(client, closed["id"], role=STAFF), 409)
    assert_error(me_too(client, 999), 404)
    assert desk.get(closed["id"])["me_too_count"] == 0


def test_merge_closes_the_duplicate_and_moves_its_people(client, desk):
    main = desk.create("Wi-Fi in the main library is down")
    duplicate = desk.ticket_in("active", description="No wifi in the library", reporter="Sam")
    me_too(client, duplicate["id"], {"contact": "kim@campus.example"})
    me_too(client, duplicate["id"])
    me_too(client, main["id"])
    response = merge(client, duplicate["id"], main["id"])
    assert response.status_code == 200
    closed = response.get_json()
    matches_schema("Ticket", closed)
    assert (closed["status"], closed["merged_into"]) == ("closed", main["id"]) and closed["closed_at"]
    assert desk.get(main["id"])["me_too_count"] == 1 + 1 + 2  # its own, the duplicate's reporter and its two
    assert kinds(client, duplicate["id"])[-1] == "merged_into"
    received = client.get(f"/api/v1/tickets/{main['id']}/events").get_json()["items"][-1]
    assert received["kind"] == "merged_from" and received["new"]["ticket_id"] == duplicate["id"]
    assert client.application.extensions["duplicates"].me_too_contacts(main["id"]) == ["kim@campus.example"]
    assert client.application.extensions["duplicates"].me_too_contacts(duplicate["id"]) == ["kim@campus.example"]


def test_merges_chain_and_count_everyone_once(client, desk):
    a, b, c = (desk.create(f"The lift in the main building is stuck ({n})") for n in range(3))
    me_too(client, a["id"])
    assert merge(client, a["id"], b["id"]).status_code == 200
    assert desk.get(b["id"])["me_too_count"] == 2
    assert merge(client, b["id"], c["id"]).status_code == 200
    assert desk.get(c["id"])["me_too_count"] == 1 + 2  # b's reporter, and a's reporter and a's "me too"
    body = assert_error(merge(client, c["id"], a["id"]), 409)  # a is closed: merged into b
    assert f"#{b['id']}" in body["error"]


def test_merge_refusals_change_nothing(client, desk):
    main = desk.create()
    other = desk.create()
    closed = desk.ticket_in("closed")
    assert_error(merge(client, main["id"], main["id"]), 409)
    assert_error(merge(client, main["id"], closed["id"]), 409)
    assert_error(merge(client, closed["id"], main["id"]), 409)
    assert_error(merge(client, main["id"], other["id"], role=USER), 403)
    assert_error(merge(client, closed["id"], main["id"], role=USER), 403)
    assert_error(merge(client, 999, main["id"]), 404)
    assert_error(merge(client, main["id"], 999), 422)
    for into in ("2", None, 0, -1, 1.5):
        assert_error(merge(client, main["id"], into), 422)
    assert_error(client.post(f"/api/v1/tickets/{main['id']}/merge", data="{", content_type="application/json",
                             headers=STAFF), 400)
    for ticket in (main, other, closed):
        assert desk.get(ticket["id"]) == ticket | {"needs_review": desk.get(ticket["id"])["needs_review"]}


def test_followers_of_a_merged_ticket_see_where_it_went(client, desk):
    main, duplicate = desk.create(), desk.create()
    merge(client, duplicate["id"], main["id"])
    seen = desk.get(duplicate["id"], role=STAFF)
    assert seen["merged_into"] == main["id"]
