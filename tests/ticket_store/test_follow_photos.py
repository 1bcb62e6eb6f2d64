"""Photos through a follow link: the reporter adds them while the ticket is open and sees them in any status."""
from __future__ import annotations

import io
import secrets

import pytest
from PIL import Image

from ticket_store.follow_api import UNKNOWN_LINK

from .conftest import STAFF, USER, assert_error, matches_schema
from .test_attachments import gps_exif, photo, upload


@pytest.fixture
def followed(client, desk) -> tuple[dict, str]:
    """A ticket and its follow token."""
    ticket = desk.create("The window in room D4 is broken", title="Broken window")
    return ticket, desk.follow_tokens[ticket["id"]]


def send(client, token: str, body: bytes, content_type: str = "image/jpeg"):
    return client.post(f"/api/v1/follow/{token}/attachments", data=body, content_type=content_type)


def close(desk, ticket_id: int) -> None:
    for status in ("active", "closed"):
        assert desk.move(ticket_id, status).status_code == 200


def test_the_reporter_adds_a_photo_through_the_link_as_a_user(client, desk, followed):
    ticket, token = followed
    response = send(client, token, photo("PNG", (800, 600)), "image/png")
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    matches_schema("Attachment", created)
    base = f"/api/v1/follow/{token}/attachments/{created['id']}"
    assert (created["url"], created["thumbnail_url"]) == (base, f"{base}/thumbnail")
    assert response.headers["Location"] == base
    assert (created["ticket_id"], created["width"], created["height"]) == (ticket["id"], 800, 600)
    assert desk.get(ticket["id"])["attachment_count"] == 1
    (event,) = [item for item in client.get(f"/api/v1/tickets/{ticket['id']}/events", headers=STAFF).get_json()
                ["items"] if item["kind"] == "photo_added"]
    assert event["role"] == "user"
    listed = client.get(f"/api/v1/follow/{token}/attachments").get_json()
    matches_schema("AttachmentList", listed)
    assert listed["items"] == [created]
    # The same photo through the ticket's own routes keeps their addresses.
    (plain,) = client.get(f"/api/v1/tickets/{ticket['id']}/attachments", headers=USER).get_json()["items"]
    assert plain["url"] == f"/api/v1/attachments/{created['id']}"


def test_the_link_s_photo_and_thumbnail_are_served_clean(client, followed):
    _, token = followed
    created = send(client, token, photo("JPEG", (1000, 500), exif=gps_exif())).get_json()
    full = client.get(created["url"])
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert full.headers["X-Content-Type-Options"] == "nosniff" and full.headers["ETag"]
    assert b"CampusPhone" not in full.data and not Image.open(io.BytesIO(full.data)).getexif()
    small = client.get(created["thumbnail_url"])
    assert small.status_code == 200 and small.mimetype == "image/webp"
    assert Image.open(io.BytesIO(small.data)).size == (320, 160)
    again = client.get(created["url"], headers={"If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304


def test_the_link_refuses_what_the_ticket_route_refuses(client, followed):
    ticket, token = followed
    assert_error(send(client, token, b"not a picture at all"), 415)
    assert_error(send(client, token, photo("PNG"), "image/jpeg"), 415)
    assert_error(send(client, token, photo(), "text/plain"), 415)
    assert_error(client.post(f"/api/v1/follow/{token}/attachments", json={"photo": "x"}), 415)
    assert_error(send(client, token, b"\xff" * (10 * 1024 * 1024 + 1)), 413)
    assert client.get(f"/api/v1/follow/{token}/attachments").get_json()["items"] == []


def test_a_closed_ticket_takes_no_photo_through_its_link_but_shows_its_photos(client, desk, followed):
    ticket, token = followed
    created = send(client, token, photo()).get_json()
    close(desk, ticket["id"])
    body = assert_error(send(client, token, photo()), 409)
    assert "closed" in body["error"]
    assert desk.get(ticket["id"])["attachment_count"] == 1
    assert client.get(f"/api/v1/follow/{token}/attachments").get_json()["items"] == [created]
    assert client.get(created["url"]).status_code == 200
    assert client.get(created["thumbnail_url"]).status_code == 200
    # Without the link a campus user still may not see a closed ticket's photo.
    assert_error(client.get(f"/api/v1/attachments/{created['id']}", headers=USER), 403)
    assert_error(client.get(f"/api/v1/attachments/{created['id']}/thumbnail", headers=USER), 403)
    assert client.get(f"/api/v1/attachments/{created['id']}", headers=STAFF).status_code == 200


def test_another_ticket_s_photo_through_a_link_is_the_unknown_link_404(client, desk, followed):
    _, token = followed
    other = desk.create("The tap in kitchen K2 drips")
    theirs = upload(client, other["id"], photo()).get_json()
    unknown = assert_error(client.get(f"/api/v1/follow/{secrets.token_urlsafe(24)}/attachments"), 404)
    for path in (f"/api/v1/follow/{token}/attachments/{theirs['id']}",
                 f"/api/v1/follow/{token}/attachments/{theirs['id']}/thumbnail",
                 f"/api/v1/follow/{token}/attachments/999999",
                 f"/api/v1/follow/{desk.follow_tokens[other['id']]}x/attachments/{theirs['id']}"):
        body = assert_error(client.get(path), 404)
        assert body == unknown and body["error"] == UNKNOWN_LINK, path
    assert_error(send(client, "not-a-token", photo()), 404)


def test_a_rotated_link_no_longer_reaches_the_photos(client, followed):
    ticket, token = followed
    created = send(client, token, photo()).get_json()
    fresh = client.post(f"/api/v1/tickets/{ticket['id']}/follow-token", headers=STAFF).get_json()["follow_token"]
    assert_error(client.get(created["url"]), 404)
    assert_error(send(client, token, photo()), 404)
    assert client.get(f"/api/v1/follow/{fresh}/attachments/{created['id']}").status_code == 200
