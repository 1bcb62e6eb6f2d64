"""The aggregate endpoints the analysis functions call: staff only, answers are figures, never tickets."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from . import analytics, rules
from .analytics_queries import ActiveQuery, NotClosedQuery, ResolutionQuery
from .api import json_body, store
from .errors import InvalidInput
from .payloads import parse
from .tickets import iso, utc_now

analytics_api = Blueprint("analytics", __name__, url_prefix="/api/v1/analytics")


@analytics_api.before_request
def staff_only() -> None:
    """Refuse campus users: analytics are for helpdesk staff and the analysis functions."""
    rules.permit(g.role, "read_analytics")


def parse_query(model: type[NotClosedQuery] | type[ActiveQuery]) -> Any:
    """Validate the query string into *model*, naming the parameters it takes when one is unknown."""
    known = list(model.model_fields)
    for name in request.args:
        if name not in known:
            message = f"{name} is not a parameter of this endpoint; it takes {' and '.join(known)}."
            raise InvalidInput(message, [{"field": name, "message": message}])
    return parse(model, request.args.to_dict())


@analytics_api.get("/not-closed")
def not_closed() -> Response:
    """Count tickets opened in a period that were not closed at its end, by status and category."""
    query = parse_query(NotClosedQuery)
    until = query.until or utc_now()
    if query.since > until:
        raise InvalidInput("since must not be after until.",
                           [{"field": "since", "message": "since must not be after until."}])
    counts = analytics.not_closed_counts(store().db, query.since, until)
    return jsonify({"since": iso(query.since), "until": iso(until), **counts})


@analytics_api.get("/active")
def active() -> Response:
    """Count the tickets active at an instant, per category (all categories, zeros included)."""
    query = parse_query(ActiveQuery)
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

