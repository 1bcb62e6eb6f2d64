"""Reporters follow their ticket without an account: private contact, follow tokens, ratings (SPEC §7.1)."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets

import duckdb
import pytest

from ticket_store import create_app
from ticket_store.openapi import openapi_document
from ticket_store.schema import MIGRATIONS

from .conftest import STAFF, USER, assert_error, if_match, matches_schema

CONTACT = "lena.private@uni.example.edu"
SECRET_PART = "lena.private"
ME_TOO_CONTACT = "kim.hidden@uni.example.edu"  # a "me too" person's address: as private as the reporter's


def report(client, contact: str | None = CONTACT, **fields) -> tuple[dict, str]:
    """Report a ticket as a campus user; return the answer (without its token) and the token."""
    body = {"description": "The lift in building C is stuck between floors", "reporter": "Lena", **fields}
    if contact is not None:
        body["contact"] = contact
    response = client.post("/api/v1/tickets", json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    matches_schema("CreatedTicket", created)
    return created, created.pop("follow_token")


def follow(client, token: str):
    return client.get(f"/api/v1/follow/{token}")


def close(client, ticket_id: int) -> None:
    for status in ("active", "closed"):
        assert client.post(f"/api/v1/tickets/{ticket_id}/status", json={"status": status},
                           headers=STAFF).status_code == 200


# --- contact is for staff only -------------------------------------------------------------------

def test_staff_see_the_contact_and_users_never_do(client):
    created, _ = report(client)
    assert "contact" not in created
    assert client.get(f"/api/v1/tickets/{created['id']}", headers=STAFF).get_json()["contact"] == CONTACT
    assert "contact" not in client.get(f"/api/v1/tickets/{created['id']}", headers=USER).get_json()
    staff_list = client.get("/api/v1/tickets", headers=STAFF).get_json()["items"]
    assert staff_list[0]["contact"] == CONTACT
    assert SECRET_PART not in client.get("/api/v1/tickets", headers=USER).get_data(as_text=True)


@pytest.mark.parametrize("contact, problem", [
    ("not an address", "e-mail address"), ("lena@", "e-mail address"), ("a" * 250 + "@x.edu", "254"),
    ("lena@uni.example.edu\x00", "control characters"), (42, "string"),
])
def test_a_contact_that_is_not_an_e_mail_address_is_refused(client, contact, problem):
    body = assert_error(client.post("/api/v1/tickets", json={"description": "Broken tap", "contact": contact}), 422)
    assert body["details"][0]["field"] == "contact" and problem in body["error"]
    assert client.get("/api/v1/tickets", headers=STAFF).get_json()["total"] == 0


def test_the_contact_is_normalised_and_a_blank_one_is_none(client):
    created, _ = report(client, contact="  Lena.Private@UNI.Example.EDU ")
    assert client.get(f"/api/v1/tickets/{created['id']}", headers=STAFF).get_json()["contact"] == \
        "Lena.Private@uni.example.edu"
    blank, _ = report(client, contact="  ")
    assert "contact" not in client.get(f"/api/v1/tickets/{blank['id']}", headers=STAFF).get_json()


def test_search_does_not_match_the_contact(client):
    report(client)
    for role in (USER, STAFF):
        for words in (SECRET_PART, "uni.example.edu", "private"):
            assert client.get(f"/api/v1/tickets?q={words}", headers=role).get_json()["total"] == 0
    assert client.get("/api/v1/tickets?q=lena", headers=USER).get_json()["total"] == 1  # the public reporter


def filled(path: str, ticket_id: int, token: str) -> str:
    return path.replace("{ticket_id}", str(ticket_id)).replace("{token}", token).replace("{mail_id}", "1")


BODIES = [None, {}, {"body": "Any news?", "author_name": "Lena"}, {"title": "Lift C"}, {"status": "active"},
          {"rating": 4, "comment": "Quick"}, {"text": "lift stuck"}, {"limit": 5}, {"error": "down"},
          {"description": "Edited lift text", "contact": "x@y.edu"}]


@pytest.mark.parametrize("headers", [USER, {}], ids=["user", "no role"])
def test_no_answer_to_a_user_or_a_follow_link_contains_the_contact(client, headers):
    """Walk every route of the OpenAPI document, open and closed tickets, good and bad bodies."""
    open_ticket, open_token = report(client)
    closed_ticket, closed_token = report(client)
    for ticket in (open_ticket, closed_ticket):
        assert client.post(f"/api/v1/tickets/{ticket['id']}/me-too", json={"contact": ME_TOO_CONTACT},
                           headers=headers).status_code == 200
    close(client, closed_ticket["id"])
    client.post(f"/api/v1/tickets/{open_ticket['id']}/messages", json={"body": "On our way"}, headers=STAFF)
    answers = []
    for path, item in openapi_document()["paths"].items():
        for method in item:
            for ticket, token in ((open_ticket, open_token), (closed_ticket, closed_token),
                                  ({"id": 999}, secrets.token_urlsafe(24))):
                for body in BODIES:
                    for extra in ({}, if_match(1), if_match(2)):
                        response = client.open(filled(path, ticket["id"], token), method=method.upper(),
                                               json=body, headers={**headers, **extra})
                        answers.append((method, path, response.status_code, response.get_data(as_text=True)))
    for query in ("q=lena.private", "q=uni.example.edu", "q=lift", "status=open,active", "with_counts=true"):
        response = client.get(f"/api/v1/tickets?{query}", headers=headers)
        answers.append(("get", query, response.status_code, response.get_data(as_text=True)))
    assert len(answers) > 500
    leaks = [(method, path, status) for method, path, status, text in answers
             if SECRET_PART in text.lower() or "kim.hidden" in text.lower()]
    assert not leaks
    # Nor the follow links' secrets: no answer repeats a token or its stored hash.
    secrets_ = [open_token, closed_token, *(hashlib.sha256(token.encode()).hexdigest()
                                           for token in (open_token, closed_token))]
    assert not [(method, path, status) for method, path, status, text in answers
                if any(secret in text for secret in secrets_)]
    assert {status for *_, status, _ in answers} >= {200, 201, 403, 404, 409, 412, 422}


def test_a_stale_edit_by_a_user_answers_the_current_ticket_without_the_contact(client):
    created, _ = report(client)
    for title in ("First", "Second"):
        client.patch(f"/api/v1/tickets/{created['id']}", json={"title": title}, headers={**USER, "If-Match": "*"})
    body = assert_error(client.patch(f"/api/v1/tickets/{created['id']}", json={"title": "Mine"},
                                     headers={**USER, **if_match(1)}), 412)
    assert body["current"]["title"] == "Second" and "contact" not in body["current"]


# --- follow tokens -------------------------------------------------------------------------------

def test_create_answers_a_follow_token_once_and_the_store_keeps_only_its_hash(app, client):
    created, token = report(client, contact=None)
    assert len(token) >= 22 and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(token) * 6 >= 128  # bits of a URL-safe base64 text
    assert "follow_token" not in client.get(f"/api/v1/tickets/{created['id']}", headers=STAFF).get_json()
    cursor = app.extensions["ticket_store"].db.cursor()
    (row,) = cursor.execute("SELECT * FROM tickets").fetchall()
    assert token not in json.dumps(row, default=str)
    assert cursor.execute("SELECT follow_hash FROM tickets").fetchone()[0] == hashlib.sha256(token.encode()).hexdigest()
    assert client.get("/api/v1/tickets", headers=STAFF).get_json()["total"] == 1


def test_a_token_names_its_ticket_and_a_forged_one_reaches_nothing(client):
    first, first_token = report(client, description="Projector in A1 is broken")
    second, _ = report(client, description="Heating in B2 is off")
    raw = base64.urlsafe_b64decode(first_token)
    assert int.from_bytes(raw[:8], "big") == first["id"] and len(raw[8:]) * 8 >= 128
    for forged in (second["id"].to_bytes(8, "big") + raw[8:],  # another ticket's id with this secret
                   (2**64 - 1).to_bytes(8, "big") + raw[8:],  # an id no BIGINT holds
                   (0).to_bytes(8, "big") + raw[8:]):
        assert_error(follow(client, base64.urlsafe_b64encode(forged).decode()), 404)
    assert follow(client, first_token).get_json()["id"] == first["id"]


def test_a_token_issued_before_migration_10_still_follows_until_rotated(app, client):
    created, _ = report(client)
    old = secrets.token_urlsafe(24)  # how tokens were made: 24 random bytes, one row each
    app.extensions["ticket_store"].db.cursor().execute(
        "INSERT INTO follow_tokens VALUES (?, ?, now()::TIMESTAMP, NULL)",
        [hashlib.sha256(old.encode()).hexdigest(), created["id"]])
    assert follow(client, old).get_json()["id"] == created["id"]
    new = client.post(f"/api/v1/tickets/{created['id']}/follow-token", headers=STAFF).get_json()["follow_token"]
    assert_error(follow(client, old), 404)
    assert follow(client, new).get_json()["id"] == created["id"]


def test_the_follow_link_shows_its_ticket_with_the_public_thread(client):
    created, token = report(client)
    client.post(f"/api/v1/tickets/{created['id']}/messages", json={"body": "A technician is on the way"},
                headers=STAFF)
    response = follow(client, token)
    assert response.status_code == 200
    followed = response.get_json()
    matches_schema("FollowedTicket", followed)
    assert followed["id"] == created["id"] and followed["rating"] is None
    assert [message["body"] for message in followed["messages"]] == ["A technician is on the way"]


def unknown_tokens(real: str) -> list[str]:
    return [secrets.token_urlsafe(24), real[:-1] + ("A" if real[-1] != "A" else "B"), real[:10], real + "x",
            real.upper() if real.upper() != real else real.lower(), "%2e%2e", "1", "a" * 300, " " + real]


def test_unknown_wrong_or_malformed_tokens_are_the_same_404(client):
    _, token = report(client)
    answers = []
    for wrong in unknown_tokens(token):
        for method, suffix, body in (("GET", "", None), ("POST", "/messages", {"body": "Hi"}),
                                     ("POST", "/rating", {"rating": 5}), ("POST", "/messages", {"nope": 1})):
            response = client.open(f"/api/v1/follow/{wrong}{suffix}", method=method, json=body)
            answers.append(assert_error(response, 404))
    assert len({json.dumps(answer) for answer in answers}) == 1  # no hint about which tickets exist
    assert "#" not in answers[0]["error"]


def test_a_token_reaches_its_own_ticket_only(client):
    first, first_token = report(client, description="Projector in A1 is broken")
    second, second_token = report(client, description="Heating in B2 is off")
    assert follow(client, first_token).get_json()["id"] == first["id"]
    assert follow(client, second_token).get_json()["id"] == second["id"]
    posted = client.post(f"/api/v1/follow/{first_token}/messages", json={"body": "It smells of smoke now"})
    assert posted.status_code == 201 and posted.get_json()["ticket_id"] == first["id"]
    assert posted.get_json()["author_role"] == "user"
    assert client.get(f"/api/v1/tickets/{second['id']}/messages").get_json()["items"] == []
    assert [m["body"] for m in follow(client, first_token).get_json()["messages"]] == ["It smells of smoke now"]


def test_rotating_the_token_stops_the_old_one(client):
    created, old = report(client)
    assert_error(client.post(f"/api/v1/tickets/{created['id']}/follow-token", headers=USER), 403)
    assert_error(client.post("/api/v1/tickets/999/follow-token", headers=STAFF), 404)
    response = client.post(f"/api/v1/tickets/{created['id']}/follow-token", headers=STAFF)
    assert response.status_code == 200
    matches_schema("FollowToken", response.get_json())
    new = response.get_json()["follow_token"]
    assert new != old and follow(client, new).get_json()["id"] == created["id"]
    assert_error(follow(client, old), 404)
    assert_error(client.post(f"/api/v1/follow/{old}/messages", json={"body": "Hello?"}), 404)


def test_a_closed_ticket_is_read_only_through_its_link(client):
    created, token = report(client)
    close(client, created["id"])
    followed = follow(client, token).get_json()
    assert followed["status"] == "closed" and followed["closed_at"]
    assert_error(client.post(f"/api/v1/follow/{token}/messages", json={"body": "Thanks"}), 409)
    assert_error(client.post(f"/api/v1/follow/{token}/messages", json={"body": ""}), 422)  # 422 before 409
    assert len(follow(client, token).get_json()["messages"]) == 0


def test_a_ticket_is_rated_once_and_only_after_close(client):
    created, token = report(client)
    assert_error(client.post(f"/api/v1/follow/{token}/rating", json={"rating": 5}), 409)
    close(client, created["id"])
    for bad in ({"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": 4, "extra": 1}, {}):
        assert_error(client.post(f"/api/v1/follow/{token}/rating", json=bad), 422)
    rated = client.post(f"/api/v1/follow/{token}/rating", json={"rating": 4, "comment": "Fixed in a day"})
    assert rated.status_code == 201
    matches_schema("Rating", rated.get_json())
    assert_error(client.post(f"/api/v1/follow/{token}/rating", json={"rating": 1}), 409)
    assert follow(client, token).get_json()["rating"]["rating"] == 4
    events = client.get(f"/api/v1/tickets/{created['id']}/events", headers=STAFF).get_json()["items"]
    assert events[-1]["kind"] == "rated" and events[-1]["new"] == {"rating": 4}


def test_a_rating_survives_a_restart(tmp_path):
    path = str(tmp_path / "helpdesk.duckdb")
    first = create_app({"DB_PATH": path})
    client = first.test_client()
    created, token = report(client)
    close(client, created["id"])
    assert client.post(f"/api/v1/follow/{token}/rating", json={"rating": 3}).status_code == 201
    first.extensions["ticket_store"].db.close()
    second = create_app({"DB_PATH": path})
    assert second.test_client().get(f"/api/v1/follow/{token}").get_json()["rating"]["rating"] == 3
    second.extensions["ticket_store"].db.close()


def test_a_version_3_database_gains_contact_and_keeps_an_address_in_reporter(tmp_path):
    path = str(tmp_path / "helpdesk.duckdb")
    with duckdb.connect(path) as con:
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
        for version, sql in MIGRATIONS[:3]:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [version])
        con.execute("INSERT INTO tickets VALUES (3, NULL, 'Printer jammed', 'Library', 'tom@uni.example.edu', 'it', "
                    "'auto', 0.9, 'open', TIMESTAMP '2026-01-05 09:00', TIMESTAMP '2026-01-05 09:00', NULL, 1, 0, "
                    "'printer jammed')")
    app = create_app({"DB_PATH": path})
    ticket = app.test_client().get("/api/v1/tickets/3", headers=STAFF).get_json()
    assert ticket["reporter"] == "tom@uni.example.edu" and "contact" not in ticket
    assert app.test_client().post("/api/v1/tickets/3/follow-token", headers=STAFF).status_code == 200
    app.extensions["ticket_store"].db.close()
