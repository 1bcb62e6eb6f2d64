"""The HTTP handlers of /api/v1: parse, call one named function, serialise."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, send_file

from . import bulk, rules
from .categorizer import Categorizer, ticket_text
from .db import Database
from .errors import (ApiError, BadRequest, Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed,
                     PreconditionRequired, ServiceUnavailable, UnsupportedMediaType, error_response)
from .openapi import openapi_document
from .payloads import CategorizeRequest, MessageCreate, StatusChange, TicketCreate, TicketPatch, parse, parse_ticket_query
from .records import Ticket
from .tickets import Tickets

api = Blueprint("api", __name__, url_prefix="/api/v1")
IMPORT_TYPES = {"text/csv": "csv", "application/x-ndjson": "ndjson", "application/ndjson": "ndjson",
                "application/jsonl": "ndjson"}


@dataclass
class Store:
    """What the handlers work with: the database, its tickets and the categorizer."""

    db: Database
    tickets: Tickets
    categorizer: Categorizer


def store() -> Store:
    """Return the app's store."""
    return current_app.extensions["ticket_store"]


def refusal_error(refusal: rules.Refusal) -> ApiError:
    """Return the HTTP error that answers a refusal of the rules (SPEC §3)."""
    if isinstance(refusal, rules.NotAllowed):
        allowed = f"allowed: {', '.join(refusal.allowed) or 'none'}"
        return Conflict(str(refusal), [{"field": "status", "message": allowed}], allowed=refusal.allowed)
    if isinstance(refusal, rules.Stale):
        return PreconditionFailed(str(refusal), current=rules.shown_to(refusal.current, g.role))
    return {rules.NotPermitted: Forbidden, rules.Final: Conflict}[type(refusal)](str(refusal))


@api.app_errorhandler(rules.Refusal)
def refused(refusal: rules.Refusal) -> Response:
    """Answer a refusal of the rules with its HTTP error."""
    return error_response(refusal_error(refusal))


def json_body() -> Any:
    """Return the parsed JSON body, or raise 400 when it is not JSON."""
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body is not valid JSON.") from None


def ticket_response(ticket: Ticket, status: int = 200) -> Response:
    """Return the ticket as the caller may see it, with its version as the ETag."""
    response = jsonify(rules.shown_to(ticket, g.role))
    response.status_code = status
    response.headers["ETag"] = f'"{ticket["version"]}"'
    return response


def visible_ticket(ticket_id: int) -> Ticket:
    """Return the ticket if it exists and the caller may see it (closed tickets: staff only)."""
    ticket = store().tickets.get_ticket(ticket_id)
    if ticket is None:
        raise NotFound(f"There is no ticket #{ticket_id}.")
    rules.refuse_unless_visible(ticket, g.role)
    return ticket


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


@api.get("/health")
def health() -> Response:
    """Say whether the database answers."""
    try:
        store().tickets.ping()
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
    ticket = store().tickets.create_ticket(fields.model_dump(), result.category, result.confidence, g.role)
    response = ticket_response(ticket, 201)
    response.headers["Location"] = f"/api/v1/tickets/{ticket['id']}"
    return response


@api.get("/tickets")
def list_tickets() -> Response:
    """Return one page of tickets the caller may see."""
    query = parse_ticket_query(request.args.to_dict())
    query.status = rules.visible_statuses(g.role, query.status)
    page = store().tickets.list_tickets(query)
    page["items"] = [rules.shown_to(ticket, g.role) for ticket in page["items"]]
    return jsonify(page)


@api.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id: int) -> Response:
    """Return one ticket with its version as ETag."""
    return ticket_response(visible_ticket(ticket_id))


@api.patch("/tickets/<int:ticket_id>")
def patch_ticket(ticket_id: int) -> Response:
    """Change a ticket's text fields (and, for staff, its category) under If-Match."""
    before = visible_ticket(ticket_id)
    body = json_body()
    if isinstance(body, dict) and "category" in body:
        rules.permit(g.role, "recategorize")
    expected = if_match_version(required=True)
    patch = parse(TicketPatch, body)
    if not patch.model_fields_set:
        raise InvalidInput("The request changes nothing: send at least one of title, description, location, "
                           "reporter or category.")
    changes = patch.model_dump(include=patch.model_fields_set)
    ticket = store().tickets.update_ticket(ticket_id, changes, g.role, expected)
    if (ticket["category"], ticket["category_source"]) != (before["category"], before["category_source"]):
        store().categorizer.learn([(ticket_text(ticket["title"], ticket["description"]), ticket["category"])])
    return ticket_response(ticket)


@api.post("/tickets/<int:ticket_id>/status")
def change_status(ticket_id: int) -> Response:
    """Move a ticket along open → active → closed (staff only)."""
    visible_ticket(ticket_id)
    rules.permit(g.role, "change_status")
    change = parse(StatusChange, json_body())
    expected = if_match_version(required=False)
    return ticket_response(store().tickets.change_status(ticket_id, change.status, g.role, expected))


@api.get("/tickets/<int:ticket_id>/messages")
def list_messages(ticket_id: int) -> Response:
    """Return the ticket's thread, oldest first."""
    visible_ticket(ticket_id)
    return jsonify({"items": store().tickets.list_messages(ticket_id)})


@api.post("/tickets/<int:ticket_id>/messages")
def post_message(ticket_id: int) -> Response:
    """Add a message under a ticket that is not closed."""
    visible_ticket(ticket_id)
    message = parse(MessageCreate, json_body())
    created = store().tickets.post_message(ticket_id, message.body, message.author_name, g.role)
    response = jsonify(created)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/tickets/{ticket_id}/messages"
    return response


@api.get("/tickets/<int:ticket_id>/events")
def list_events(ticket_id: int) -> Response:
    """Return the ticket's history, oldest first."""
    visible_ticket(ticket_id)
    return jsonify({"items": store().tickets.list_events(ticket_id)})


@api.post("/categorize")
def categorize() -> Response:
    """Return the category a text would get; nothing is stored."""
    payload = parse(CategorizeRequest, json_body())
    result = store().categorizer.categorize(payload.text)
    return jsonify({"category": result.category, "confidence": result.confidence, "scores": result.scores,
                    "explanation": result.explanation,
                    "needs_review": result.confidence < store().tickets.review_threshold})


@api.post("/import")
def import_tickets() -> Response:
    """Load historical tickets from CSV or NDJSON, all or nothing (staff only)."""
    rules.permit(g.role, "import")
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
    rules.permit(g.role, "export")
    handle, path = tempfile.mkstemp(prefix="helpdesk-export-", suffix=".csv")
    os.close(handle)
    bulk.export_tickets(store().db, path)
    file = open(path, "rb")
    os.remove(path)  # the open handle keeps the data readable until the response is sent
    return send_file(file, mimetype="text/csv", as_attachment=True, download_name="tickets.csv")
