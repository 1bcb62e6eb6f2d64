"""Reporting a problem once over HTTP: similar tickets while typing, "me too", and merging duplicates."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request

from . import rules
from .api import json_body, ticket_response, visible_ticket
from .duplicate_store import Duplicates
from .errors import InvalidInput
from .payloads import parse
from .report_payloads import MergeRequest, MeTooRequest, SimilarQuery, parse_query

duplicates_api = Blueprint("duplicates", __name__, url_prefix="/api/v1")


def duplicates() -> Duplicates:
    """Return the app's duplicate handling."""
    return current_app.extensions["duplicates"]


@duplicates_api.get("/tickets/similar")
def similar_tickets() -> Response:
    """Return the open and active tickets most likely about the problem being written, best first."""
    query = parse_query(SimilarQuery, request.args.to_dict())
    return jsonify({"items": duplicates().similar(query.text, query.location, query.limit)})


@duplicates_api.post("/tickets/<int:ticket_id>/me-too")
def me_too(ticket_id: int) -> Response:
    """Count one more person with this ticket's problem (any role, not closed)."""
    visible_ticket(ticket_id)
    request_ = parse(MeTooRequest, json_body())
    return ticket_response(duplicates().add_me_too(ticket_id, request_.contact, g.role))


@duplicates_api.post("/tickets/<int:ticket_id>/merge")
def merge(ticket_id: int) -> Response:
    """Close this ticket as a duplicate of another, moving its people there (staff only)."""
    visible_ticket(ticket_id)
    if g.role != "staff":
        raise rules.NotPermitted("Only helpdesk staff may merge tickets.", g.role)
    into = parse(MergeRequest, json_body()).into
    if into != ticket_id and store_ticket(into) is None:
        raise InvalidInput(f"There is no ticket #{into} to merge into.",
                           [{"field": "into", "message": f"there is no ticket #{into}."}])
    return ticket_response(duplicates().merge(ticket_id, into, g.role))


def store_ticket(ticket_id: int) -> dict | None:
    """Return the ticket or None (any status: staff are asking)."""
    return duplicates().tickets.get_ticket(ticket_id)
