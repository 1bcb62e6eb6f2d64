"""The ticket list's staff pieces: quick filters (mine, unassigned, service level, priority) and bulk changes.

The staff filters become extra parameters of the store's list query (held in tickets-staff-query);
a change of them empties the grid's cache (assets/staff.js), so the grid asks the store again.
"""

from __future__ import annotations

from typing import Any, Mapping

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html, no_update

from ...present import ticket_number
from ...service_errors import ServiceError
from ...session import SESSION_ID, name_of, role_of
from ...staff_client import PRIORITIES, PRIORITY_LABELS, SLA_LABELS, StaffClient
from .views import ALL

QUEUES = [{"label": "All", "value": ALL}, {"label": "Assigned to me", "value": "mine"},
          {"label": "Unassigned", "value": "unassigned"}]
SLA_FILTERS = [{"label": "Any service level", "value": ALL},
               {"label": "At risk or breached", "value": "at_risk,breached"},
               {"label": "At risk", "value": "at_risk"}, {"label": "Breached", "value": "breached"},
               {"label": "On track", "value": "ok"}]
PRIORITY_FILTERS = [{"label": "Any priority", "value": ALL}] + [
    {"label": PRIORITY_LABELS[key], "value": key} for key in reversed(PRIORITIES)]
BULK_ACTIONS = [
    {"label": "Assign to me", "value": "assignee:me"}, {"label": "Unassign", "value": "assignee:"},
    *({"label": f"Set priority: {PRIORITY_LABELS[key]}", "value": f"priority:{key}"} for key in reversed(PRIORITIES)),
    {"label": "Take up (move to active)", "value": "status:active"}, {"label": "Close", "value": "status:closed"},
]
#: The grid's columns for these fields (added to the list's own).
COLUMNS: list[dict[str, Any]] = [
    {"field": "sla_label", "colId": "response_due_at", "headerName": "Service", "width": 112,
     "headerTooltip": "Service level now; sorts by when the first answer is due",
     "cellClassRules": {f"sla-cell sla-{state}": f"data && data.sla_state == '{state}'" for state in SLA_LABELS}},
    {"field": "priority_label", "colId": "priority", "headerName": "Priority", "width": 100, "sortable": False},
    {"field": "assignee", "headerName": "Owner", "width": 130, "sortable": False, "tooltipField": "assignee"},
]
#: Tickets may be picked for a bulk change with a checkbox on each row.
ROW_SELECTION = {"mode": "multiRow", "checkboxes": True, "headerCheckbox": False, "enableClickSelection": False}


def staff_row(ticket: Mapping[str, Any]) -> dict[str, Any]:
    """Return the grid fields of a ticket's owner, priority and service level."""
    state = ticket.get("sla_state") or ""
    return {"sla_state": state, "sla_label": SLA_LABELS.get(state, ""),
            "priority": ticket.get("priority") or "", "priority_label": PRIORITY_LABELS.get(ticket.get("priority"), ""),
            "assignee": ticket.get("assignee") or ""}


def staff_controls(query: Mapping[str, Any]) -> html.Div:
    """Return the staff filters and the bulk bar; ``?sla=``, ``?assignee=none``, ``?queue=mine`` and ``?priority=`` preset them."""
    sla = query.get("sla") if query.get("sla") in {option["value"] for option in SLA_FILTERS} else ALL
    queue = "unassigned" if query.get("assignee") == "none" else "mine" if query.get("queue") == "mine" else ALL
    priority = query.get("priority") if query.get("priority") in {option["value"] for option in PRIORITY_FILTERS} else ALL
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(dbc.RadioItems(id="tickets-queue", options=QUEUES, value=queue, inline=True,
                                           class_name="small"), xs=12, md=5),
                    dbc.Col([dbc.Label("Service level", html_for="tickets-sla", class_name="visually-hidden"),
                             dbc.Select(id="tickets-sla", options=SLA_FILTERS, value=sla, size="sm")], xs=6, md=4),
                    dbc.Col([dbc.Label("Priority", html_for="tickets-priority", class_name="visually-hidden"),
                             dbc.Select(id="tickets-priority", options=PRIORITY_FILTERS, value=priority, size="sm")],
                            xs=6, md=3),
                ],
                class_name="g-2 mb-2 align-items-center",
            ),
            html.Div(
                [
                    html.Span("Select rows, then", className="small text-secondary", id="tickets-bulk-count"),
                    dbc.Label("Bulk action", html_for="tickets-bulk-action", class_name="visually-hidden"),
                    dbc.Select(id="tickets-bulk-action", options=BULK_ACTIONS, value="assignee:me", size="sm",
                               style={"maxWidth": "16rem"}),
                    dbc.Button("Apply to selected", id="tickets-bulk-apply", color="primary", size="sm", n_clicks=0),
                ],
                className="bulk-bar d-flex flex-wrap gap-2 align-items-center p-2 mb-2",
            ),
            html.Div(id="tickets-bulk-result", role="status"),
            dcc.Store(id="tickets-staff-query", data=staff_query(queue, sla, priority, "")),
            dcc.Store(id="tickets-bulk-done"),
        ],
        id="tickets-staff-controls",
        style={"display": "none"},
    )


