"""The ticket page's callbacks: each reads the page, calls one action or view, and writes the page."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, no_update

from ...present import status_label, ticket_number
from ...session import NOTICE_ID, SESSION_ID, name_of, notice, role_of, store_for
from ...settings import load_settings
from ...triggers import pressed
from .actions import correct_category, load_ticket, press_transition, save_edit, send_message
from .views import EDIT_FIELDS, HIDDEN, SHOWN, editor_state, ticket_view


@callback(
    Output("ticket-data", "data"),
    Output("ticket-thread", "children"),
    Output("ticket-history", "children"),
    Output("ticket-seen", "data"),
    Output("ticket-alert", "children"),
    Input("ticket-refresh", "n_intervals"),
    Input(SESSION_ID, "data"),
    State("ticket-id", "data"),
    State("ticket-seen", "data"),
)
def refresh_callback(_n, session, ticket_id, seen):  # type: ignore[no-untyped-def]
    if ticket_id is None:
        return no_update, no_update, no_update, no_update, no_update
    # A role switch may hide or reveal the ticket: read everything again.
    force = ctx.triggered_id == SESSION_ID
    loaded = load_ticket(ticket_id, seen, store_for(session), load_settings().zone, force=force)
    return loaded.ticket, loaded.thread, loaded.history, loaded.seen, loaded.alert


@callback(
    Output("ticket-main", "style"),
    Output("ticket-header", "children"),
    Output("ticket-details", "children"),
    Output("ticket-edit-box", "style"),
    Output("ticket-staff-actions", "style"),
    Output("ticket-transition", "children"),
    Output("ticket-transition", "color"),
    Output("ticket-transition", "style"),
    Output("ticket-category-box", "style"),
    Output("ticket-category-select", "value"),
    Output("ticket-message-form", "style"),
    Output("ticket-thread-closed", "children"),
    Input("ticket-data", "data"),
    Input(SESSION_ID, "data"),
)
def render_callback(ticket, session):  # type: ignore[no-untyped-def]
    view = ticket_view(ticket, role_of(session), load_settings().zone)
    return (
        view.main_style,
        view.header,
        view.details,
        view.edit_box_style,
        view.staff_style,
        view.transition_text,
        view.transition_color,
        HIDDEN if view.transition_hidden else {},
        view.category_box_style,
        view.category_value,
        view.message_form_style,
        view.closed_note,
    )


@callback(
    Output("ticket-edit-form", "style"),
    Output("ticket-edit-base", "data"),
    *[Output(f"ticket-edit-{name}", "value") for name in EDIT_FIELDS],
    Output("ticket-edit-alert", "children", allow_duplicate=True),
    Input("ticket-edit-open", "n_clicks"),
    Input("ticket-edit-cancel", "n_clicks"),
    State("ticket-data", "data"),
    prevent_initial_call=True,
)
def open_editor_callback(_open, _cancel, ticket):  # type: ignore[no-untyped-def]
    return editor_state(pressed(ctx.triggered), ticket)


@callback(
    Output("ticket-data", "data", allow_duplicate=True),
    Output("ticket-edit-form", "style", allow_duplicate=True),
    Output("ticket-edit-base", "data", allow_duplicate=True),
    Output("ticket-edit-alert", "children"),
    *[Output(f"ticket-edit-{name}", "invalid") for name in EDIT_FIELDS],
    *[Output(f"ticket-edit-{name}-feedback", "children") for name in EDIT_FIELDS],
    Input("ticket-edit-save", "n_clicks"),
    State("ticket-id", "data"),
    State("ticket-edit-base", "data"),
    *[State(f"ticket-edit-{name}", "value") for name in EDIT_FIELDS],
    State(SESSION_ID, "data"),
    running=[(Output("ticket-edit-save", "disabled"), True, False)],
    prevent_initial_call=True,
)
def save_edit_callback(clicks, ticket_id, base, title, description, location, reporter, session):  # type: ignore[no-untyped-def]
    if not clicks:
        return no_update, no_update, no_update, no_update, *[no_update] * (2 * len(EDIT_FIELDS))
    values = {"title": title, "description": description, "location": location, "reporter": reporter}
    answer = save_edit(ticket_id, base, values, store_for(session))
    return (
        answer.ticket,
        answer.is_open if answer.is_open is no_update else (SHOWN if answer.is_open else HIDDEN),
        answer.base,
        answer.alert,
        *[answer.invalid[name] for name in EDIT_FIELDS],
        *[answer.feedback[name] for name in EDIT_FIELDS],
    )


@callback(
    Output("ticket-data", "data", allow_duplicate=True),
    Output("ticket-action-alert", "children"),
    Output("ticket-close-modal", "is_open"),
    Output(NOTICE_ID, "data", allow_duplicate=True),
    Input("ticket-transition", "n_clicks"),
    Input("ticket-close-confirm", "n_clicks"),
    Input("ticket-close-cancel", "n_clicks"),
    State("ticket-id", "data"),
    State("ticket-data", "data"),
    State(SESSION_ID, "data"),
    prevent_initial_call=True,
)
def transition_callback(_transition, _confirm, _cancel, ticket_id, ticket, session):  # type: ignore[no-untyped-def]
    answer = press_transition(pressed(ctx.triggered), ticket_id, ticket, role_of(session), store_for(session))
    return answer.ticket, answer.alert, answer.modal_open, status_notice(ticket, answer.ticket)


def status_notice(before: dict | None, after: object) -> object:
    """Return the confirmation of a status change that went through, or no_update."""
    if not isinstance(after, dict) or not before or after.get("status") == before.get("status"):
        return no_update
    return notice(f"Ticket {ticket_number(after.get('id'))} is now {status_label(after.get('status'))}.")


@callback(
    Output("ticket-data", "data", allow_duplicate=True),
    Output("ticket-action-alert", "children", allow_duplicate=True),
    Input("ticket-category-save", "n_clicks"),
    State("ticket-id", "data"),
    State("ticket-data", "data"),
    State("ticket-category-select", "value"),
    State(SESSION_ID, "data"),
    prevent_initial_call=True,
)
def category_callback(clicks, ticket_id, ticket, category, session):  # type: ignore[no-untyped-def]
    if not clicks:
        return no_update, no_update
    answer = correct_category(ticket_id, ticket, category, store_for(session))
    return answer.ticket, answer.alert


@callback(
    Output("ticket-thread", "children", allow_duplicate=True),
    Output("ticket-message-body", "value"),
    Output("ticket-message-body", "invalid"),
    Output("ticket-message-feedback", "children"),
    Output("ticket-message-alert", "children"),
    Input("ticket-message-send", "n_clicks"),
    State("ticket-id", "data"),
    State("ticket-message-body", "value"),
    State(SESSION_ID, "data"),
    running=[(Output("ticket-message-send", "disabled"), True, False)],
    prevent_initial_call=True,
)
def send_message_callback(clicks, ticket_id, body, session):  # type: ignore[no-untyped-def]
    if not clicks:
        return no_update, no_update, no_update, no_update, no_update
    answer = send_message(ticket_id, body, name_of(session), store_for(session), load_settings().zone)
    return answer.thread, answer.body, answer.invalid, answer.feedback, answer.alert


# A half-written message stays in this browser, per ticket, until it is sent (assets/drafts.js);
# sending empties the box, which drops the draft.
clientside_callback(
    ClientsideFunction(namespace="drafts", function_name="restoreMessage"),
    Output("ticket-message-body", "value", allow_duplicate=True),
    Input("ticket-id", "data"),
    prevent_initial_call="initial_duplicate",
)

clientside_callback(
    ClientsideFunction(namespace="drafts", function_name="saveMessage"),
    Output("ticket-message-drafts", "data"),
    Input("ticket-message-body", "value"),
    State("ticket-id", "data"),
    prevent_initial_call=True,
)
