"""Ticket page: the fields, edit, staff actions, the live message thread and the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from ..present import (
    CATEGORY_LABELS,
    NEXT_TRANSITION,
    STATUS_COLORS,
    category_label,
    category_source_text,
    event_sentence,
    format_time,
    role_label,
    status_label,
    ticket_heading,
    ticket_number,
)
from ..service_errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceError,
    StaleVersion,
)
from ..session import SESSION_ID, name_of, role_of, store_for
from ..settings import load_settings
from ..store_client import Event, Message, StoreClient, Ticket
from ..triggers import pressed

HIDDEN = {"display": "none"}
SHOWN = {"display": "block"}
#: How often the page asks whether the ticket (or its thread) changed.
REFRESH_MS = 3000
EDIT_FIELDS = ("title", "description", "location", "reporter")
EDIT_LABELS = {
    "title": "Title",
    "description": "Description",
    "location": "Location",
    "reporter": "Reported by",
}


def parse_ticket_id(value: Any) -> int | None:
    """Return the ticket number from the address, or None when it is not one."""
    text = str(value or "").strip().lstrip("#")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 16 else None


def _edit_field(name: str, control: Any) -> html.Div:
    return html.Div(
        [
            dbc.Label(EDIT_LABELS[name], html_for=f"ticket-edit-{name}"),
            control,
            dbc.FormFeedback(id=f"ticket-edit-{name}-feedback", type="invalid"),
        ],
        className="mb-2",
    )


def layout(ticket_id: str | None = None, **_query: Any) -> html.Div:
    number = parse_ticket_id(ticket_id)
    if number is None:
        return dbc.Alert(
            ["This address does not name a ticket. ", dcc.Link("Go to the ticket list", href="/tickets"), "."],
            color="warning",
            id="ticket-alert",
        )
    # Shown and hidden without an animation: a form that is still sliding open moves its buttons.
    edit_form = html.Div(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H2("Edit ticket", className="h6"),
                    _edit_field("title", dbc.Input(id="ticket-edit-title", maxlength=120)),
                    _edit_field("description", dbc.Textarea(id="ticket-edit-description", rows=6, maxlength=10000)),
                    _edit_field("location", dbc.Input(id="ticket-edit-location", maxlength=200)),
                    _edit_field("reporter", dbc.Input(id="ticket-edit-reporter", maxlength=80)),
                    html.Div(id="ticket-edit-alert", role="alert"),
                    html.Div(
                        [
                            dbc.Button("Save changes", id="ticket-edit-save", color="primary", n_clicks=0),
                            dbc.Button("Cancel", id="ticket-edit-cancel", color="link", n_clicks=0),
                        ],
                        className="d-flex gap-2",
                    ),
                ]
            ),
            class_name="mb-3",
        ),
        id="ticket-edit-form",
        style=HIDDEN,
    )
    staff_actions = html.Div(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H2("Helpdesk actions", className="h6"),
                    dbc.Button(id="ticket-transition", n_clicks=0, class_name="mb-3"),
                    html.Div(
                        [
                            dbc.Label("Correct the category", html_for="ticket-category-select", class_name="mb-1"),
                            dbc.InputGroup(
                                [
                                    dbc.Select(
                                        id="ticket-category-select",
                                        options=[
                                            {"label": label, "value": key} for key, label in CATEGORY_LABELS.items()
                                        ],
                                    ),
                                    dbc.Button(
                                        "Save category", id="ticket-category-save", color="secondary", n_clicks=0
                                    ),
                                ]
                            ),
                        ],
                        id="ticket-category-box",
                    ),
                    html.Div(id="ticket-action-alert", role="alert", className="mt-2"),
                ]
            ),
            class_name="mb-3",
        ),
        id="ticket-staff-actions",
        style={"display": "none"},
    )
    close_modal = dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(f"Close ticket {ticket_number(number)}?")),
            dbc.ModalBody("A closed ticket is final: nobody can edit it or write in its thread any more."),
            dbc.ModalFooter(
                [
                    dbc.Button("Keep it active", id="ticket-close-cancel", color="secondary", n_clicks=0),
                    dbc.Button("Close ticket", id="ticket-close-confirm", color="danger", n_clicks=0),
                ]
            ),
        ],
        id="ticket-close-modal",
        is_open=False,
        fade=False,
    )
    thread = dbc.Card(
        dbc.CardBody(
            [
                html.H2("Messages", className="h5"),
                html.Div(id="ticket-thread", className="mb-3", **{"aria-live": "polite"}),
                html.Div(
                    [
                        dbc.Label("Write a message", html_for="ticket-message-body"),
                        dbc.Textarea(id="ticket-message-body", rows=3, maxlength=10000),
                        dbc.FormFeedback(id="ticket-message-feedback", type="invalid"),
                        html.Div(id="ticket-message-alert", role="alert", className="mt-2"),
                        dbc.Button(
                            "Send message", id="ticket-message-send", color="primary", n_clicks=0, class_name="mt-2"
                        ),
                    ],
                    id="ticket-message-form",
                ),
                html.P(id="ticket-thread-closed", className="text-secondary mb-0"),
            ]
        ),
        class_name="mb-3",
    )
    history = dbc.Card(
        dbc.CardBody([html.H2("History", className="h5"), html.Div(id="ticket-history")]),
        class_name="mb-3",
    )
    return html.Div(
        [
            dcc.Store(id="ticket-id", data=number),
            dcc.Store(id="ticket-data"),
            dcc.Store(id="ticket-edit-base"),
            dcc.Store(id="ticket-seen"),
            dcc.Interval(id="ticket-refresh", interval=REFRESH_MS),
            dcc.Link("← All tickets", href="/tickets", className="small"),
            html.Div(id="ticket-alert", role="alert", className="mt-2"),
            html.Div(
                [
                    html.Div(id="ticket-header", className="mt-2 mb-3"),
                    dbc.Row(
                        [
                            dbc.Col(
                                [
                                    dbc.Card(dbc.CardBody(id="ticket-details"), class_name="mb-3"),
                                    html.Div(
                                        dbc.Button(
                                            "Edit ticket", id="ticket-edit-open", color="outline-primary", n_clicks=0
                                        ),
                                        id="ticket-edit-box",
                                        className="mb-3",
                                    ),
                                    edit_form,
                                    thread,
                                ],
                                lg=8,
                            ),
                            dbc.Col([staff_actions, history], lg=4),
                        ]
                    ),
                ],
                id="ticket-main",
                style={"display": "none"},
            ),
            close_modal,
        ]
    )


dash.register_page(
    __name__,
    path_template="/tickets/<ticket_id>",
    title="Ticket · Campus Helpdesk",
    name="Ticket",
    order=3,
    layout=layout,
)

# ---------------------------------------------------------------- rendering


def _detail(label: str, value: Any, item_id: str) -> html.Div:
    return html.Div(
        [
            html.Dt(label, className="col-sm-4 text-secondary fw-normal"),
            html.Dd(value, id=item_id, className="col-sm-8 mb-1"),
        ],
        className="row",
    )


def header_view(ticket: Ticket) -> list[Any]:
    """Return the ticket's number, heading and badges."""
    status = ticket.get("status", "")
    return [
        html.H1(
            [html.Span(ticket_number(ticket.get("id")), className="text-secondary me-2"), ticket_heading(ticket, 120)],
            className="h3 ticket-text mb-2",
            id="ticket-heading",
        ),
        dbc.Badge(
            status_label(status),
            color=STATUS_COLORS.get(status, "secondary"),
            text_color="dark" if status == "active" else None,
            id="ticket-status",
            class_name="me-2 fs-6",
        ),
        dbc.Badge(
            category_label(ticket.get("category")),
            color="info",
            text_color="dark",
            id="ticket-category",
            class_name="fs-6",
        ),
    ]


