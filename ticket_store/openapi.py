"""The OpenAPI 3 document of the store, built from the same models that validate requests."""
from __future__ import annotations

from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .analytics_queries import MAX_EDGES, ResolutionQuery
from .payloads import (CONTROL_CHARACTERS, FIELD_LIMITS, WHITE_SPACE, CategorizeRequest, MessageCreate, StatusChange,
                       TicketCreate, TicketPatch)

CONTROL = CONTROL_CHARACTERS.pattern.removeprefix("[").removesuffix("]")
WHITE = "".join(f"\\u{ord(character):04x}" for character in WHITE_SPACE)  # what the store trims
PLAIN_TEXT = f"^[^{CONTROL}]*$"
NON_BLANK_TEXT = f"^[^{CONTROL}]*[^{WHITE}{CONTROL}][^{CONTROL}]*$"
REQUIRED_TEXT = {"description", "body", "text"}


class Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Ticket(Response):
    id: int
    title: str | None
    description: str
    location: str | None
    reporter: str | None
    category: Literal["facility", "it", "services"]
    category_source: Literal["auto", "staff"]
    category_confidence: float = Field(ge=0, le=1)
    needs_review: bool = Field(description="True when the category was assigned automatically with low confidence.")
    status: Literal["open", "active", "closed"]
    opened_at: str = Field(json_schema_extra={"format": "date-time"})
    updated_at: str = Field(json_schema_extra={"format": "date-time"})
    closed_at: str | None = Field(json_schema_extra={"format": "date-time"})
    version: int = Field(ge=1)
    message_count: int = Field(ge=0)


class StatusCounts(Response):
    open: int | None = None
    active: int | None = None
    closed: int | None = None


class TicketPage(Response):
    items: list[Ticket]
    total: int
    limit: int
    offset: int
    counts: StatusCounts | None = Field(None, description="Tickets per status for the same filters (with_counts=true).")


class Message(Response):
    id: int
    ticket_id: int
    author_role: Literal["user", "staff"]
    author_name: str | None
    body: str
    created_at: str = Field(json_schema_extra={"format": "date-time"})


class MessageList(Response):
    items: list[Message]


class Event(Response):
    id: int
    ticket_id: int
    at: str = Field(json_schema_extra={"format": "date-time"})
    role: Literal["user", "staff"]
    kind: Literal["created", "edited", "status_changed", "category_changed", "message_posted", "imported"]
    old: dict[str, Any] | None
    new: dict[str, Any] | None


class EventList(Response):
    items: list[Event]


class Categorization(Response):
    category: Literal["facility", "it", "services"]
    confidence: float = Field(ge=0, le=1)
    scores: dict[str, float]
    explanation: list[str]
    needs_review: bool


class ImportResult(Response):
    imported: int


class Health(Response):
    status: Literal["ok"]


class CategoryCounts(Response):
    facility: int = Field(ge=0)
    it: int = Field(ge=0)
    services: int = Field(ge=0)


class NotClosedStatusCounts(Response):
    open: int = Field(ge=0)
    active: int = Field(ge=0)


class NotClosedCounts(Response):
    since: str = Field(json_schema_extra={"format": "date-time"})
    until: str = Field(json_schema_extra={"format": "date-time"})
    count: int = Field(ge=0, description="Tickets opened from since to until (both included) not closed at until.")
    by_status: NotClosedStatusCounts = Field(description="The status each of them had at until.")
    by_category: CategoryCounts


class ActiveByCategory(Response):
    at: str = Field(json_schema_extra={"format": "date-time"})
    by_category: CategoryCounts = Field(description="Tickets active at the instant, every category listed.")
    total: int = Field(ge=0)


class ResolutionFigures(Response):
    start: str = Field(json_schema_extra={"format": "date-time"})
    end: str = Field(json_schema_extra={"format": "date-time"})
    opened: int = Field(ge=0, description="Tickets opened from start (included) to end (excluded), by at.")
    closed: int = Field(ge=0, description="How many of them were closed at at.")
    avg_resolution_hours: float | None = Field(description="Mean of closed_at − opened_at; null when none closed.")
    median_resolution_hours: float | None = Field(description="Median (interpolated); null when none closed.")


class ResolutionBuckets(Response):
    at: str = Field(json_schema_extra={"format": "date-time"})
    buckets: list[ResolutionFigures]
    overall: ResolutionFigures = Field(description="The same figures over all buckets together.")


class ErrorDetail(BaseModel):
    field: str | None = None
    message: str
    row: int | None = None


class Error(BaseModel):
    status: int
    error: str
    details: list[ErrorDetail]
    current: Ticket | None = Field(None, description="On 412: the ticket as it is now.")
    allowed: list[str] | None = Field(None, description="On 409 for a transition: the statuses allowed next.")


