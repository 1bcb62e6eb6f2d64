"""The ticket page's staff pieces: owner, priority and service level, "Take it", and internal notes.

A reply reaches the reporter; an internal note never does. The two are different buttons with
different colours and words, and notes sit in the thread on a yellow background with a label.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, html, no_update

from ...present import format_time
from ...service_errors import InvalidInput, ServiceError, StaleVersion
from ...session import SESSION_ID, name_of, role_of
from ...settings import load_settings
from ...staff_client import PRIORITIES, PRIORITY_LABELS, SLA_COLORS, SLA_LABELS, StaffClient
from .views import HIDDEN, SHOWN, thread_view

REPLY_HINT = "“Reply to reporter” is seen by the reporter. “Internal note” is seen by helpdesk staff only."


def triage_card() -> html.Div:
    """Return the staff card: service level, owner with "Take it", and priority."""
    return html.Div(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H2("Owner and service level", className="h6"),
                    html.Div(id="ticket-sla", className="mb-2"),
                    html.Div(
                        [
                            html.Span("Assigned to ", className="text-secondary"),
                            html.Strong(id="ticket-assignee"),
                            dbc.Button("Take it", id="ticket-take", color="primary", size="sm", n_clicks=0,
                                       class_name="ms-auto"),
                        ],
                        className="d-flex align-items-center gap-1 mb-2",
                    ),
                    dbc.Label("Priority", html_for="ticket-priority-select", class_name="mb-1"),
                    dbc.InputGroup(
                        [
                            dbc.Select(id="ticket-priority-select",
                                       options=[{"label": PRIORITY_LABELS[key], "value": key} for key in PRIORITIES]),
                            dbc.Button("Set priority", id="ticket-priority-save", color="secondary", n_clicks=0),
                        ]
                    ),
                    html.Div(id="ticket-triage-alert", role="alert", className="mt-2"),
                ]
            ),
            class_name="mb-3",
        ),
        id="ticket-triage",
        style=HIDDEN,
    )


def note_button() -> html.Div:
    """Return the internal-note button and the sentence that tells the two actions apart (staff only)."""
    return html.Div(
        [
            dbc.Button("🔒 Internal note", id="ticket-note-send", color="warning", n_clicks=0,
                       class_name="mt-2 internal-note-button"),
            html.P(REPLY_HINT, className="small text-secondary mt-2 mb-0", id="ticket-compose-hint"),
        ],
        id="ticket-note-box",
        style=HIDDEN,
    )


def sla_view(ticket: dict[str, Any], zone: ZoneInfo) -> list[Any]:
    """Return the service level's badge and due times."""
    state = ticket.get("sla_state") or "ok"
    responded = ticket.get("first_response_at")
    return [
        dbc.Badge(SLA_LABELS.get(state, state), color=SLA_COLORS.get(state, "secondary"),
                  text_color="dark" if state == "at_risk" else None, id="ticket-sla-badge",
                  class_name=f"fs-6 sla-badge sla-{state}"),
        html.Div(
            f"First answer {'given ' + format_time(responded, zone) if responded else 'due ' + format_time(ticket.get('response_due_at'), zone)}",
            className="small mt-1"),
        html.Div(f"Resolution due {format_time(ticket.get('resolution_due_at'), zone)}", className="small"),
    ]


def take_label(ticket: dict[str, Any], me: str) -> tuple[str, bool]:
    """Return the "Take it" button's words and whether it is disabled."""
    owner = ticket.get("assignee")
    if not me:
        return "Take it (choose a display name first)", True
    if owner == me:
        return "Yours", True
    return ("Take it from " + owner if owner else "Take it"), False