def details_view(ticket: Ticket, role: str, zone: ZoneInfo) -> list[Any]:
    """Return all fields of the ticket, as text, with dates in campus time."""
    category = category_label(ticket.get("category"))
    review = None
    if role == "staff" and ticket.get("needs_review") and ticket.get("category_source") != "staff":
        review = dbc.Badge("needs a check", color="danger", class_name="ms-2", id="ticket-needs-review")
    return [
        html.Div(ticket.get("description", ""), className="ticket-text mb-3", id="ticket-description"),
        html.Dl(
            [
                _detail("Location", ticket.get("location") or "—", "ticket-location"),
                _detail("Reported by", ticket.get("reporter") or "—", "ticket-reporter"),
                _detail(
                    "Category",
                    [category, html.Span(f" ({category_source_text(ticket)})", className="text-secondary"), review],
                    "ticket-category-detail",
                ),
                _detail("Opened", format_time(ticket.get("opened_at"), zone), "ticket-opened"),
                _detail("Last change", format_time(ticket.get("updated_at"), zone), "ticket-updated"),
                _detail(
                    "Closed",
                    format_time(ticket.get("closed_at"), zone) if ticket.get("closed_at") else "not yet",
                    "ticket-closed",
                ),
            ],
            className="mb-0",
        ),
    ]