ERRORS = {
    400: "Malformed JSON or a bad X-Helpdesk-Role header.",
    401: "A token is configured and the request has none or a wrong one.",
    403: "The caller's role may not do this.",
    404: "No such ticket.",
    409: "The workflow does not allow this (closed ticket, transition not allowed).",
    412: "If-Match names an older version; the body carries the current ticket.",
    413: "The body is larger than 1 MiB (imports: 512 MiB).",
    415: "The import's content type is neither CSV nor NDJSON.",
    422: "A field is invalid; details name each one.",
    428: "If-Match is missing.",
    503: "The database does not answer.",
}


def model_schemas(*models: type[BaseModel]) -> dict[str, Any]:
    """Return the JSON schemas of *models* and everything they reference, for components."""
    schemas: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    for schema in schemas.values():
        for name, prop in schema.get("properties", {}).items():
            if "default" in prop and prop["default"] is None and prop.get("type") == "string":
                del prop["default"]  # optional in a PATCH, but never null
            if name in FIELD_LIMITS:
                add_text_pattern(prop, NON_BLANK_TEXT if name in REQUIRED_TEXT else PLAIN_TEXT)
                prop.setdefault("description", f"At most {FIELD_LIMITS[name]:,} characters after trimming white space "
                                               "at both ends (a limit JSON Schema cannot state).")
    return schemas


def add_text_pattern(schema: dict[str, Any], pattern: str) -> None:
    """Add the plain-text pattern to every string in *schema*."""
    if schema.get("type") == "string":
        schema["pattern"] = pattern
    for option in schema.get("anyOf", []):
        add_text_pattern(option, pattern)


def json_content(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def operation(summary: str, ok: int, body: str | None, errors: tuple[int, ...], *, params: tuple = (),
              request: str | None = None, headers: dict | None = None, content: dict | None = None) -> dict[str, Any]:
    """Return one OpenAPI operation with its success and error responses."""
    responses: dict[str, Any] = {str(ok): {"description": "Success", **({"content": content or json_content(body)}
                                                                          if body or content else {})}}
    if headers:
        responses[str(ok)]["headers"] = headers
    for code in sorted({400, 401, *errors}):
        responses[str(code)] = {"description": ERRORS[code], "content": json_content("Error")}
    result: dict[str, Any] = {"summary": summary, "parameters": [{"$ref": "#/components/parameters/Role"}, *params],
                              "responses": responses}
    if request:
        result["requestBody"] = {"required": True, "content": json_content(request)}
    return result


TICKET_ID = {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
ETAG = {"ETag": {"description": 'The ticket\'s version, quoted: "3".', "schema": {"type": "string"}}}


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


TIMESTAMP_OR_DATE = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]}


def comma_list(*names: str) -> str:
    """Return the pattern of a comma list of *names*, as the list endpoint reads it (blanks ignored)."""
    entry = rf"\s*({'|'.join(names)})?\s*"
    return f"^{entry}(,{entry})*$"


