"""Status transitions, messages and history (SPEC §2 workflow)."""
from __future__ import annotations

import itertools

import pytest

from .conftest import STAFF, USER, assert_error, if_match, matches_schema

ALLOWED = {("open", "active"), ("active", "closed")}


@pytest.mark.parametrize("start, target", list(itertools.product(["open", "active", "closed"], repeat=2)))
def test_status_transition(client, desk, start, target):
    ticket = desk.ticket_in(start)
    response = desk.move(ticket["id"], target)
    if (start, target) in ALLOWED:
        assert response.status_code == 200
        moved = response.get_json()
        matches_schema("Ticket", moved)
        assert moved["status"] == target and moved["version"] == ticket["version"] + 1
        assert (moved["closed_at"] is not None) == (target == "closed")
    else:
        body = assert_error(response, 409)
        expected = {"open": ["active"], "active": ["closed"], "closed": []}[start]
        assert body["allowed"] == expected
        if expected:
            assert expected[0] in body["error"]
        assert desk.get(ticket["id"]) == ticket


def test_user_cannot_change_status(client, desk):
    ticket = desk.create()
    assert_error(client.post(f"/api/v1/tickets/{ticket['id']}/status", json={"status": "active"}, headers=USER), 403)
    assert desk.get(ticket["id"])["status"] == "open"


@pytest.mark.parametrize("body", [{}, {"status": "done"}, {"status": 1}, {"status": "active", "note": "x"}])
def test_bad_status_body_is_422(client, desk, body):
    ticket = desk.create()
    assert_error(client.post(f"/api/v1/tickets/{ticket['id']}/status", json=body, headers=STAFF), 422)


def test_status_change_honours_if_match(client, desk):
    ticket = desk.create()
    path = f"/api/v1/tickets/{ticket['id']}/status"
    assert_error(client.post(path, json={"status": "active"}, headers={**STAFF, **if_match(7)}), 412)
    assert client.post(path, json={"status": "active"}, headers={**STAFF, **if_match(1)}).status_code == 200


def test_closing_sets_closed_at_and_ticket_is_final(client, desk):
    ticket = desk.ticket_in("closed")
    assert ticket["closed_at"] >= ticket["opened_at"]
    assert_error(client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "hi"}, headers=STAFF), 409)
    assert_error(client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "hi"}, headers=USER), 403)


class TestMessages:
    def test_thread_oldest_first_with_roles(self, client, desk):
        ticket = desk.create()
        path = f"/api/v1/tickets/{ticket['id']}/messages"
        first = client.post(path, json={"body": "It is still cold", "author_name": "Ana"}, headers=USER)
        assert first.status_code == 201
        matches_schema("Message", first.get_json())
        client.post(path, json={"body": "A technician is on the way"}, headers=STAFF)
        thread = client.get(path).get_json()
        matches_schema("MessageList", thread)
        assert [(m["author_role"], m["body"], m["author_name"]) for m in thread["items"]] == [
            ("user", "It is still cold", "Ana"), ("staff", "A technician is on the way", None)]

    def test_message_moves_updated_at_count_and_version(self, client, desk):
        ticket = desk.create()
        client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "ping"})
        after = desk.get(ticket["id"])
        assert after["message_count"] == 1 and after["version"] == 2 and after["updated_at"] > ticket["updated_at"]

    @pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "  "}, {"body": "x" * 10_001},
                                      {"body": "ok", "author_role": "staff"}, {"body": "ok", "author_name": "n" * 81},
                                      {"body": "tab\tok but \x0b not"}])
    def test_invalid_message_is_422(self, client, desk, body):
        ticket = desk.create()
        assert_error(client.post(f"/api/v1/tickets/{ticket['id']}/messages", json=body), 422)
        assert desk.get(ticket["id"])["message_count"] == 0

    def test_message_on_missing_ticket_is_404(self, client):
        assert_error(client.post("/api/v1/tickets/42/messages", json={"body": "hello"}), 404)


def test_history_records_every_change(client, desk):
    ticket = desk.create("The projector in hall A flickers")
    path = f"/api/v1/tickets/{ticket['id']}"
    client.patch(path, json={"title": "Projector"}, headers=if_match(1))
    client.post(f"{path}/messages", json={"body": "Any news?"})
    new_category = "facility" if ticket["category"] != "facility" else "it"
    client.patch(path, json={"category": new_category}, headers={**if_match(3), **STAFF})
    desk.move(ticket["id"], "active")
    events = client.get(f"{path}/events", headers=STAFF).get_json()
    matches_schema("EventList", events)
    kinds = [(event["kind"], event["role"]) for event in events["items"]]
    assert kinds == [("created", "user"), ("edited", "user"), ("message_posted", "user"),
                     ("category_changed", "staff"), ("status_changed", "staff")]
    edited = events["items"][1]
    assert edited["old"] == {"title": None} and edited["new"] == {"title": "Projector"}
    assert events["items"][3]["new"]["category"] == new_category
    assert events["items"][4]["old"] == {"status": "open"} and events["items"][4]["new"] == {"status": "active"}
    assert [event["at"] for event in events["items"]] == sorted(event["at"] for event in events["items"])


def test_categorize_changes_nothing(client, desk):
    response = client.post("/api/v1/categorize", json={"text": "eduroam does not connect on my laptop"})
    assert response.status_code == 200
    result = response.get_json()
    matches_schema("Categorization", result)
    assert set(result["scores"]) == {"facility", "it", "services"}
    assert abs(sum(result["scores"].values()) - 1) < 0.01 and result["explanation"]
    assert desk.count() == 0


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": 3}, {"text": "x" * 10_001}, {"text": "a", "b": 1}])
def test_bad_categorize_body_is_422(client, body):
    assert_error(client.post("/api/v1/categorize", json=body), 422)
