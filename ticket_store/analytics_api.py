"""The aggregate endpoints the analysis functions call: staff only, answers are figures, never tickets."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, field_validator

from . import analytics
from .access import is_staff
from .api import json_body, store
from .errors import Forbidden, InvalidInput
from .payloads import Payload, parse
from .tickets import iso, utc_now

analytics_api = Blueprint("analytics", __name__, url_prefix="/api/v1/analytics")
MAX_EDGES = 1201  # a hundred years of months


def instant(value: Any) -> datetime:
    """Read an ISO 8601 timestamp as a naive UTC instant (no offset means UTC)."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 timestamp such as 2025-03-31T22:30:00Z")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("must be an ISO 8601 timestamp such as 2025-03-31T22:30:00Z") from None
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


Instant = Annotated[datetime, PlainValidator(instant), WithJsonSchema({"type": "string", "format": "date-time"})]


class NotClosedQuery(BaseModel):
    """Tickets opened from *since* to *until*, both included, that were not closed at *until*."""

    model_config = ConfigDict(extra="forbid")

    since: Instant
    until: Instant | None = None


class ActiveQuery(BaseModel):
    """Active tickets at the instant *at*."""

    model_config = ConfigDict(extra="forbid")

    at: Instant | None = None


class ResolutionQuery(Payload):
    """Buckets of opening time, given by their edges, and the instant the figures are taken at."""

    edges: list[Instant] = Field(min_length=2, max_length=MAX_EDGES,
                                 description="Bucket i holds the tickets opened from edges[i] (included) to "
                                             "edges[i+1] (excluded); strictly increasing UTC instants.")
    at: Instant | None = Field(None, description="Count tickets as closed only if they closed by then; "
                                                 "default: now.")

    @field_validator("edges")
    @classmethod
    def strictly_increasing(cls, edges: list[datetime]) -> list[datetime]:
        if any(later <= earlier for earlier, later in zip(edges, edges[1:])):
            raise ValueError("must be strictly increasing")
        return edges


@analytics_api.before_request
def staff_only() -> None:
    """Refuse campus users: analytics are for helpdesk staff and the analysis functions."""
    if not is_staff():
        raise Forbidden("Only helpdesk staff may read the analytics.")


@analytics_api.get("/not-closed")
def not_closed() -> Response:
    """Count tickets opened in a period that were not closed at its end, by status and category."""
    query = parse(NotClosedQuery, request.args.to_dict())
    until = query.until or utc_now()
    if query.since > until:
        raise InvalidInput("since must not be after until.",
                           [{"field": "since", "message": "since must not be after until."}])
    counts = analytics.not_closed_counts(store().db, query.since, until)
    return jsonify({"since": iso(query.since), "until": iso(until), **counts})


@analytics_api.get("/active")
def active() -> Response:
    """Count the tickets active at an instant, per category (all categories, zeros included)."""
    query = parse(ActiveQuery, request.args.to_dict())
    at = query.at or utc_now()
    by_category = analytics.active_by_category(store().db, at)
    return jsonify({"at": iso(at), "by_category": by_category, "total": sum(by_category.values())})


@analytics_api.post("/resolution")
def resolution() -> Response:
    """Return opened, closed, average and median resolution hours per bucket of opening time.

    A POST because a list of edges (up to a hundred years of months) can outgrow a URL;
    it changes nothing.
    """
    query = parse(ResolutionQuery, json_body())
    at = query.at or utc_now()
    figures = analytics.resolution_by_bucket(store().db, query.edges, at)

    def serialised(figure: analytics.Resolution) -> dict[str, Any]:
        return {**figure, "start": iso(figure["start"]), "end": iso(figure["end"])}

    return jsonify({"at": iso(at), "buckets": [serialised(bucket) for bucket in figures["buckets"]],
                    "overall": serialised(figures["overall"])})

