"""What the ticket page shows for a ticket, a thread and a history: pure functions of their data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import html, no_update

from ...present import (
    NEXT_TRANSITION,
    STATUS_COLORS,
    category_label,
    category_source_text,
    language_label,
    event_sentence,
    format_time,
    relative_time,
    role_label,
    status_label,
    ticket_heading,
    ticket_number,
)
from ...service_errors import ServiceError
from ...store_client import Event, Message, Ticket

HIDDEN = {"display": "none"}
SHOWN = {"display": "block"}
#: The fields a person edits, in the order of the form.
EDIT_FIELDS = ("title", "description", "location", "reporter")


def parse_ticket_id(value: Any) -> int | None:
    """Return the ticket number from the address, or None when it is not one."""
    text = str(value or "").strip().lstrip("#")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 16 else None


def _detail(label: str, value: Any, item_id: str) -> html.Div:
    return html.Div(
        [
            html.Dt(label, className="col-sm-4 text-secondary fw-normal"),
            html.Dd(value, id=item_id, className="col-sm-8 mb-1"),
        ],
        className="row",
    )


def when(value: str | None, zone: ZoneInfo, *, exact: bool = False) -> Any:
    """Return a time as people read it: how long ago, with the exact campus time on hover (or shown too)."""
    if not value:
        return "—"
    exact_text = format_time(value, zone)
    ago = relative_time(value)
    text = f"{exact_text} ({ago})" if exact else ago
    return html.Time(text, dateTime=value, title=exact_text)


def header_view(ticket: Ticket, role: str = "user") -> list[Any]:
    """Return the ticket's number, heading and badges (staff also see the language it was written in)."""
    status = ticket.get("status", "")
    language = language_label(ticket.get("language")) if role == "staff" else None
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
        *([dbc.Badge(language, color="light", text_color="dark", id="ticket-language",
                     class_name="ms-2 fs-6 border", title="Language detected when the ticket was written")]
          if language else []),
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
                _detail("Opened", when(ticket.get("opened_at"), zone, exact=True), "ticket-opened"),
                _detail("Last change", when(ticket.get("updated_at"), zone, exact=True), "ticket-updated"),
                _detail(
                    "Closed",
                    when(ticket.get("closed_at"), zone, exact=True) if ticket.get("closed_at") else "not yet",
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
        internal = bool(message.get("internal"))
        items.append(
            html.Div(
                [
                    html.Div(
                        [
                            *([html.Span("Internal note · staff only", className="badge internal-note-label me-2")]
                              if internal else []),
                            html.Strong(role_label(role)),
                            html.Span(f" · {name}" if name else "", className="message-author"),
                            html.Span([" · ", when(message.get("created_at"), zone)], className="text-secondary"),
                        ],
                        className="small mb-1",
                    ),
                    html.Div(message.get("body", ""), className="ticket-text message-body"),
                ],
                className=f"thread-message from-{role} p-2 mb-2 rounded-end" + (" internal-note" if internal else ""),
                id=f"ticket-message-{message.get('id')}",
            )
        )
    return items


def actor_text(event: Event) -> str:
    """Return who made a change: "Ana (helpdesk staff)", or the role alone when no name was given."""
    role = role_label(event.get("role"))
    name = event.get("name")
    return f"{name} ({role[:1].lower()}{role[1:]})" if name else role


def history_view(events: list[Event], zone: ZoneInfo) -> list[Any]:
    """Return the history of changes, oldest first."""
    if not events:
        return [html.P("No changes recorded.", className="text-secondary")]
    return [
        html.Ul(
            [
                html.Li(
                    [
                        html.Div(when(event.get("at"), zone), className="small text-secondary"),
                        html.Div(
                            [
                                event_sentence(event),
                                html.Span(f" — {actor_text(event)}", className="text-secondary event-actor"),
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
        header=header_view(ticket, role),
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


def editor_state(button: str | None, ticket: Ticket | None) -> tuple[Any, ...]:
    """Return the editor's style, its base, its field values and its alert after Edit or Cancel."""
    if button is None:
        return no_update, no_update, *[no_update for _ in EDIT_FIELDS], no_update
    if button == "ticket-edit-cancel" or not ticket:
        return HIDDEN, no_update, *[no_update for _ in EDIT_FIELDS], None
    return SHOWN, ticket, *[ticket.get(name) or "" for name in EDIT_FIELDS], None


#: The editor's fields as the conflict box names them.
FIELD_NAMES = {"title": "Title", "description": "Description", "location": "Location", "reporter": "Reported by"}


def stale_alert(current: Ticket | None, base: Ticket | None = None, mine: dict[str, Any] | None = None) -> Any:
    """Return the message for a refused edit: every field the other person changed, theirs beside yours."""
    parts: list[Any] = [
        html.Strong("Someone else changed this ticket while you were editing, so your changes were not saved. "),
        "Your text is still in the form. This is the ticket now; press Save again to replace it with yours.",
    ]
    if current:
        changed = [name for name in EDIT_FIELDS if base is None or (current.get(name) or "") != (base.get(name) or "")]
        rows = [
            html.Tr(
                [
                    html.Th(FIELD_NAMES[name], scope="row"),
                    html.Td(current.get(name) or "(empty)", className="ticket-text"),
                    html.Td((mine or {}).get(name) or "(empty)", className="ticket-text"),
                ]
            )
            for name in changed or EDIT_FIELDS
        ]
        parts.append(
            html.Table(
                [
                    html.Thead(html.Tr([html.Th("Field"), html.Th("Now (their change)"), html.Th("Yours")])),
                    html.Tbody(rows),
                ],
                className="table table-sm mt-2 mb-0 small",
                id="ticket-edit-current",
            )
        )
    return dbc.Alert(parts, color="warning", id="ticket-edit-stale")


def unavailable_alert(error: ServiceError) -> Any:
    """Return the alert for a store that cannot answer now."""
    return dbc.Alert(
        [html.Strong("The ticket cannot be updated right now. "), error.message, " This page refreshes by itself."],
        color="danger",
        id="ticket-unavailable",
    )
