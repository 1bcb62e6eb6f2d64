"""The OpenAPI 3 document of the store, generated from the models that validate requests and type its answers."""
from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter

from . import records
from .access import ROLES
from .analytics_queries import MAX_EDGES, ActiveQuery, NotClosedQuery, ResolutionQuery
from .report_payloads import MergeRequest, MeTooRequest, NoticeCreate, NoticeQuery, SimilarQuery
from .payloads import CategorizeRequest, MessageCreate, StatusChange, TicketCreate, TicketPatch, TicketQuery

REFERENCE = "#/components/schemas/{model}"
REQUESTS = (TicketCreate, TicketPatch, StatusChange, MessageCreate, CategorizeRequest, ResolutionQuery,
            MeTooRequest, MergeRequest, NoticeCreate)
ANSWERS = (records.Ticket, records.TicketPage, records.MessageList, records.EventList, records.Categorization,
           records.ImportResult, records.Health, records.Error, records.NotClosedCounts, records.ActiveByCategory,
           records.ResolutionBuckets, records.Attachment, records.AttachmentList, records.SimilarTickets,
           records.NoticeList, records.Notice)


def component_schemas() -> dict[str, Any]:
    """Return the JSON schemas of the request models and the answer records, and of everything they reference."""
    _, schemas = TypeAdapter.json_schemas(
        [(model, "validation", TypeAdapter(model)) for model in REQUESTS]
        + [(record, "serialization", TypeAdapter(record)) for record in ANSWERS], ref_template=REFERENCE)
    for schema in schemas["$defs"].values():
        for field in schema.get("properties", {}).values():
            if "default" in field and field["default"] is None and "type" in field:
                del field["default"]  # optional in a PATCH, but never null
    return schemas["$defs"]


def comma_list(*names: str) -> str:
    """Return the pattern of a comma list of *names*, as the list endpoint reads it (blanks ignored)."""
    entry = rf"\s*({'|'.join(names)})?\s*"
    return f"^{entry}(,{entry})*$"


def parameter_schema(field: dict[str, Any]) -> dict[str, Any]:
    """Return a query parameter's schema from its model field's: left out means not given, so never null."""
    schema = {key: value for key, value in field.items() if key not in ("title", "description", "anyOf", "default")}
    if field.get("default") is not None:
        schema["default"] = field["default"]
    options = [option for option in field.get("anyOf", ()) if option.get("type") != "null"]
    schema.update(options[0] if len(options) == 1 else {"anyOf": options} if options else {})
    if schema.get("type") == "array":  # sent as a comma list
        schema = {"type": "string", "pattern": comma_list(*schema["items"]["enum"])}
    return schema


def query_parameters(model: type[BaseModel]) -> tuple[dict[str, Any], ...]:
    """Return the fields of the query model *model* as the operation's query parameters."""
    schema = model.model_json_schema(ref_template=REFERENCE)
    return tuple({"name": name, "in": "query", "required": name in schema.get("required", ()),
                  "schema": parameter_schema(field), "description": field["description"]}
                 for name, field in schema["properties"].items())


ERRORS = {
    400: "Malformed JSON or a bad X-Helpdesk-Role header.",
    401: "A token is configured and the request has none or a wrong one.",
    403: "The caller's role may not do this.",
    404: "No such ticket.",
    409: "The workflow does not allow this (closed ticket, transition not allowed).",
    412: "If-Match names an older version; the body carries the current ticket.",
    413: "The body is larger than 1 MiB (imports: 512 MiB).",
    415: "The import's content type is neither CSV nor NDJSON; a photo's body is not the image its type says.",
    422: "A field is invalid; details name each one.",
    428: "If-Match is missing.",
    503: "The database does not answer.",
}


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
                                 params=query_parameters(TicketQuery)),
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
                                 "(staff)", 200, "NotClosedCounts", (403, 422), params=query_parameters(NotClosedQuery)),
            },
            "/api/v1/analytics/active": {
                "get": operation("Tickets active at an instant, per category (staff)", 200, "ActiveByCategory",
                                 (403, 422), params=query_parameters(ActiveQuery)),
            },
            "/api/v1/analytics/resolution": {
                "post": {**operation("Opened, closed, average and median resolution hours per bucket of opening "
                                     "time, and overall (staff)", 200, "ResolutionBuckets", (403, 413, 422),
                                     request="ResolutionQuery"),
                         "description": f"Buckets are given by up to {MAX_EDGES} strictly increasing UTC edges. "
                                        "A POST because such a list can outgrow a URL; it changes nothing."},
            },
            **report_once_paths(),
        },
        "components": {
            "schemas": component_schemas(),
            "parameters": {"Role": {"name": "X-Helpdesk-Role", "in": "header", "required": False,
                                    "schema": {"type": "string", "enum": list(ROLES)},
                                    "description": "The caller's role; absent means user."}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def report_once_paths() -> dict[str, Any]:
    """Return the paths of photos, similar tickets, "me too", merges and notices (SPEC 7.3)."""
    images = {kind: {"schema": {"type": "string", "format": "binary"}} for kind in ("image/jpeg", "image/png",
                                                                                   "image/webp")}
    photo_id = {"name": "attachment_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    notice_id = {"name": "notice_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    served = {"ETag": {"schema": {"type": "string"}}, "X-Content-Type-Options": {"schema": {"const": "nosniff"}}}
    return {
        "/api/v1/tickets/{ticket_id}/attachments": {
            "post": {**operation("Attach a photo (the raw JPEG, PNG or WebP body, at most 10 MiB, 20 per ticket); "
                                 "it is re-encoded without metadata", 201, "Attachment", (403, 404, 409, 413, 415),
                                 params=(TICKET_ID,)),
                     "requestBody": {"required": True, "content": images}},
            "get": operation("The ticket's photos, oldest first", 200, "AttachmentList", (403, 404),
                             params=(TICKET_ID,)),
        },
        "/api/v1/attachments/{attachment_id}": {
            "get": operation("A photo's bytes (closed tickets: staff)", 200, None, (403, 404), params=(photo_id,),
                             content=images, headers=served),
        },
        "/api/v1/attachments/{attachment_id}/thumbnail": {
            "get": operation("A photo's thumbnail, at most 320 × 320 (closed tickets: staff)", 200, None, (403, 404),
                             params=(photo_id,), content={"image/webp": images["image/webp"]}, headers=served),
        },
        "/api/v1/tickets/similar": {
            "get": operation("Open and active tickets most likely about the same problem, best first", 200,
                             "SimilarTickets", (422,), params=query_parameters(SimilarQuery)),
        },
        "/api/v1/tickets/{ticket_id}/me-too": {
            "post": operation("Someone else has this problem too (not closed)", 200, "Ticket",
                              (403, 404, 409, 413, 422), request="MeTooRequest", params=(TICKET_ID,), headers=ETAG),
        },
        "/api/v1/tickets/{ticket_id}/merge": {
            "post": operation("Close a duplicate into the main ticket; its people move there (staff)", 200,
                              "Ticket", (403, 404, 409, 413, 422), request="MergeRequest", params=(TICKET_ID,),
                              headers=ETAG),
        },
        "/api/v1/notices": {
            "post": operation("Publish a known-issue notice (staff)", 201, "Notice", (403, 413, 422),
                              request="NoticeCreate"),
            "get": operation("The active notices; with text, location or category only those that match", 200,
                             "NoticeList", (422,), params=query_parameters(NoticeQuery)),
        },
        "/api/v1/notices/{notice_id}": {
            "delete": operation("Withdraw a notice (staff)", 204, None, (403, 404), params=(notice_id,)),
        },
    }
