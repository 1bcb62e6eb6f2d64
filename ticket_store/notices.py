"""Known-issue notices over HTTP: staff publish and withdraw them; anyone reads the ones that match."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request

from . import rules
from .api import json_body, store
from .errors import InvalidInput, NotFound
from .notice_store import Notices
from .payloads import parse
from .report_payloads import NoticeCreate, NoticeQuery, future, parse_query
from .tickets import utc_now

notices_api = Blueprint("notices", __name__, url_prefix="/api/v1")


def notices() -> Notices:
    """Return the app's notices."""
    return current_app.extensions["notices"]


def only_staff(action: str) -> None:
    if g.role != "staff":
        raise rules.NotPermitted(f"Only helpdesk staff may {action}.", g.role)


@notices_api.post("/notices")
def publish_notice() -> Response:
    """Publish a known issue, e.g. 'Wi-Fi in the main library is down, we're on it' (staff only)."""
    only_staff("publish notices")
    notice = parse(NoticeCreate, json_body())
    future(notice.expires_at, utc_now())
    if notice.ticket_id is not None and store().tickets.get_ticket(notice.ticket_id) is None:
        raise InvalidInput(f"There is no ticket #{notice.ticket_id} to publish the notice from.",
                           [{"field": "ticket_id", "message": f"there is no ticket #{notice.ticket_id}."}])
    created = notices().publish(notice.text, notice.category, notice.location, notice.ticket_id, notice.expires_at)
    response = jsonify(created)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/notices/{created['id']}"
    return response


@notices_api.get("/notices")
def list_notices() -> Response:
    """Return the notices shown now; with text, location or category only those that match them."""
    query = parse_query(NoticeQuery, request.args.to_dict())
    if query.text is None and query.location is None and query.category is None:
        return jsonify({"items": notices().active()})
    return jsonify({"items": notices().matching(query.text, query.location, query.category)})


@notices_api.delete("/notices/<int:notice_id>")
def withdraw_notice(notice_id: int) -> Response:
    """Stop showing a notice (staff only)."""
    only_staff("withdraw notices")
    if notice_id >= 2**63 or not notices().withdraw(notice_id):  # no id is that large (DuckDB could not compare it)
        raise NotFound(f"There is no notice {notice_id} being shown.")
    return Response(status=204)