def staff_query(queue: str | None, sla: str | None, priority: str | None, me: str) -> dict[str, str]:
    """Return the list query's extra parameters for the staff filters.

    A service-level filter looks at live tickets unless a status is chosen: a closed ticket's
    service level is history, not work to do.
    """
    extra: dict[str, str] = {}
    if queue == "mine":
        extra["assignee"] = me or "\u2014nobody\u2014"  # without a display name nothing is mine
    elif queue == "unassigned":
        extra["assignee"] = "none"
    if sla and sla != ALL:
        extra["sla"] = sla
        extra["status"] = "open,active"
    if priority and priority != ALL:
        extra["priority"] = priority
    return extra


@callback(
    Output("tickets-staff-query", "data"),
    Output("tickets-staff-controls", "style"),
    Input("tickets-queue", "value"),
    Input("tickets-sla", "value"),
    Input("tickets-priority", "value"),
    Input(SESSION_ID, "data"),
)
def staff_query_callback(queue, sla, priority, session):  # type: ignore[no-untyped-def]
    if role_of(session) != "staff":
        return {}, {"display": "none"}
    return staff_query(queue, sla, priority, name_of(session)), {"display": "block"}


def bulk_value(action: str, me: str) -> tuple[str, Any] | None:
    """Return the store's action and value for a bulk choice, or None when it cannot be done."""
    kind, _, value = (action or "").partition(":")
    if kind == "assignee":
        if value == "me":
            return ("assignee", me) if me else None
        return "assignee", None
    return (kind, value) if kind in ("priority", "status") and value else None


def bulk_result(answer: Mapping[str, Any]) -> Any:
    """Return what the bulk change did: how many changed, and each refusal with its reason."""
    results = list(answer.get("results") or [])
    refused = [result for result in results if result.get("status") != 200]
    changed = len(results) - len(refused)
    parts: list[Any] = [html.Strong(f"{changed} ticket{'s' if changed != 1 else ''} changed", id="tickets-bulk-changed")]
    if refused:
        parts.append(html.Span(f"; {len(refused)} refused:", id="tickets-bulk-refused"))
        parts.append(html.Ul([html.Li(f"{ticket_number(result.get('id'))}: {result.get('error', '')}",
                                      className="tickets-bulk-refusal") for result in refused], className="mb-0"))
    return dbc.Alert(parts, color="warning" if refused else "success", id="tickets-bulk-alert", class_name="small")


@callback(
    Output("tickets-bulk-result", "children"),
    Output("tickets-bulk-done", "data"),
    Input("tickets-bulk-apply", "n_clicks"),
    State("tickets-grid", "selectedRows"),
    State("tickets-bulk-action", "value"),
    State(SESSION_ID, "data"),
    running=[(Output("tickets-bulk-apply", "disabled"), True, False)],
    prevent_initial_call=True,
)
def bulk_callback(clicks, selected, action, session):  # type: ignore[no-untyped-def]
    if not clicks or role_of(session) != "staff":
        return no_update, no_update
    ids = [row["id"] for row in (selected or []) if isinstance(row, dict) and isinstance(row.get("id"), int)]
    if not ids:
        return dbc.Alert("Select tickets first: tick the box at the start of each row.", color="light",
                         id="tickets-bulk-alert", class_name="small border"), no_update
    change = bulk_value(action, name_of(session))
    if change is None:
        return dbc.Alert("Choose a display name on the entry page first.", color="warning",
                         id="tickets-bulk-alert"), no_update
    try:
        answer = StaffClient().change_many(ids[:500], *change)
    except ServiceError as error:
        return dbc.Alert(["Nothing was changed. ", error.message], color="danger", id="tickets-bulk-alert"), no_update
    return bulk_result(answer), clicks


clientside_callback(
    ClientsideFunction(namespace="staff", function_name="reloadTickets"),
    Output("tickets-purged", "data", allow_duplicate=True),
    Input("tickets-staff-query", "data"),
    Input("tickets-bulk-done", "data"),
    prevent_initial_call=True,
)