def transition_button(ticket: Ticket) -> tuple[str, str, bool]:
    """Return the text, colour and hidden flag of the one allowed transition's button."""
    transition = NEXT_TRANSITION.get(ticket.get("status", ""))
    if transition is None:
        return "", "secondary", True
    target, text = transition
    return text, ("danger" if target == "closed" else "success"), False


def thread_view(messages: list[Message], zone: ZoneInfo) -> list[Any]:
    """Return the messages, oldest first so the newest is last."""
    if not messages:
        return [html.P("No messages yet.", className="text-secondary", id="ticket-thread-empty")]
    items = []
    for message in messages:
        role = message.get("author_role", "user")
        name = message.get("author_name")
        items.append(
            html.Div(
                [
                    html.Div(
                        [
                            html.Strong(role_label(role)),
                            html.Span(f" · {name}" if name else "", className="message-author"),
                            html.Span(f" · {format_time(message.get('created_at'), zone)}", className="text-secondary"),
                        ],
                        className="small mb-1",
                    ),
                    html.Div(message.get("body", ""), className="ticket-text message-body"),
                ],
                className=f"thread-message from-{role} p-2 mb-2 rounded-end",
                id=f"ticket-message-{message.get('id')}",
            )
        )
    return items


def history_view(events: list[Event], zone: ZoneInfo) -> list[Any]:
    """Return the history of changes, oldest first."""
    if not events:
        return [html.P("No changes recorded.", className="text-secondary")]
    return [
        html.Ul(
            [
                html.Li(
                    [
                        html.Div(format_time(event.get("at"), zone), className="small text-secondary"),
                        html.Div(
                            [
                                event_sentence(event),
                                html.Span(f" — {role_label(event.get('role'))}", className="text-secondary"),
                            ],
                            className="ticket-text",
                        ),
                    ],
                    className="mb-2",
                )
                for event in events
            ],
            className="list-unstyled mb-0 small",
            id="ticket-history-list",
        )
    ]


@dataclass
class TicketView:
    """Everything on the page that follows from the ticket and the role."""

    main_style: dict[str, str]
    header: list[Any] = field(default_factory=list)
    details: list[Any] = field(default_factory=list)
    edit_box_style: dict[str, str] = field(default_factory=dict)
    staff_style: dict[str, str] = field(default_factory=dict)
    transition_text: str = ""
    transition_color: str = "secondary"
    transition_hidden: bool = True
    category_box_style: dict[str, str] = field(default_factory=dict)
    category_value: str | None = None
    message_form_style: dict[str, str] = field(default_factory=dict)
    closed_note: str = ""


