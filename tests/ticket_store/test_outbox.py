"""The outbox: one queued mail per change, written with the change, leased, confirmed, retried."""
from __future__ import annotations

import time

import pytest

from ticket_store import outbox
from ticket_store.tickets import utc_now

from .conftest import STAFF, USER, assert_error, matches_schema

CONTACT = "sam@uni.example.edu"


def lease(client, limit: int = 50, lease_seconds: float = 60) -> list[dict]:
    response = client.post("/api/v1/outbox/lease", json={"limit": limit, "lease_seconds": lease_seconds},
                           headers=STAFF)
    assert response.status_code == 200, response.get_json()
    matches_schema("OutboxLeaseAnswer", response.get_json())
    return response.get_json()["items"]


def report(client, contact: str | None = CONTACT) -> dict:
    body = {"description": "The door of lab 4 does not lock", **({"contact": contact} if contact else {})}
    return client.post("/api/v1/tickets", json=body).get_json()


def test_each_change_queues_exactly_one_mail_to_the_contact(client):
    ticket = report(client)
    report(client, contact=None)  # no contact: no mail
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Also the window"}, headers=USER)
    client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "We will fix it"}, headers=STAFF)
    client.post(f"/api/v1/tickets/{ticket['id']}/status", json={"status": "active"}, headers=STAFF)
    client.post(f"/api/v1/follow/{ticket['follow_token']}/messages", json={"body": "Thanks"})
    mails = []
    for _ in range(3):  # a ticket's mails go one after the other, in order
        [mail] = lease(client)
        mails.append(mail)
        client.post(f"/api/v1/outbox/{mail['id']}/sent", headers=STAFF)
    assert lease(client) == []
    assert [(mail["kind"], mail["recipient"]) for mail in mails] == [
        ("created", CONTACT), ("staff_reply", CONTACT), ("status_changed", CONTACT)]
    assert mails[0]["follow_token"] == ticket["follow_token"] and mails[1]["follow_token"] is None
    assert mails[1]["details"]["body"] == "We will fix it"
    assert mails[2]["details"]["new"] == "active" and all(mail["attempts"] == 1 for mail in mails)


def test_an_internal_note_queues_no_mail_and_bulk_moves_mail_each_reporter(client):
    """A note is for staff only: nothing queued. A bulk status move mails each reporter once."""
    first, second = report(client), report(client)
    client.post(f"/api/v1/tickets/{first['id']}/messages", json={"body": "Quietly: check the key", "internal": True},
                headers=STAFF)
    moved = client.post("/api/v1/tickets/bulk", json={"ids": [first["id"], second["id"]], "action": "status",
                                                      "value": "active"}, headers=STAFF)
    assert moved.status_code == 200, moved.get_json()
    mails = []
    for _ in range(2):
        for mail in lease(client):
            mails.append(mail)
            client.post(f"/api/v1/outbox/{mail['id']}/sent", headers=STAFF)
    assert lease(client) == []
    assert sorted((mail["ticket_id"], mail["kind"]) for mail in mails) == [
        (first["id"], "created"), (first["id"], "status_changed"),
        (second["id"], "created"), (second["id"], "status_changed")]
    assert all("Quietly" not in str(mail["details"]) for mail in mails)


