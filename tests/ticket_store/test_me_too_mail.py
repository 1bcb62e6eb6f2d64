"""Mail to "me too" people: mailed like the reporter about each later change, never with the follow link."""
from __future__ import annotations

import json

import pytest

from ticket_store import outbox

from .conftest import STAFF, USER

REPORTER = "ria@uni.example.edu"
FIRST, SECOND = "omar@uni.example.edu", "yuki@uni.example.edu"


def report(client, contact: str | None = REPORTER, description: str = "The heating in hall H1 is off") -> dict:
    body = {"description": description, **({"contact": contact} if contact else {})}
    response = client.post("/api/v1/tickets", json=body)
    assert response.status_code == 201
    return response.get_json()


def me_too(client, ticket_id: int, contact: str | None) -> None:
    response = client.post(f"/api/v1/tickets/{ticket_id}/me-too", json={"contact": contact} if contact else {},
                           headers=USER)
    assert response.status_code == 200, response.get_json()


def mails(app, ticket_id: int) -> list[tuple[str, str, str | None, dict]]:
    """Return the ticket's queued mails in order: kind, recipient, follow token, details."""
    rows = app.extensions["ticket_store"].db.cursor().execute(
        "SELECT kind, recipient, follow_token, details FROM outbox WHERE ticket_id = ? ORDER BY id",
        [ticket_id]).fetchall()
    return [(kind, recipient, token, json.loads(details)) for kind, recipient, token, details in rows]


def test_a_me_too_contact_is_told_once_then_mailed_each_reply_and_status_change(app, client):
    ticket = report(client)
    me_too(client, ticket["id"], FIRST)
    me_too(client, ticket["id"], None)  # counted, never mailed
    me_too(client, ticket["id"], SECOND)
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "On it"}, headers=STAFF)
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Noted", "internal": True}, headers=STAFF)
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Still cold"}, headers=USER)
    client.post(f"/api/v1/tickets/{ticket['id']}/status", json={"status": "active"}, headers=STAFF)
    queued = mails(app, ticket["id"])
    assert [(kind, recipient) for kind, recipient, _, _ in queued] == [
        ("created", REPORTER), ("me_too_added", FIRST), ("me_too_added", SECOND),
        ("staff_reply", REPORTER), ("staff_reply", FIRST), ("staff_reply", SECOND),
        ("status_changed", REPORTER), ("status_changed", FIRST), ("status_changed", SECOND)]
    assert queued[0][2] == ticket["follow_token"]
    assert all(token is None and details["me_too"] for _, recipient, token, details in queued
               if recipient != REPORTER)
    assert all("me_too" not in details for _, recipient, _, details in queued if recipient == REPORTER)
    assert all(ticket["follow_token"] not in json.dumps(details) for *_, details in queued)


def upper_local_part(address: str) -> str:
    """Return *address* as stored when typed in capitals: the domain is lowercased, the local part kept."""
    local, _, domain = address.upper().rpartition("@")
    return f"{local}@{domain.lower()}"


def test_a_ticket_without_a_reporter_contact_still_mails_its_me_too_people_once_each(app, client):
    ticket = report(client, contact=None)
    me_too(client, ticket["id"], FIRST)
    me_too(client, ticket["id"], FIRST.upper())  # the same person twice: one mail per change
    client.post(f"/api/v1/tickets/{ticket['id']}/status", json={"status": "active"}, headers=STAFF)
    assert [(kind, recipient) for kind, recipient, *_ in mails(app, ticket["id"])] == [
        ("me_too_added", FIRST), ("me_too_added", upper_local_part(FIRST)), ("status_changed", FIRST)]


def test_bulk_status_changes_mail_the_me_too_people_too(app, client):
    first, second = report(client), report(client, description="The lift in building C is stuck")
    me_too(client, first["id"], FIRST)
    response = client.post("/api/v1/tickets/bulk", json={"ids": [first["id"], second["id"]], "action": "status",
                                                         "value": "active"}, headers=STAFF)
    assert [result["status"] for result in response.get_json()["results"]] == [200, 200]
    assert [(kind, recipient) for kind, recipient, *_ in mails(app, first["id"])][-2:] == [
        ("status_changed", REPORTER), ("status_changed", FIRST)]
    assert [recipient for kind, recipient, *_ in mails(app, second["id"]) if kind == "status_changed"] == [REPORTER]


def test_a_merge_mails_everyone_of_the_duplicate_and_they_follow_the_main_ticket(app, client):
    main = report(client, contact="main@uni.example.edu")
    duplicate = report(client, description="No heating in hall H1")
    me_too(client, duplicate["id"], FIRST)
    merged = client.post(f"/api/v1/tickets/{duplicate['id']}/merge", json={"into": main["id"]}, headers=STAFF)
    assert merged.status_code == 200
    closing = [(recipient, token, details) for kind, recipient, token, details in mails(app, duplicate["id"])
               if kind == "status_changed"]
    assert [(recipient, details["merged_into"]) for recipient, _, details in closing] == [
        (REPORTER, main["id"]), (FIRST, main["id"])]
    assert all(token is None for _, token, _ in closing)
    client.post(f"/api/v1/tickets/{main['id']}/messages", json={"body": "Boiler fixed"}, headers=STAFF)
    replies = [(recipient, token) for kind, recipient, token, _ in mails(app, main["id"]) if kind == "staff_reply"]
    # The duplicate's reporter and its "me too" person now hear about the main ticket, without its link.
    assert replies == [("main@uni.example.edu", None), (REPORTER, None), (FIRST, None)]


def test_a_rotated_follow_link_goes_to_the_reporter_only(app, client):
    ticket = report(client)
    me_too(client, ticket["id"], FIRST)
    token = client.post(f"/api/v1/tickets/{ticket['id']}/follow-token", headers=STAFF).get_json()["follow_token"]
    (rotated,) = [(recipient, sent) for kind, recipient, sent, _ in mails(app, ticket["id"]) if kind == "follow_link"]
    assert rotated == (REPORTER, token)


def test_the_me_too_people_are_read_only_when_the_ticket_counts_some(app):
    """A ticket with no "me too" people is queued without a look at them (creates stay cheap)."""
    db = app.extensions["ticket_store"].db
    ticket = {"id": 1, "title": None, "location": None, "status": "open", "description": "x", "contact": REPORTER,
              "me_too_count": 0}
    db.write(lambda cursor: outbox.enqueue(db, ticket, "staff_reply", outbox_now(), {"body": "b"}))
    with pytest.raises(ValueError):  # with some, the write's cursor is needed to find them
        db.write(lambda cursor: outbox.enqueue(db, {**ticket, "me_too_count": 1}, "staff_reply", outbox_now()))


def outbox_now():
    from ticket_store.tickets import utc_now

    return utc_now()
