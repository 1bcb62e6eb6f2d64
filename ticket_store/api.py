"""The HTTP handlers of /api/v1: parse, call one named function, serialise."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from flask import Blueprint, Response, current_app, g, jsonify, request, send_file

from . import bulk, rules
from .categorizer import Categorizer, ticket_text
from .db import Database, DatabaseFailed, free_bytes
from .errors import (HTTP_SENTENCES, ApiError, BadRequest, Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge,
                     PreconditionFailed, PreconditionRequired, ServiceUnavailable, UnsupportedMediaType, error_response)
from .index_sorting import IndexSorting
from .openapi import openapi_document
from .payloads import (CategorizeRequest, JsonRefused, MessageCreate, StatusChange, TicketCreate, TicketPatch, parse,
                       parse_ticket_query, read_json)
from .records import Ticket
from .tickets import Tickets

api = Blueprint("api", __name__, url_prefix="/api/v1")
IMPORT_TYPES = {"text/csv": "csv", "application/x-ndjson": "ndjson", "application/ndjson": "ndjson",
                "application/jsonl": "ndjson"}


@dataclass
class Store:
    """What the handlers work with: the database, its tickets, the categorizer and the index's sorting."""

    db: Database
    tickets: Tickets
    categorizer: Categorizer
    sorting: IndexSorting


def store() -> Store:
    """Return the app's store."""
    return current_app.extensions["ticket_store"]


def refusal_error(refusal: rules.Refusal) -> ApiError:
    """Return the HTTP error that answers a refusal of the rules (SPEC §3)."""
    if isinstance(refusal, rules.NotAllowed):
        allowed = f"allowed: {', '.join(refusal.allowed) or 'none'}"
        return Conflict(str(refusal), [{"field": "status", "message": allowed}], allowed=refusal.allowed)
    if isinstance(refusal, rules.Stale):
        return PreconditionFailed(str(refusal), current=shown(refusal.current))
    return {rules.NotPermitted: Forbidden, rules.Final: Conflict}[type(refusal)](str(refusal))


@api.app_errorhandler(rules.Refusal)
def refused(refusal: rules.Refusal) -> Response:
    """Answer a refusal of the rules with its HTTP error."""
    return error_response(refusal_error(refusal))


def json_body() -> Any:
    """Return the parsed JSON body: 415 unless it is sent as application/json, 400 when it is not JSON we read."""
    if request.mimetype != "application/json":
        sent = f"Content-Type {request.mimetype}" if request.mimetype else "no Content-Type"
        raise UnsupportedMediaType(f"Send the request body as JSON with Content-Type: application/json ({sent} "
                                   "was sent).")
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A chunked body is cut at the limit without a word (werkzeug); more bytes waiting means too large.
        if request.environ["wsgi.input"].read(1):
            raise PayloadTooLarge(HTTP_SENTENCES[413])
    try:
        return read_json(raw)
    except JsonRefused as refused:
        raise BadRequest(f"The request body is not valid JSON: {refused}.") from None


def shown(ticket: Ticket) -> Ticket:
    """Return the ticket as the caller's role may see it (see rules.shown_to)."""
    return rules.shown_to(ticket, g.role)


