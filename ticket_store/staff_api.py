"""Staff's routes for many tickets at once: one action, each ticket under its own rules."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify

from . import rules
from .api import json_body, refusal_error, store
from .payloads import BulkAssignee, BulkChange, BulkPriority, BulkStatus, parse

staff_api = Blueprint("staff", __name__, url_prefix="/api/v1")
VALUES = {"status": BulkStatus, "priority": BulkPriority, "assignee": BulkAssignee}


@staff_api.post("/tickets/bulk")
def change_many() -> Response:
    """Assign, prioritise or move many tickets (staff); answer one result per id, in order.

    A bad request (not staff, malformed, a value the action cannot take) changes nothing; otherwise
    each ticket changes or is refused on its own, as if it had been asked alone.
    """
    body = json_body()
    rules.permit(g.role, "change_many")
    change = parse(BulkChange, body)
    value = parse(VALUES[change.action], {"value": change.value}).value
    outcomes = store().tickets.change_many(change.ids, change.action, value, g.role)
    results: list[dict[str, Any]] = []
    for ticket_id, outcome in zip(change.ids, outcomes):
        if outcome is None:
            results.append({"id": ticket_id, "status": 404, "error": f"There is no ticket #{ticket_id}."})
        elif isinstance(outcome, rules.Refusal):
            error = refusal_error(outcome)
            results.append({"id": ticket_id, "status": error.status, "error": error.error})
        else:
            results.append({"id": ticket_id, "status": 200, "version": outcome["version"]})
    changed = sum(result["status"] == 200 for result in results)
    return jsonify({"results": results, "changed": changed, "refused": len(results) - changed})
