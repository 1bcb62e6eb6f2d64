"""Follow links over HTTP: the reporter's page of their ticket, their answers, their rating; rotation by staff.

A follow link needs no role: the token is the permission. Any token that does not name a live
link (unknown, malformed, rotated away) is the same 404, which says nothing about which tickets exist.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify

from . import rules
from .api import json_body, store
from .errors import Conflict, NotFound, error_response
from .follow import Following, NotRateable
from .follow_payloads import RatingCreate
from .payloads import MessageCreate, parse

follow_api = Blueprint("follow", __name__, url_prefix="/api/v1")
UNKNOWN_LINK = "This follow link does not lead to a ticket; ask the helpdesk for a new link."


@follow_api.app_errorhandler(NotRateable)
def not_rateable(refusal: NotRateable) -> Response:
    """Answer a rating before close, or a second one, with 409."""
    return error_response(Conflict(str(refusal)))


def following() -> Following:
    """Return the follow links of the app's tickets."""
    return Following(store().tickets)


def followed_ticket(token: str) -> dict[str, Any]:
    """Return the ticket a live *token* follows, as a campus user sees it; 404 for any other token."""
    ticket_id = following().ticket_id(token)
    ticket = None if ticket_id is None else store().tickets.get_ticket(ticket_id)
    if ticket is None:
        raise NotFound(UNKNOWN_LINK)
    return rules.shown_to(ticket, "user")


@follow_api.get("/follow/<token>")
def get_followed(token: str) -> Response:
    """Return the followed ticket in any status, with its public thread and its rating."""
    ticket = followed_ticket(token)
    messages = store().tickets.list_messages(ticket["id"], with_internal=False)
    return jsonify({**ticket, "messages": messages, "rating": following().rating(ticket["id"])})


@follow_api.post("/follow/<token>/messages")
def post_followed_message(token: str) -> Response:
    """Post a message as the reporter (role user) while the ticket is not closed."""
    ticket = followed_ticket(token)
    message = parse(MessageCreate, json_body())
    if message.internal:
        rules.permit("user", "write_internal_note")  # a follow link speaks for the reporter
    if ticket["status"] == "closed":
        raise Conflict(f"Ticket #{ticket['id']} is closed; a closed ticket takes no more messages.")
    created = store().tickets.post_message(ticket["id"], message.body, message.author_name, "user")
    response = jsonify(created)
    response.status_code = 201
    return response


@follow_api.post("/follow/<token>/rating")
def rate_followed(token: str) -> Response:
    """Rate the ticket once, after it closed."""
    ticket = followed_ticket(token)
    rating = parse(RatingCreate, json_body())
    response = jsonify(following().rate(ticket["id"], rating.rating, rating.comment))
    response.status_code = 201
    return response


@follow_api.post("/tickets/<int:ticket_id>/follow-token")
def rotate_follow_token(ticket_id: int) -> Response:
    """Replace the ticket's follow link (staff): the old one stops working; the new one is answered once."""
    ticket = store().tickets.get_ticket(ticket_id)
    if ticket is None:
        raise NotFound(f"There is no ticket #{ticket_id}.")
    rules.permit(g.role, "rotate_follow_link")
    return jsonify({"ticket_id": ticket_id, "follow_token": following().rotate(ticket_id)})