LIST_PARAMS = (
    query("status", {"type": "string", "pattern": comma_list("open", "active", "closed")},
          "Comma list of statuses (empty entries are ignored). Users: open and active by default, closed is "
          "refused; staff: all by default."),
    query("category", {"type": "string", "pattern": comma_list("facility", "it", "services")},
          "Comma list of categories (empty entries are ignored)."),
    query("q", {"type": "string", "pattern": PLAIN_TEXT},
          "Words that must all appear, in any case, in title, description, location or reporter; #123 matches a "
          "ticket id. At most 200 characters after trimming."),
    query("opened_after", TIMESTAMP_OR_DATE, "Opened at or after this instant (a date means its midnight, UTC)."),
    query("opened_before", TIMESTAMP_OR_DATE, "Opened at or before this instant (a date means its midnight, UTC)."),
    query("needs_review", {"type": "boolean"}, "Only tickets whose automatic category has low confidence (or not)."),
    query("with_counts", {"type": "boolean"}, "Add tickets per status for the same filters."),
    query("sort", {"type": "string", "enum": [f"{sign}{field}" for field in
                                              ("id", "opened_at", "updated_at", "closed_at", "status", "category", "title")
                                              for sign in ("", "-")]}, "Sort field, '-' for descending; default -opened_at."),
    query("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "Page size."),
    query("offset", {"type": "integer", "minimum": 0, "maximum": 10_000_000, "default": 0}, "Rows to skip."),
)
AT = query("at", {"type": "string", "format": "date-time"},
           "The instant to take the figures at (default: now); no offset means UTC.")
NOT_CLOSED_PARAMS = (
    {**query("since", {"type": "string", "format": "date-time"}, "Opened at or after this instant."),
     "required": True},
    query("until", {"type": "string", "format": "date-time"},
          "Opened at or before this instant, and not closed at it (default: now)."),
)
IF_MATCH = {"name": "If-Match", "in": "header", "schema": {"type": "string", "pattern": r"\S"},
            "description": 'The version you last saw, as the ETag gave it: "3". "*" skips the check.'}


@cache
def openapi_document() -> dict[str, Any]:
    """Return the whole OpenAPI 3 document."""
    csv_body = {"text/csv": {"schema": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Campus Helpdesk ticket store", "version": "1",
                 "description": "Tickets, threads and history of the campus helpdesk. Send the caller's role as "
                                "X-Helpdesk-Role (user or staff) and, when the store has a token, "
                                "Authorization: Bearer <token>."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {}],
        "paths": {
            "/api/v1/health": {"get": {**operation("Whether the database answers", 200, "Health", (503,)),
                                       "security": [{}]}},
            "/api/v1/openapi.json": {"get": operation("This document", 200, None, (),
                                                      content={"application/json": {"schema": {"type": "object"}}})},
            "/api/v1/tickets": {
                "post": operation("Report a ticket (it is categorized automatically)", 201, "Ticket", (413, 422),
                                  request="TicketCreate", headers={**ETAG, "Location": {"schema": {"type": "string"}}}),
                "get": operation("List tickets: filter, search, sort, page", 200, "TicketPage", (403, 422),
                                 params=LIST_PARAMS),
            },
            "/api/v1/tickets/{ticket_id}": {
                "get": operation("One ticket", 200, "Ticket", (403, 404), params=(TICKET_ID,), headers=ETAG),
                "patch": operation("Change a ticket (category: staff only)", 200, "Ticket",
                                   (403, 404, 409, 412, 413, 422, 428), request="TicketPatch",
                                   params=(TICKET_ID, {**IF_MATCH, "required": True}), headers=ETAG),
            },
            "/api/v1/tickets/{ticket_id}/status": {
                "post": operation("Move a ticket open → active → closed (staff)", 200, "Ticket",
                                  (403, 404, 409, 412, 413, 422), request="StatusChange",
                                  params=(TICKET_ID, IF_MATCH), headers=ETAG),
            },
            "/api/v1/tickets/{ticket_id}/messages": {
                "get": operation("The ticket's thread, oldest first", 200, "MessageList", (403, 404),
                                 params=(TICKET_ID,)),
                "post": operation("Post a message under the ticket", 201, "Message", (403, 404, 409, 413, 422),
                                  request="MessageCreate", params=(TICKET_ID,)),
            },
            "/api/v1/tickets/{ticket_id}/events": {
                "get": operation("The ticket's history, oldest first", 200, "EventList", (403, 404),
                                 params=(TICKET_ID,)),
            },
            "/api/v1/categorize": {
                "post": operation("The category a text would get; nothing is stored", 200, "Categorization",
                                  (413, 422), request="CategorizeRequest"),
            },
            "/api/v1/import": {
                "post": {**operation("Bulk-load historical tickets, all or nothing (staff)", 200, "ImportResult",
                                     (403, 413, 415, 422)),
                         "requestBody": {"required": True, "content": {
                             **csv_body, "application/x-ndjson": {"schema": {"type": "string"}}}}},
            },
            "/api/v1/export": {
                "get": operation("Every ticket as CSV, in the import's columns (staff)", 200, None, (403,),
                                 content=csv_body),
            },
            "/api/v1/backup": {
                "post": operation("A consistent copy of the database file, taken while the store runs (staff)", 200,
                                  None, (403,), content={"application/vnd.duckdb": {"schema": {"type": "string"}}}),
            },
            "/api/v1/analytics/not-closed": {
                "get": operation("Tickets opened in a period and not closed at its end, by status and category "
                                 "(staff)", 200, "NotClosedCounts", (403, 422), params=NOT_CLOSED_PARAMS),
            },
            "/api/v1/analytics/active": {
                "get": operation("Tickets active at an instant, per category (staff)", 200, "ActiveByCategory",
                                 (403, 422), params=(AT,)),
            },
            "/api/v1/analytics/resolution": {
                "post": {**operation("Opened, closed, average and median resolution hours per bucket of opening "
                                     "time, and overall (staff)", 200, "ResolutionBuckets", (403, 413, 422),
                                     request="ResolutionQuery"),
                         "description": f"Buckets are given by up to {MAX_EDGES} strictly increasing UTC edges. "
                                        "A POST because such a list can outgrow a URL; it changes nothing."},
            },
        },
        "components": {
            "schemas": model_schemas(TicketCreate, TicketPatch, StatusChange, MessageCreate, CategorizeRequest,
                                     Ticket, TicketPage, MessageList, EventList, Categorization, ImportResult,
                                     Health, Error, ResolutionQuery, NotClosedCounts, ActiveByCategory,
                                     ResolutionBuckets),
            "parameters": {"Role": {"name": "X-Helpdesk-Role", "in": "header", "required": False,
                                    "schema": {"type": "string", "enum": ["user", "staff"]},
                                    "description": "The caller's role; absent means user."}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
