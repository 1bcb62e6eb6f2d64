"""Internal notes: staff only, and no answer to a campus user (or a follow link) ever shows one."""
from __future__ import annotations

import re

import pytest

from ticket_store.openapi import openapi_document

from .conftest import STAFF, USER, assert_error, if_match, matches_schema

MARKER = "NOTE-ONLY-MARKER-7d1f"
AUTHOR = "Notewriter Q"
ME_TOO_CONTACT = "quinn.metoo@uni.example.edu"


def note(client, ticket_id: int, body: str = f"Caller is rude; {MARKER}", role: dict = STAFF, **extra):
    return client.post(f"/api/v1/tickets/{ticket_id}/messages",
                       json={"body": body, "author_name": AUTHOR, "internal": True, **extra}, headers=role)


@pytest.mark.parametrize("internal", [True, "yes", 1, None])
def test_a_campus_user_cannot_write_an_internal_note(client, desk, internal):
    ticket = desk.create()
    response = client.post(f"/api/v1/tickets/{ticket['id']}/messages",
                           json={"body": "psst", "internal": internal}, headers=USER)
    assert_error(response, 403)
    assert client.get(f"/api/v1/tickets/{ticket['id']}/messages", headers=STAFF).get_json()["items"] == []
    assert desk.get(ticket["id"]) == ticket


def test_a_campus_user_may_say_a_message_is_not_internal(client, desk):
    ticket = desk.create()
    response = client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "hi", "internal": False},
                           headers=USER)
    assert response.status_code == 201 and response.get_json()["internal"] is False


def test_staff_sending_a_non_boolean_internal_get_422(client, desk):
    ticket = desk.create()
    assert_error(note(client, ticket["id"], internal="yes"), 422)


def test_staff_see_the_note_marked_internal_and_counted(client, desk):
    ticket = desk.create()
    posted = note(client, ticket["id"])
    assert posted.status_code == 201
    matches_schema("Message", posted.get_json())
    assert posted.get_json()["internal"] is True
    (message,) = client.get(f"/api/v1/tickets/{ticket['id']}/messages", headers=STAFF).get_json()["items"]
    assert message["internal"] is True and MARKER in message["body"]
    staff_view = desk.get(ticket["id"])
    assert (staff_view["message_count"], staff_view["public_message_count"]) == (1, 0)
    kinds = [event["kind"] for event in
             client.get(f"/api/v1/tickets/{ticket['id']}/events", headers=STAFF).get_json()["items"]]
    assert kinds == ["created", "note_posted"]


def test_an_internal_note_is_not_a_first_response(client, desk):
    ticket = desk.create()
    note(client, ticket["id"])
    assert desk.get(ticket["id"])["first_response_at"] is None
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Any news?"}, headers=USER)
    assert desk.get(ticket["id"])["first_response_at"] is None
    reply = client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "On our way"}, headers=STAFF)
    assert desk.get(ticket["id"])["first_response_at"] == reply.get_json()["created_at"]


def test_a_note_changes_nothing_a_campus_user_sees_of_the_ticket(client, desk):
    ticket = desk.create()
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "We are on it"}, headers=STAFF)
    before = client.get(f"/api/v1/tickets/{ticket['id']}", headers=USER)
    note(client, ticket["id"])
    after = client.get(f"/api/v1/tickets/{ticket['id']}", headers=USER)
    assert after.get_json() == before.get_json() and after.headers["ETag"] == before.headers["ETag"]
    assert after.get_json()["message_count"] == 1


def fill(path: str, ticket: dict) -> str:
    """Return *path* with its parameters filled for *ticket* (a follow token when the ticket has one)."""
    values = {"ticket_id": str(ticket["id"]), "id": str(ticket["id"]), "token": ticket.get("follow_token") or "none"}
    return re.sub(r"\{(\w+)\}", lambda found: values.get(found.group(1), "1"), path)