def ticket_response(ticket: Ticket, status: int = 200) -> Response:
    """Return the ticket, as the caller may see it, with its version as the ETag."""
    response = jsonify(shown(ticket))
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
    """Say whether the database answers, and whether writes are refused for a full disk."""
    db = store().db
    try:
        db.recover()
        store().tickets.ping()
    except DatabaseFailed as error:
        raise ServiceUnavailable(str(error)) from None
    except Exception:
        raise ServiceUnavailable("The ticket database does not answer.") from None
    if db.storage_full_since is not None:
        since = datetime.fromtimestamp(db.storage_full_since, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return jsonify({"status": "degraded", "problem": (
            f"Since {since} the disk holding the ticket database is full ({free_bytes(db.path) / 2**20:.1f} MiB "
            "free now): writes may be refused (507) until there is space; reads work.")})
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
    ticket = store().tickets.create_ticket(fields.model_dump(), result.category, result.confidence, g.role,
                                           result.language, g.name)
    response = ticket_response(ticket, 201)
    response.headers["Location"] = f"/api/v1/tickets/{ticket['id']}"
    return response


@api.get("/tickets")
def list_tickets() -> Response:
    """Return one page of tickets the caller may see."""
    query = parse_ticket_query(request.args.to_dict())
    query.status = rules.visible_statuses(g.role, query.status)
    page = store().tickets.list_tickets(query)
    page["items"] = [shown(ticket) for ticket in page["items"]]
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
    for field, action in rules.STAFF_ONLY_FIELDS.items():
        if isinstance(body, dict) and field in body:
            rules.permit(g.role, action)
    expected = if_match_version(required=True)
    patch = parse(TicketPatch, body)
    if not patch.model_fields_set:
        raise InvalidInput("The request changes nothing: send at least one of title, description, location, "
                           "reporter, category, priority or assignee.")
    changes = patch.model_dump(include=patch.model_fields_set)
    ticket = store().tickets.update_ticket(ticket_id, changes, g.role, expected, g.name,
                                           automatic=edited_text_categorizer(before, changes))
    corrected = ticket["category_source"] == "staff" and (
        (ticket["category"], ticket["category_source"]) != (before["category"], before["category_source"]))
    if corrected:
        store().categorizer.learn([(ticket_text(ticket["title"], ticket["description"]), ticket["category"])])
    return ticket_response(ticket)


def edited_text_categorizer(before: Ticket, changes: dict[str, Any]) -> Callable[[str | None, str], tuple[str, float]] | None:
    """Return how the write categorizes the edited text, when the edit should re-check an automatic category.

    The text the edit makes of the ticket as read is categorized here, outside the write, as a
    create does; only when another edit changed the other field meanwhile does the write
    categorize again (inside it: the group-commit thread has no app, so the categorizer is bound here).
    """
    text_changed = any(key in changes and changes[key] != before[key] for key in ("title", "description"))
    if before["category_source"] != "auto" or "category" in changes or not text_changed:
        return None
    categorizer, judged = store().categorizer, {}

    def categorize(title: str | None, description: str) -> tuple[str, float]:
        text = ticket_text(title, description)
        if text not in judged:
            result = categorizer.categorize_many([text])[0]
            judged[text] = (result.category, result.confidence)
        return judged[text]

    edited = {**before, **changes}
    categorize(edited["title"], edited["description"])
    return categorize


@api.post("/tickets/<int:ticket_id>/status")
def change_status(ticket_id: int) -> Response:
    """Move a ticket along open → active → closed (staff only)."""
    visible_ticket(ticket_id)
    rules.permit(g.role, "change_status")
    change = parse(StatusChange, json_body())
    expected = if_match_version(required=False)
    return ticket_response(store().tickets.change_status(ticket_id, change.status, g.role, expected, g.name))


@api.get("/tickets/<int:ticket_id>/messages")
def list_messages(ticket_id: int) -> Response:
    """Return the ticket's thread, oldest first."""
    visible_ticket(ticket_id)
    return jsonify({"items": store().tickets.list_messages(ticket_id, with_internal=g.role == "staff")})


@api.post("/tickets/<int:ticket_id>/messages")
def post_message(ticket_id: int) -> Response:
    """Add a message under a ticket that is not closed."""
    visible_ticket(ticket_id)
    body = json_body()
    if isinstance(body, dict) and body.get("internal", False) is not False:
        rules.permit(g.role, "write_internal_note")
    message = parse(MessageCreate, body)
    created = store().tickets.post_message(ticket_id, message.body, message.author_name, g.role, message.internal,
                                           g.name)
    response = jsonify(created)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/tickets/{ticket_id}/messages"
    return response


@api.get("/tickets/<int:ticket_id>/events")
def list_events(ticket_id: int) -> Response:
    """Return the ticket's history, oldest first."""
    visible_ticket(ticket_id)
    return jsonify({"items": store().tickets.list_events(ticket_id, with_internal=g.role == "staff")})


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
    path = bulk.spool_file(store().db.path, kind)
    try:
        bulk.save_body(request.stream, path)
        imported = bulk.import_tickets(store().db, path, kind, store().categorizer, store().tickets.targets)
    finally:
        bulk.remove_quietly(path)
    store().sorting.soon()  # each import left a run of its own in the index (index_sorting)
    return jsonify({"imported": imported})


@api.get("/export")
def export_tickets() -> Response:
    """Return every ticket as CSV in the import's columns (staff only)."""
    rules.permit(g.role, "export")
    path = bulk.spool_file(store().db.path, "csv")
    try:
        bulk.export_tickets(store().db, path)
    except BaseException:
        bulk.remove_quietly(path)
        raise
    file = open(path, "rb")
    os.remove(path)  # the open handle keeps the data readable until the response is sent
    return send_file(file, mimetype="text/csv", as_attachment=True, download_name="tickets.csv")
