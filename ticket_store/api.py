"""The HTTP handlers of /api/v1: parse, call one named function, serialise."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, send_file

from . import bulk, tickets
from .access import is_staff
from .categorizer import Categorizer, ticket_text
from .db import Database
from .errors import (BadRequest, Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed,
                     PreconditionRequired, ServiceUnavailable, UnsupportedMediaType)
from .openapi import openapi_document
from .payloads import CategorizeRequest, MessageCreate, StatusChange, TicketCreate, TicketPatch, parse, parse_ticket_query

api = Blueprint("api", __name__, url_prefix="/api/v1")
IMPORT_TYPES = {"text/csv": "csv", "application/x-ndjson": "ndjson", "application/ndjson": "ndjson",
                "application/jsonl": "ndjson"}


@dataclass
class Store:
    """What the handlers work with: the database and the categorizer."""

    db: Database
    categorizer: Categorizer

    @property
    def review_threshold(self) -> float:
        return self.categorizer.review_threshold


def store() -> Store:
    """Return the app's store."""
    return current_app.extensions["ticket_store"]


def json_body() -> Any:
    """Return the parsed JSON body, or raise 400 when it is not JSON."""
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body is not valid JSON.") from None


def ticket_response(ticket: tickets.Ticket, status: int = 200) -> Response:
    """Return the ticket with its version as the ETag."""
    response = jsonify(ticket)
    response.status_code = status
    response.headers["ETag"] = f'"{ticket["version"]}"'
    return response


def visible_ticket(ticket_id: int) -> tickets.Ticket:
    """Return the ticket if it exists and the caller may see it (closed tickets: staff only)."""
    ticket = tickets.get_ticket(store().db, ticket_id, store().review_threshold)
    if ticket is None:
        raise NotFound(f"There is no ticket #{ticket_id}.")
    forbid_closed_to_users(ticket)
    return ticket


def forbid_closed_to_users(ticket: tickets.Ticket) -> None:
    """Raise 403 when a campus user reaches a closed ticket."""
    if ticket["status"] == "closed" and not is_staff():
        raise Forbidden(f"Ticket #{ticket['id']} is closed; closed tickets are visible to helpdesk staff only.")


def if_match_version(required: bool) -> int | None:
    """Return the version named by If-Match; -1 when it names none we could ever have; None for none or "*"."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        if required:
            raise PreconditionRequired(
                'Changing a ticket needs the header If-Match: "<version>" with the version you last saw.')
        return None
    if header.strip() == "*":  # RFC 9110: any current version; the client knowingly overwrites
        return None
    value = header.strip().removeprefix("W/").strip('"')
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else -1


def refuse_stale(ticket: tickets.Ticket, expected: int | None) -> None:
    """Raise 412 with the current ticket when the caller's version is not the current one."""
    if expected is not None and ticket["version"] != expected:
        raise PreconditionFailed(
            f"Ticket #{ticket['id']} was changed by someone else since you loaded it (it is now version "
            f"{ticket['version']}); review the current ticket and apply your change again.",
            current=ticket,
        )


def refuse_closed(ticket: tickets.Ticket, action: str) -> None:
    """Raise 403 for users and 409 for staff when the ticket is closed."""
    forbid_closed_to_users(ticket)
    if ticket["status"] == "closed":
        raise Conflict(f"Ticket #{ticket['id']} is closed; a closed ticket is final and cannot be {action}.")


@api.get("/health")
def health() -> Response:
    """Say whether the database answers."""
    try:
        tickets.ping(store().db)
    except Exception:
        raise ServiceUnavailable("The ticket database does not answer.") from None
    return jsonify({"status": "ok"})


@api.get("/openapi.json")
def openapi() -> Response:
    """Return the OpenAPI document of this API."""
    return jsonify(openapi_document())


@api.post("/tickets")
def create_ticket() -> Response:
    """Create an open ticket and categorize it."""
    fields = parse(TicketCreate, json_body())
    # Without the explanation: a new ticket keeps only category and confidence, and explaining
    # costs about as much CPU as categorizing (measured with python -m bench).
    result = store().categorizer.categorize_many([ticket_text(fields.title, fields.description)])[0]
    ticket = tickets.create_ticket(store().db, fields.model_dump(), result.category, result.confidence,
                                   g.role, store().review_threshold)
    response = ticket_response(ticket, 201)
    response.headers["Location"] = f"/api/v1/tickets/{ticket['id']}"
    return response


@api.get("/tickets")
def list_tickets() -> Response:
    """Return one page of tickets the caller may see."""
    query = parse_ticket_query(request.args.to_dict())
    if not is_staff():
        if query.status and "closed" in query.status:
            raise Forbidden("Campus users cannot list closed tickets; only helpdesk staff can.")
        query.status = query.status or ["open", "active"]
    return jsonify(tickets.list_tickets(store().db, query, store().review_threshold))


@api.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id: int) -> Response:
    """Return one ticket with its version as ETag."""
    return ticket_response(visible_ticket(ticket_id))