@pytest.fixture
def noted(client, desk) -> tuple[dict, str]:
    """A ticket with a public reply and an internal note whose text, author and id must never reach a user."""
    created = desk.create("The projector in room C3 flickers", title="Projector flickers")
    client.post(f"/api/v1/tickets/{created['id']}/messages", json={"body": "Public reply", "author_name": "Ana"},
                headers=STAFF)
    posted = note(client, created["id"]).get_json()
    assert client.post(f"/api/v1/tickets/{created['id']}/me-too", json={"contact": ME_TOO_CONTACT},
                       headers=USER).status_code == 200  # their address is as private as the note
    return {**created, "follow_token": desk.follow_tokens[created["id"]]}, str(posted["id"])


def test_no_get_route_shows_an_internal_note_to_a_campus_user(client, noted):
    """Walk every GET route of the document as a user, with the list's filters and search, and look for the note."""
    ticket, note_id = noted
    paths = [fill(path, ticket) for path, item in openapi_document()["paths"].items() if "get" in item]
    queries = ["", "?with_counts=true", f"?q={MARKER}", "?q=rude", f"?q={AUTHOR.split()[0]}", "?sort=-updated_at",
               "?sla=ok,at_risk,breached&with_counts=true", "?assignee=none&priority=normal"]
    seen = 0
    for path in paths:
        for query in queries if path == "/api/v1/tickets" else [""]:
            response = client.get(path + query, headers=USER)
            text = response.get_data(as_text=True)
            assert MARKER not in text and "rude" not in text and AUTHOR not in text, path + query
            assert ME_TOO_CONTACT.split("@")[0] not in text, path + query
            if path != "/api/v1/openapi.json":  # the document names the kinds and fields, of course
                assert "note_posted" not in text and '"internal":true' not in text.replace(" ", ""), path
            seen += response.status_code == 200
    assert seen >= 6  # the list, its searches, the ticket, its thread, its history and the follow link answered
    listed = client.get(f"/api/v1/tickets?q={MARKER}", headers=USER).get_json()
    assert listed["total"] == 0
    ticket_view = client.get(f"/api/v1/tickets/{ticket['id']}", headers=USER).get_json()
    assert ticket_view["message_count"] == 1
    messages = client.get(f"/api/v1/tickets/{ticket['id']}/messages", headers=USER).get_json()["items"]
    assert [message["body"] for message in messages] == ["Public reply"]
    assert all(str(message["id"]) != note_id for message in messages)
    events = client.get(f"/api/v1/tickets/{ticket['id']}/events", headers=USER).get_json()["items"]
    assert [event["kind"] for event in events] == ["created", "message_posted", "me_too"]
    (listed_ticket,) = client.get("/api/v1/tickets", headers=USER).get_json()["items"]
    assert listed_ticket["message_count"] == 1
    followed = client.get(f"/api/v1/follow/{ticket['follow_token']}").get_json()  # the reporter's link
    assert [message["body"] for message in followed["messages"]] == ["Public reply"]
    assert followed["message_count"] == 1


def test_a_users_writes_and_refusals_do_not_show_the_note_either(client, noted):
    ticket, _ = noted
    current = client.get(f"/api/v1/tickets/{ticket['id']}", headers=USER).get_json()
    edited = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "Projector still flickers"},
                          headers={**USER, **if_match(current["version"])})
    assert edited.status_code == 200 and edited.get_json()["message_count"] == 1
    posted = client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Thanks"}, headers=USER)
    assert MARKER not in posted.get_data(as_text=True)
    stale = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "Older"},
                         headers={**USER, **if_match(current["version"])})
    body = assert_error(stale, 412)
    assert body["current"]["message_count"] == 2  # the reply and the thanks, not the note


def test_search_text_and_export_never_hold_a_note(client, noted):
    ticket, _ = noted
    assert client.get(f"/api/v1/tickets?q={MARKER}", headers=STAFF).get_json()["total"] == 0
    assert MARKER not in client.get("/api/v1/export", headers=STAFF).get_data(as_text=True)