def ticket_view(ticket: Ticket | None, role: str, zone: ZoneInfo) -> TicketView:
    """Return the page parts for a ticket as seen by *role* (users never get staff controls)."""
    if not ticket:
        return TicketView(main_style=HIDDEN)
    closed = ticket.get("status") == "closed"
    text, color, hidden = transition_button(ticket)
    return TicketView(
        main_style=SHOWN,
        header=header_view(ticket),
        details=details_view(ticket, role, zone),
        edit_box_style=HIDDEN if closed else SHOWN,
        staff_style=SHOWN if role == "staff" and not closed else HIDDEN,
        transition_text=text,
        transition_color=color,
        transition_hidden=hidden,
        category_box_style=HIDDEN if closed else SHOWN,
        category_value=ticket.get("category"),
        message_form_style=HIDDEN if closed else SHOWN,
        closed_note="This ticket is closed; its thread is read-only." if closed else "",
    )


# ---------------------------------------------------------------- loading


@dataclass
class Loaded:
    """What one refresh found: the ticket, and the thread and history when they changed."""

    ticket: Any = no_update
    thread: Any = no_update
    history: Any = no_update
    seen: Any = no_update
    alert: Any = None


def version_key(ticket: Mapping[str, Any]) -> list[Any]:
    """Return what identifies one state of a ticket, its thread included."""
    return [ticket.get("id"), ticket.get("version"), ticket.get("updated_at")]


def load_ticket(ticket_id: int, seen: Any, store: StoreClient, zone: ZoneInfo, *, force: bool = False) -> Loaded:
    """Read the ticket; read its thread and history only when it changed since *seen*."""
    try:
        ticket = store.get_ticket(ticket_id)
    except (NotFound, Forbidden) as error:
        sentence = (
            f"Ticket {ticket_number(ticket_id)} does not exist."
            if isinstance(error, NotFound)
            else f"You cannot see ticket {ticket_number(ticket_id)}: closed tickets are visible to helpdesk staff only."
        )
        alert = dbc.Alert(
            [sentence, " ", dcc.Link("Go to the ticket list", href="/tickets"), "."],
            color="warning",
            id="ticket-missing",
        )
        return Loaded(ticket=None, thread=[], history=[], seen=None, alert=alert)
    except ServiceError as error:
        return Loaded(alert=unavailable_alert(error))
    key = version_key(ticket)
    if not force and seen == key:
        return Loaded()
    loaded = Loaded(ticket=ticket)
    try:
        loaded.thread = thread_view(store.list_messages(ticket_id), zone)
        loaded.history = history_view(store.list_events(ticket_id), zone)
    except ServiceError as error:
        loaded.alert = unavailable_alert(error)
        return loaded
    loaded.seen = key
    return loaded


def unavailable_alert(error: ServiceError) -> Any:
    """Return the alert for a store that cannot answer now."""
    return dbc.Alert(
        [html.Strong("The ticket cannot be updated right now. "), error.message, " This page refreshes by itself."],
        color="danger",
        id="ticket-unavailable",
    )


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


# ---------------------------------------------------------------- editing


@dataclass
class EditAnswer:
    """What pressing Save did."""

    ticket: Any = no_update
    is_open: Any = no_update
    base: Any = no_update
    alert: Any = None
    invalid: dict[str, bool] = field(default_factory=lambda: {name: False for name in EDIT_FIELDS})
    feedback: dict[str, str] = field(default_factory=lambda: {name: "" for name in EDIT_FIELDS})


def edited_changes(base: Mapping[str, Any], values: Mapping[str, str | None]) -> dict[str, Any]:
    """Return the fields the person changed; an emptied optional field becomes null."""
    changes: dict[str, Any] = {}
    for name in EDIT_FIELDS:
        value: str | None = values.get(name) or ""
        before = base.get(name)
        if name != "description":
            value = value if value.strip() else None
            before = before or None
        if value != before:
            changes[name] = value
    return changes