@callback(
    Output("ticket-triage", "style"),
    Output("ticket-sla", "children"),
    Output("ticket-assignee", "children"),
    Output("ticket-take", "children"),
    Output("ticket-take", "disabled"),
    Output("ticket-priority-select", "value"),
    Output("ticket-note-box", "style"),
    Output("ticket-message-send", "children"),
    Input("ticket-data", "data"),
    Input(SESSION_ID, "data"),
)
def render_staff_callback(ticket, session):  # type: ignore[no-untyped-def]
    staff = role_of(session) == "staff"
    send_words = "Reply to reporter" if staff else "Send message"
    if not ticket or not staff:
        return HIDDEN, None, None, no_update, no_update, no_update, HIDDEN, send_words
    words, disabled = take_label(ticket, name_of(session))
    closed = ticket.get("status") == "closed"
    return (SHOWN, sla_view(ticket, load_settings().zone), ticket.get("assignee") or "nobody", words,
            disabled or closed, ticket.get("priority"), HIDDEN if closed else SHOWN, send_words)


def triage(ticket_id: int, ticket: dict[str, Any] | None, changes: dict[str, Any]) -> tuple[Any, Any]:
    """Send *changes* (assignee or priority) guarded by the version on screen; say what happened."""
    if not ticket:
        return no_update, None
    try:
        updated = StaffClient().update_ticket(ticket_id, int(ticket.get("version") or 0), changes)
    except StaleVersion as stale:
        return stale.body.get("current") or no_update, dbc.Alert(
            "Someone else changed this ticket meanwhile; check it and try again.", color="warning",
            id="ticket-triage-error")
    except ServiceError as error:
        return no_update, dbc.Alert(["Nothing was changed. ", error.message], color="danger", id="ticket-triage-error")
    done = (f"Assigned to {updated.get('assignee')}." if "assignee" in changes
            else f"Priority set to {PRIORITY_LABELS.get(updated.get('priority'), '')}.")
    return updated, dbc.Alert(done, color="success", id="ticket-triage-done", duration=4000)


@callback(
    Output("ticket-data", "data", allow_duplicate=True),
    Output("ticket-triage-alert", "children"),
    Input("ticket-take", "n_clicks"),
    Input("ticket-priority-save", "n_clicks"),
    State("ticket-id", "data"),
    State("ticket-data", "data"),
    State("ticket-priority-select", "value"),
    State(SESSION_ID, "data"),
    prevent_initial_call=True,
)
def triage_callback(_take, _priority, ticket_id, ticket, priority, session):  # type: ignore[no-untyped-def]
    if role_of(session) != "staff" or not ctx.triggered_id:
        return no_update, no_update
    if ctx.triggered_id == "ticket-take":
        if not name_of(session):
            return no_update, dbc.Alert("Choose a display name on the entry page first.", color="warning")
        return triage(ticket_id, ticket, {"assignee": name_of(session)})
    if not priority or (ticket and priority == ticket.get("priority")):
        return no_update, None
    return triage(ticket_id, ticket, {"priority": priority})


@callback(
    Output("ticket-thread", "children", allow_duplicate=True),
    Output("ticket-message-body", "value", allow_duplicate=True),
    Output("ticket-message-body", "invalid", allow_duplicate=True),
    Output("ticket-message-feedback", "children", allow_duplicate=True),
    Output("ticket-message-alert", "children", allow_duplicate=True),
    Input("ticket-note-send", "n_clicks"),
    State("ticket-id", "data"),
    State("ticket-message-body", "value"),
    State(SESSION_ID, "data"),
    running=[(Output("ticket-note-send", "disabled"), True, False)],
    prevent_initial_call=True,
)
def send_note_callback(clicks, ticket_id, body, session):  # type: ignore[no-untyped-def]
    if not clicks or role_of(session) != "staff":
        return no_update, no_update, no_update, no_update, no_update
    client = StaffClient()
    try:
        client.post_note(ticket_id, body or "", name_of(session) or None)
    except InvalidInput as error:
        return no_update, no_update, True, error.field_messages().get("body") or error.message, None
    except ServiceError as error:
        return no_update, no_update, False, "", dbc.Alert(["Your note was not saved. ", error.message],
                                                          color="danger", id="ticket-message-error")
    try:
        thread = thread_view(client.list_messages(ticket_id), load_settings().zone)
    except ServiceError:
        thread = no_update
    return thread, "", False, "", dbc.Alert("Internal note saved; the reporter does not see it.", color="warning",
                                            id="ticket-note-done", duration=4000)
