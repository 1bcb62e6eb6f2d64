"""Photos of tickets over HTTP: upload the raw image, list them, serve them and their thumbnails."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request

from . import images, report_rules
from .api import visible_ticket
from .attachment_store import Attachments, download_name
from .errors import Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType, error_response

attachments_api = Blueprint("attachments", __name__, url_prefix="/api/v1")
#: A photo never changes once stored, so a browser may keep it; private: closed tickets are staff-only.
CACHE_CONTROL = "private, max-age=86400, immutable"


def attachments() -> Attachments:
    """Return the app's photo store."""
    return current_app.extensions["attachments"]


@attachments_api.app_errorhandler(report_rules.TooMany)
@attachments_api.app_errorhandler(report_rules.CannotMerge)
def refused_here(refusal: report_rules.TooMany | report_rules.CannotMerge) -> Response:
    """Answer a refusal of the reporting rules with 409."""
    return error_response(Conflict(str(refusal)))


def photo_body() -> images.Photo:
    """Return the clean photo from the raw request body (at most 10 MiB, of the type it is sent as)."""
    if request.mimetype not in images.IMAGE_TYPES:
        raise UnsupportedMediaType("Send the photo as the raw body with Content-Type image/jpeg, image/png or "
                                   "image/webp.")
    if (request.content_length or 0) > images.MAX_BYTES:
        raise PayloadTooLarge("The photo is larger than 10 MiB; send a smaller one.")
    request.max_content_length = images.MAX_BYTES
    body = request.get_data(cache=False)
    try:
        return images.clean_photo(body, request.mimetype)
    except images.PhotoRefused as refused:
        raise (PayloadTooLarge if refused.status == 413 else UnsupportedMediaType)(str(refused)) from None


@attachments_api.post("/tickets/<int:ticket_id>/attachments")
def add_photo(ticket_id: int) -> Response:
    """Attach a photo to a ticket that is not closed (any role)."""
    visible_ticket(ticket_id)
    photo = photo_body()
    created = attachments().add_photo(ticket_id, photo, g.role)
    response = jsonify(created)
    response.status_code = 201
    response.headers["Location"] = created["url"]
    return response


@attachments_api.get("/tickets/<int:ticket_id>/attachments")
def list_photos(ticket_id: int) -> Response:
    """Return the ticket's photos, oldest first, without their bytes."""
    visible_ticket(ticket_id)
    return jsonify({"items": attachments().list_photos(ticket_id)})


def serve(attachment_id: int, thumbnail: bool) -> Response:
    """Answer the photo's (or its thumbnail's) bytes under its ticket's visibility rules."""
    ticket_id = attachments().ticket_of(attachment_id)
    if ticket_id is None:
        raise NotFound(f"There is no photo {attachment_id}.")
    visible_ticket(ticket_id)
    return photo_response(attachment_id, thumbnail)


def photo_response(attachment_id: int, thumbnail: bool) -> Response:
    """Answer the bytes of a photo the caller may see, or 304 when the browser holds them already."""
    etag = f'"photo-{attachment_id}{"-thumbnail" if thumbnail else ""}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = Response(status=304)
    else:
        content_type, data = attachments().photo_bytes(attachment_id, thumbnail)
        response = Response(data, mimetype=content_type)
        response.headers["Content-Disposition"] = (
            f'inline; filename="{download_name(attachment_id, content_type, thumbnail)}"')
    response.headers["ETag"] = etag
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@attachments_api.get("/attachments/<int:attachment_id>")
def photo(attachment_id: int) -> Response:
    """Serve a photo as stored: re-encoded, without metadata."""
    return serve(attachment_id, thumbnail=False)


@attachments_api.get("/attachments/<int:attachment_id>/thumbnail")
def photo_thumbnail(attachment_id: int) -> Response:
    """Serve a photo's thumbnail (at most 320 × 320 pixels)."""
    return serve(attachment_id, thumbnail=True)