def update_text(store: StoreClient, ticket_id: int, base: Ticket, changes: dict[str, Any]) -> Ticket:
    """Update the ticket's text; a version moved on only by messages or status changes is no conflict."""
    version = int(base.get("version") or 0)
    for _ in range(5):
        try:
            return store.update_ticket(ticket_id, version, changes)
        except StaleVersion as stale:
            current = stale.body.get("current")
            if not current or any(current.get(name) != base.get(name) for name in EDIT_FIELDS):
                raise
            version = int(current.get("version") or 0)
    return store.update_ticket(ticket_id, version, changes)


def save_edit(ticket_id: int, base: Ticket | None, values: Mapping[str, str | None], store: StoreClient) -> EditAnswer:
    """Send the edit with the version it was based on; a stale version is refused, never overwritten."""
    answer = EditAnswer()
    if not base:
        answer.alert = dbc.Alert("Open the editor again: the ticket was not loaded.", color="warning")
        return answer
    changes = edited_changes(base, values)
    if not changes:
        answer.is_open = False
        answer.alert = None
        return answer
    try:
        ticket = update_text(store, ticket_id, base, changes)
    except StaleVersion as stale:
        current = stale.body.get("current")
        answer.alert = stale_alert(current)
        if current:
            answer.ticket = current
            # The next save is a deliberate choice made after seeing the other change.
            answer.base = current
        return answer
    except InvalidInput as error:
        messages = error.field_messages()
        for name, message in messages.items():
            if name in answer.invalid:
                answer.invalid[name] = True
                answer.feedback[name] = message
        answer.alert = dbc.Alert(error.message, color="danger", id="ticket-edit-error")
        return answer
    except ServiceError as error:
        answer.alert = dbc.Alert(
            ["Your changes were not saved. ", error.message], color="danger", id="ticket-edit-error"
        )
        return answer
    answer.ticket = ticket
    answer.base = ticket
    answer.is_open = False
    return answer


def stale_alert(current: Ticket | None) -> Any:
    """Return the message for an edit refused because someone else changed the ticket."""
    parts: list[Any] = [
        html.Strong("Someone else changed this ticket while you were editing, so your changes were not saved. "),
        "Your text is still in the form. This is the ticket now; press Save again to replace it with yours.",
    ]
    if current:
        parts.append(
            html.Div(
                [
                    html.Div(ticket_heading(current, 120), className="fw-semibold ticket-text"),
                    html.Div(current.get("description", ""), className="ticket-text"),
                ],
                className="border-start border-3 ps-2 mt-2",
                id="ticket-edit-current",
            )
        )
    return dbc.Alert(parts, color="warning", id="ticket-edit-stale")


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
    button = pressed(ctx.triggered)
    if button is None:
        return no_update, no_update, *[no_update for _ in EDIT_FIELDS], no_update
    if button == "ticket-edit-cancel" or not ticket:
        return HIDDEN, no_update, *[no_update for _ in EDIT_FIELDS], None
    return SHOWN, ticket, *[ticket.get(name) or "" for name in EDIT_FIELDS], None


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


# ---------------------------------------------------------------- staff actions


@dataclass
class ActionAnswer:
    """What a staff action did."""

    ticket: Any = no_update
    alert: Any = None
    modal_open: Any = False


def change_status(ticket_id: int, target: str, store: StoreClient) -> ActionAnswer:
    """Move the ticket to *target*; say in words why when the store refuses."""
    try:
        return ActionAnswer(ticket=store.change_status(ticket_id, target))
    except (Conflict, Forbidden, StaleVersion, InvalidInput) as error:
        refreshed = _reread(ticket_id, store)
        return ActionAnswer(ticket=refreshed, alert=dbc.Alert(error.message, color="warning", id="ticket-action-error"))
    except ServiceError as error:
        return ActionAnswer(
            alert=dbc.Alert(["The status was not changed. ", error.message], color="danger", id="ticket-action-error")
        )


