"""Photos through a follow link: the reporter adds photos while the ticket is not closed and sees them in any status.

The link is the permission, as for the rest of the follow routes: a closed ticket's photos are
shown through its link (a campus user without the link still gets 403), and a photo of any other
ticket is the same 404 as an unknown link, so a link tells nothing about other tickets.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from . import rules
from .attachments import attachments, photo_body, photo_response
from .errors import Conflict, NotFound
from .follow_api import UNKNOWN_LINK, followed_ticket

follow_photos_api = Blueprint("follow_photos", __name__, url_prefix="/api/v1")


def through_link(attachment: dict[str, Any], token: str) -> dict[str, Any]:
    """Return the photo with its addresses under the follow link (those work in any status)."""
    base = f"/api/v1/follow/{token}/attachments/{attachment['id']}"
    return {**attachment, "url": base, "thumbnail_url": f"{base}/thumbnail"}


def closed_refusal(ticket_id: int) -> Conflict:
    return Conflict(f"Ticket #{ticket_id} is closed; a closed ticket takes no more photos.")


@follow_photos_api.post("/follow/<token>/attachments")
def add_followed_photo(token: str) -> Response:
    """Attach a photo as the reporter (role user) while the ticket is not closed."""
    ticket = followed_ticket(token)
    photo = photo_body()
    if ticket["status"] == "closed":
        raise closed_refusal(ticket["id"])
    try:
        created = attachments().add_photo(ticket["id"], photo, "user")
    except rules.NotPermitted:  # closed between the look and the write
        raise closed_refusal(ticket["id"]) from None
    response = jsonify(through_link(created, token))
    response.status_code = 201
    response.headers["Location"] = response.get_json()["url"]
    return response


@follow_photos_api.get("/follow/<token>/attachments")
def list_followed_photos(token: str) -> Response:
    """Return the followed ticket's photos in any status, oldest first, without their bytes."""
    ticket = followed_ticket(token)
    return jsonify({"items": [through_link(item, token) for item in attachments().list_photos(ticket["id"])]})


def serve_followed(token: str, attachment_id: int, thumbnail: bool) -> Response:
    """Serve a photo of the followed ticket; any other photo is the unknown link's 404."""
    ticket = followed_ticket(token)
    if attachments().ticket_of(attachment_id) != ticket["id"]:
        raise NotFound(UNKNOWN_LINK)
    return photo_response(attachment_id, thumbnail)


@follow_photos_api.get("/follow/<token>/attachments/<int:attachment_id>")
def followed_photo(token: str, attachment_id: int) -> Response:
    """Serve a photo of the followed ticket, in any status."""
    return serve_followed(token, attachment_id, thumbnail=False)


@follow_photos_api.get("/follow/<token>/attachments/<int:attachment_id>/thumbnail")
def followed_thumbnail(token: str, attachment_id: int) -> Response:
    """Serve a photo's thumbnail (at most 320 × 320 pixels) through the follow link."""
    return serve_followed(token, attachment_id, thumbnail=True)