@api.patch("/tickets/<int:ticket_id>")
def patch_ticket(ticket_id: int) -> Response:
    """Change a ticket's text fields (and, for staff, its category) under If-Match."""
    before = visible_ticket(ticket_id)
    body = json_body()
    if isinstance(body, dict) and "category" in body and not is_staff():
        raise Forbidden("Only helpdesk staff may change a ticket's category.")
    expected = if_match_version(required=True)
    patch = parse(TicketPatch, body)
    if not patch.model_fields_set:
        raise InvalidInput("The request changes nothing: send at least one of title, description, location, "
                           "reporter or category.")
    changes = patch.model_dump(include=patch.model_fields_set)

    def check(current: tickets.Ticket) -> None:
        refuse_closed(current, "edited")
        refuse_stale(current, expected)

    ticket = tickets.update_ticket(store().db, ticket_id, changes, g.role, store().review_threshold, check)
    if (ticket["category"], ticket["category_source"]) != (before["category"], before["category_source"]):
        store().categorizer.learn([(ticket_text(ticket["title"], ticket["description"]), ticket["category"])])
    return ticket_response(ticket)


@api.post("/tickets/<int:ticket_id>/status")
def change_status(ticket_id: int) -> Response:
    """Move a ticket along open → active → closed (staff only)."""
    visible_ticket(ticket_id)
    if not is_staff():
        raise Forbidden("Only helpdesk staff may change a ticket's status.")
    change = parse(StatusChange, json_body())
    expected = if_match_version(required=False)

    def check(current: tickets.Ticket) -> None:
        allowed = list(tickets.TRANSITIONS[current["status"]])
        if change.status not in allowed:
            can = f"it can only move to {allowed[0]}" if allowed else "a closed ticket is final"
            raise Conflict(f"Ticket #{ticket_id} is {current['status']}; {can}.",
                           [{"field": "status", "message": f"allowed: {', '.join(allowed) or 'none'}"}],
                           allowed=allowed)
        refuse_stale(current, expected)

    return ticket_response(tickets.change_status(store().db, ticket_id, change.status, g.role,
                                                 store().review_threshold, check))


@api.get("/tickets/<int:ticket_id>/messages")
def list_messages(ticket_id: int) -> Response:
    """Return the ticket's thread, oldest first."""
    visible_ticket(ticket_id)
    return jsonify({"items": tickets.list_messages(store().db, ticket_id)})


@api.post("/tickets/<int:ticket_id>/messages")
def post_message(ticket_id: int) -> Response:
    """Add a message under a ticket that is not closed."""
    visible_ticket(ticket_id)
    message = parse(MessageCreate, json_body())
    created = tickets.post_message(store().db, ticket_id, message.body, message.author_name, g.role,
                                   store().review_threshold, lambda current: refuse_closed(current, "answered"))
    response = jsonify(created)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/tickets/{ticket_id}/messages"
    return response


@api.get("/tickets/<int:ticket_id>/events")
def list_events(ticket_id: int) -> Response:
    """Return the ticket's history, oldest first."""
    visible_ticket(ticket_id)
    return jsonify({"items": tickets.list_events(store().db, ticket_id)})


@api.post("/categorize")
def categorize() -> Response:
    """Return the category a text would get; nothing is stored."""
    payload = parse(CategorizeRequest, json_body())
    result = store().categorizer.categorize(payload.text)
    return jsonify({"category": result.category, "confidence": result.confidence, "scores": result.scores,
                    "explanation": result.explanation,
                    "needs_review": result.confidence < store().review_threshold})


@api.post("/import")
def import_tickets() -> Response:
    """Load historical tickets from CSV or NDJSON, all or nothing (staff only)."""
    if not is_staff():
        raise Forbidden("Only helpdesk staff may import tickets.")
    kind = IMPORT_TYPES.get(request.mimetype)
    if kind is None:
        raise UnsupportedMediaType("Send the import as Content-Type text/csv or application/x-ndjson.")
    request.max_content_length = bulk.IMPORT_LIMIT
    handle, path = tempfile.mkstemp(prefix="helpdesk-import-", suffix=f".{kind}")
    os.close(handle)
    try:
        bulk.save_body(request.stream, path)
        imported = bulk.import_tickets(store().db, path, kind, store().categorizer)
    finally:
        bulk.remove_quietly(path)
    return jsonify({"imported": imported})


@api.get("/export")
def export_tickets() -> Response:
    """Return every ticket as CSV in the import's columns (staff only)."""
    if not is_staff():
        raise Forbidden("Only helpdesk staff may export tickets.")
    handle, path = tempfile.mkstemp(prefix="helpdesk-export-", suffix=".csv")
    os.close(handle)
    bulk.export_tickets(store().db, path)
    file = open(path, "rb")
    os.remove(path)  # the open handle keeps the data readable until the response is sent
    return send_file(file, mimetype="text/csv", as_attachment=True, download_name="tickets.csv")