def correct_category(ticket_id: int, ticket: Ticket | None, category: str | None, store: StoreClient) -> ActionAnswer:
    """Set the category chosen by staff, guarded by the version on screen."""
    if not ticket or not category or category == ticket.get("category"):
        return ActionAnswer(modal_open=no_update)
    try:
        updated = store.update_ticket(ticket_id, int(ticket.get("version") or 0), {"category": category})
    except StaleVersion as stale:
        return ActionAnswer(
            ticket=stale.body.get("current") or no_update,
            alert=dbc.Alert(
                "Someone else changed this ticket meanwhile; check it and choose the category again.",
                color="warning",
                id="ticket-action-error",
            ),
            modal_open=no_update,
        )
    except ServiceError as error:
        return ActionAnswer(
            alert=dbc.Alert(
                ["The category was not changed. ", error.message], color="danger", id="ticket-action-error"
            ),
            modal_open=no_update,
        )
    return ActionAnswer(
        ticket=updated,
        alert=dbc.Alert(
            f"Category set to {category_label(category)}.", color="success", id="ticket-action-done", duration=4000
        ),
        modal_open=no_update,
    )


def _reread(ticket_id: int, store: StoreClient) -> Any:
    try:
        return store.get_ticket(ticket_id)
    except ServiceError:
        return no_update


@callback(
    Output("ticket-data", "data", allow_duplicate=True),
    Output("ticket-action-alert", "children"),
    Output("ticket-close-modal", "is_open"),
    Input("ticket-transition", "n_clicks"),
    Input("ticket-close-confirm", "n_clicks"),
    Input("ticket-close-cancel", "n_clicks"),
    State("ticket-id", "data"),
    State("ticket-data", "data"),
    State(SESSION_ID, "data"),
    prevent_initial_call=True,
)
def transition_callback(_transition, _confirm, _cancel, ticket_id, ticket, session):  # type: ignore[no-untyped-def]
    trigger = pressed(ctx.triggered)
    if trigger is None:
        return no_update, no_update, no_update
    if trigger == "ticket-close-cancel":
        return no_update, no_update, False
    if not ticket or role_of(session) != "staff":
        return no_update, no_update, False
    transition = NEXT_TRANSITION.get(ticket.get("status", ""))
    if trigger == "ticket-transition":
        if transition is None:
            return no_update, no_update, False
        if transition[0] == "closed":
            return no_update, None, True  # ask first: closing is final
        answer = change_status(ticket_id, transition[0], store_for(session))
    else:
        answer = change_status(ticket_id, "closed", store_for(session))
    return answer.ticket, answer.alert, False


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


# ---------------------------------------------------------------- thread


@dataclass
class MessageAnswer:
    """What sending a message did."""

    thread: Any = no_update
    body: Any = no_update
    invalid: bool = False
    feedback: str = ""
    alert: Any = None


def send_message(
    ticket_id: int, body: str | None, author_name: str, store: StoreClient, zone: ZoneInfo
) -> MessageAnswer:
    """Post the message and return the thread as it is now, or say why it was refused."""
    try:
        store.post_message(ticket_id, body or "", author_name or None)
    except InvalidInput as error:
        message = error.field_messages().get("body") or error.message
        return MessageAnswer(invalid=True, feedback=message)
    except ServiceError as error:
        return MessageAnswer(
            alert=dbc.Alert(["Your message was not sent. ", error.message], color="danger", id="ticket-message-error")
        )
    answer = MessageAnswer(body="")
    try:
        answer.thread = thread_view(store.list_messages(ticket_id), zone)
    except ServiceError:
        pass  # the next refresh shows it
    return answer


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
