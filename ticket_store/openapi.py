"""The OpenAPI 3 document of the store, generated from the models that validate requests and type its answers."""
from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter

from . import records
from .access import ROLES
from .analytics_queries import MAX_EDGES, ActiveQuery, NotClosedQuery, ResolutionQuery, ServiceLevelQuery
from .follow_payloads import DeliveryFailure, OutboxLease, RatingCreate
from .payloads import (BulkChange, CategorizeRequest, MessageCreate, StatusChange, TicketCreate, TicketPatch,
                       TicketQuery)
from .report_payloads import MergeRequest, MeTooRequest, NoticeCreate, NoticeQuery, SimilarQuery

REFERENCE = "#/components/schemas/{model}"
REQUESTS = (TicketCreate, TicketPatch, StatusChange, MessageCreate, CategorizeRequest, ResolutionQuery, BulkChange,
            ServiceLevelQuery, RatingCreate, OutboxLease, DeliveryFailure, MeTooRequest, MergeRequest, NoticeCreate)
ANSWERS = (records.Ticket, records.TicketPage, records.MessageList, records.EventList, records.Categorization,
           records.ImportResult, records.Health, records.Error, records.NotClosedCounts, records.ActiveByCategory,
           records.ResolutionBuckets, records.BulkResults, records.ServiceLevelBuckets, records.CreatedTicket,
           records.FollowedTicket, records.Rating, records.FollowToken, records.OutboxLeaseAnswer,
           records.OutboxMailStatus, records.OutboxCounts, records.Attachment, records.AttachmentList,
           records.SimilarTickets, records.NoticeList, records.Notice)


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
    400: "Malformed JSON or a bad X-Helpdesk-Role or X-Helpdesk-Name header.",
    401: "A token is configured and the request has none or a wrong one.",
    403: "The caller's role may not do this.",
    404: "No such ticket (or mail); for a follow link: the link does not lead to a ticket.",
    409: "The workflow does not allow this (closed ticket, transition not allowed; a rating before close or a "
         "second one).",
    412: "If-Match names an older version; the body carries the current ticket.",
    413: "The body is larger than 1 MiB (imports: 512 MiB).",
    415: "The body's content type is not one this endpoint reads (application/json; the import: CSV or NDJSON); "
         "a photo's body is not the image its type says.",
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
    for code in sorted({400, 401, *errors, *((415,) if request else ())}):
        responses[str(code)] = {"description": ERRORS[code], "content": json_content("Error")}
    result: dict[str, Any] = {"summary": summary, "parameters": [{"$ref": "#/components/parameters/Role"},
                                                                 {"$ref": "#/components/parameters/Name"}, *params],
                              "responses": responses}
    if request:
        result["requestBody"] = {"required": True, "content": json_content(request)}
    return result


TICKET_ID = {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
ETAG = {"ETag": {"description": 'The ticket\'s version, quoted: "3".', "schema": {"type": "string"}}}
IF_MATCH = {"name": "If-Match", "in": "header", "schema": {"type": "string", "pattern": r"\S"},
            "description": 'The version you last saw, as the ETag gave it: "3". "*" skips the check.'}


FOLLOW_TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"},
                "description": "The secret of a follow link."}