def test_a_refused_change_queues_nothing(client):
    ticket = report(client)
    lease(client)
    assert_error(client.post(f"/api/v1/tickets/{ticket['id']}/status", json={"status": "closed"},
                             headers=STAFF), 409)
    assert_error(client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": ""}, headers=STAFF), 422)
    assert client.get("/api/v1/outbox", headers=STAFF).get_json() == {
        "due": 0, "waiting": 0, "leased": 1, "sent": 0, "given_up": 0, "skipped": 0}


def test_a_leased_mail_is_not_leased_again_until_its_lease_runs_out(client):
    report(client)
    assert len(lease(client, lease_seconds=1)) == 1
    assert lease(client) == []
    time.sleep(1.1)
    again = lease(client)
    assert len(again) == 1 and again[0]["attempts"] == 2


def test_a_sent_mail_is_done_and_forgets_its_follow_token(app, client):
    report(client)
    [mail] = lease(client, lease_seconds=1)
    assert client.post(f"/api/v1/outbox/{mail['id']}/sent", headers=STAFF).status_code == 200
    assert client.post(f"/api/v1/outbox/{mail['id']}/sent", headers=STAFF).status_code == 200  # idempotent
    time.sleep(1.1)
    assert lease(client) == []
    token = app.extensions["ticket_store"].db.cursor().execute("SELECT follow_token FROM outbox").fetchone()[0]
    assert token is None


def test_a_ticket_s_next_mail_waits_for_its_first(client):
    ticket = report(client)
    client.post(f"/api/v1/tickets/{ticket['id']}/status", json={"status": "active"}, headers=STAFF)
    other = report(client)
    leased = lease(client)
    assert [(mail["ticket_id"], mail["kind"]) for mail in leased] == [(ticket["id"], "created"),
                                                                      (other["id"], "created")]
    client.post(f"/api/v1/outbox/{leased[0]['id']}/failed", json={"error": "busy", "retry_after_seconds": 0},
                headers=STAFF)
    assert [mail["kind"] for mail in lease(client)] == ["created"]  # the retry first, the status change after it


def test_a_failed_mail_is_retried_after_its_back_off_and_given_up_when_permanent(client):
    report(client)
    report(client)
    first, second = lease(client)
    status = client.post(f"/api/v1/outbox/{first['id']}/failed", json={"error": "Connection refused"},
                         headers=STAFF).get_json()
    matches_schema("OutboxMailStatus", status)
    assert status["last_error"] == "Connection refused" and status["sent_at"] is None
    assert lease(client) == []  # the default back-off is 30 s
    client.post(f"/api/v1/outbox/{first['id']}/failed", json={"error": "again", "retry_after_seconds": 0},
                headers=STAFF)
    assert [mail["id"] for mail in lease(client)] == [first["id"]]
    gone = client.post(f"/api/v1/outbox/{second['id']}/failed",
                       json={"error": "550 no such mailbox", "permanent": True}, headers=STAFF).get_json()
    assert gone["given_up_at"] is not None
    assert client.get("/api/v1/outbox", headers=STAFF).get_json()["given_up"] == 1


def test_the_back_off_doubles_up_to_an_hour():
    assert [outbox.back_off(attempt) for attempt in (1, 2, 3, 10)] == [30, 60, 120, 3600]


def test_a_mail_marked_skip_is_never_leased(app, client):
    """Internal notes queue with skip set: recorded, never delivered."""
    ticket = report(client, contact=None)
    db = app.extensions["ticket_store"].db
    db.write(lambda cursor: outbox.enqueue(db, {**ticket, "contact": CONTACT}, "staff_reply", utc_now(),
                                           {"body": "internal"}, skip=True))
    assert lease(client) == []
    assert client.get("/api/v1/outbox", headers=STAFF).get_json()["skipped"] == 1


@pytest.mark.parametrize("method, path", [("get", "/api/v1/outbox"), ("post", "/api/v1/outbox/lease"),
                                          ("post", "/api/v1/outbox/1/sent"), ("post", "/api/v1/outbox/1/failed")])
def test_the_outbox_is_for_staff_only(client, method, path):
    report(client)
    assert_error(getattr(client, method)(path, json={"error": "x"}, headers=USER), 403)


def test_bad_outbox_requests_are_refused_in_words(client):
    assert_error(client.post("/api/v1/outbox/lease", json={"limit": 0}, headers=STAFF), 422)
    assert_error(client.post("/api/v1/outbox/lease", json={"limit": 5, "lease_seconds": 0}, headers=STAFF), 422)
    assert_error(client.post("/api/v1/outbox/77/sent", headers=STAFF), 404)
    assert_error(client.post("/api/v1/outbox/77/failed", json={"error": "x"}, headers=STAFF), 404)
    assert_error(client.post("/api/v1/outbox/77/failed", json={}, headers=STAFF), 404)  # 404 before 422
    report(client)
    assert_error(client.post("/api/v1/outbox/1/failed", json={}, headers=STAFF), 422)