MAIL_ID = {"name": "mail_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def follow_paths() -> dict[str, Any]:
    """Return the operations of follow links and of the outbox the mail sender works from."""
    return {
        "/api/v1/follow/{token}": {
            "get": operation("The followed ticket in any status, with its public thread and rating (no role needed)",
                             200, "FollowedTicket", (404,), params=(FOLLOW_TOKEN,)),
        },
        "/api/v1/follow/{token}/messages": {
            "post": operation("Post a message as the reporter while the ticket is not closed", 201, "Message",
                              (404, 409, 413, 422), request="MessageCreate", params=(FOLLOW_TOKEN,)),
        },
        "/api/v1/follow/{token}/rating": {
            "post": operation("Rate the closed ticket, once", 201, "Rating", (404, 409, 413, 422),
                              request="RatingCreate", params=(FOLLOW_TOKEN,)),
        },
        "/api/v1/tickets/{ticket_id}/follow-token": {
            "post": operation("Replace the ticket's follow link (staff); the new token is answered once", 200,
                              "FollowToken", (403, 404), params=(TICKET_ID,)),
        },
        "/api/v1/outbox": {
            "get": operation("How many mails are due, waiting, leased, sent, given up, skipped (staff)", 200,
                             "OutboxCounts", (403,)),
        },
        "/api/v1/outbox/lease": {
            "post": operation("Lease due mails for delivery (staff: the mail sender)", 200, "OutboxLeaseAnswer",
                              (403, 413, 422), request="OutboxLease"),
        },
        "/api/v1/outbox/{mail_id}/sent": {
            "post": operation("Record that the SMTP server accepted the mail (staff: the mail sender)", 200, None,
                              (403, 404), params=(MAIL_ID,),
                              content={"application/json": {"schema": {"type": "object"}}}),
        },
        "/api/v1/outbox/{mail_id}/failed": {
            "post": operation("Record a failed delivery: retried after a back-off, or given up (staff)", 200,
                              "OutboxMailStatus", (403, 404, 413, 422), request="DeliveryFailure",
                              params=(MAIL_ID,)),
        },
    }


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
                "post": operation("Report a ticket (it is categorized automatically); the answer carries the "
                                  "follow token, once", 201, "CreatedTicket", (413, 422),
                                  request="TicketCreate", headers={**ETAG, "Location": {"schema": {"type": "string"}}}),
                "get": operation("List tickets: filter, search, sort, page", 200, "TicketPage", (403, 422),
                                 params=query_parameters(TicketQuery)),
            },
            "/api/v1/tickets/bulk": {
                "post": {**operation("Assign, prioritise or move up to 500 tickets (staff)", 200, "BulkResults",
                                     (403, 413, 422), request="BulkChange"),
                         "description": "Each ticket is changed under its own rules, as if asked alone; the answer "
                                        "has one result per id, in order, with the status that change would have "
                                        "had (200, 404, 409 …) and, when refused, the reason."},
            },
            "/api/v1/tickets/{ticket_id}": {
                "get": operation("One ticket", 200, "Ticket", (403, 404), params=(TICKET_ID,), headers=ETAG),
                "patch": operation("Change a ticket (category, priority, assignee: staff only)", 200, "Ticket",
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
            "/api/v1/analytics/service-levels": {
                "post": operation("First-response hours per bucket of opening time, per priority and overall, and "
                                  "the tickets at risk or breached at an instant (staff)", 200, "ServiceLevelBuckets",
                                  (403, 413, 422), request="ServiceLevelQuery"),
            },
            **follow_paths(),
            **report_once_paths(),
        },
        "components": {
            "schemas": component_schemas(),
            "parameters": {"Role": {"name": "X-Helpdesk-Role", "in": "header", "required": False,
                                    "schema": {"type": "string", "enum": list(ROLES)},
                                    "description": "The caller's role; absent means user."},
                           "Name": {"name": "X-Helpdesk-Name", "in": "header", "required": False,
                                    "schema": {"type": "string", "maxLength": 80, "pattern": "^[\\x20-\\x24\\x26-\\x7e]*$"},
                                    "description": "The caller's display name, percent-encoded as UTF-8 (Ana, "
                                                   "Jos%C3%A9); at most 80 plain-text characters once decoded "
                                                   "(the schema shows the plain ASCII form). "
                                                   "The history records it with each change."}},
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
        "/api/v1/follow/{token}/attachments": {
            "post": {**operation("Attach a photo as the reporter while the ticket is not closed (the raw JPEG, PNG "
                                 "or WebP body, at most 10 MiB, 20 per ticket)", 201, "Attachment",
                                 (404, 409, 413, 415), params=(FOLLOW_TOKEN,)),
                     "requestBody": {"required": True, "content": images}},
            "get": operation("The followed ticket's photos in any status, oldest first; their addresses go "
                             "through the link", 200, "AttachmentList", (404,), params=(FOLLOW_TOKEN,)),
        },
        "/api/v1/follow/{token}/attachments/{attachment_id}": {
            "get": operation("A photo of the followed ticket, in any status (another ticket's photo: 404)", 200,
                             None, (404,), params=(FOLLOW_TOKEN, photo_id), content=images, headers=served),
        },
        "/api/v1/follow/{token}/attachments/{attachment_id}/thumbnail": {
            "get": operation("A thumbnail of the followed ticket's photo, at most 320 × 320", 200, None, (404,),
                             params=(FOLLOW_TOKEN, photo_id), content={"image/webp": images["image/webp"]},
                             headers=served),
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
