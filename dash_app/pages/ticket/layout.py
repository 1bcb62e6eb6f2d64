"""The ticket page's components: the fields, the editor, staff actions, the thread and the history."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from ...present import CATEGORY_LABELS, ticket_number
from .photos import merge_card, photos_card
from .staff import note_button, triage_card
from .views import HIDDEN, parse_ticket_id

#: How often the page asks whether the ticket (or its thread) changed.
REFRESH_MS = 3000
EDIT_LABELS = {
    "title": "Title",
    "description": "Description",
    "location": "Location",
    "reporter": "Reported by",
}


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
    """Return the page for the ticket the address names, or say that it names none."""
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
        id="ticket-thread-card",
        children=dbc.CardBody(
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
                        note_button(),
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
        id="ticket-history-card",
    )
    return html.Div(
        [
            dcc.Store(id="ticket-id", data=number),
            dcc.Store(id="ticket-data"),
            dcc.Store(id="ticket-edit-base"),
            dcc.Store(id="ticket-seen"),
            dcc.Store(id="ticket-message-drafts", storage_type="local"),
            dcc.Interval(id="ticket-refresh", interval=REFRESH_MS),
            dcc.Link("← All tickets", href="/tickets", className="small"),
            html.Div(id="ticket-alert", role="alert", className="mt-2"),
            html.Div(id="follow-confirmation", className="mt-2"),  # its reporter's follow link (pages/follow.py)
            html.Div(
                [
                    html.Div(id="ticket-header", className="mt-2 mb-3"),
                    # In the order a phone shows them (staff actions before the thread); on a wide
                    # screen the grid puts staff actions and history in a column on the right.
                    html.Div(
                        [
                            dbc.Card(dbc.CardBody(id="ticket-details"), class_name="mb-3 ticket-details-card"),
                            html.Div(
                                dbc.Button("Edit ticket", id="ticket-edit-open", color="outline-primary", n_clicks=0),
                                id="ticket-edit-box",
                                className="mb-3",
                            ),
                            edit_form,
                            photos_card(),
                            triage_card(),
                            staff_actions,
                            merge_card(),
                            thread,
                            history,
                        ],
                        className="ticket-columns",
                    ),
                ],
                id="ticket-main",
                style={"display": "none"},
            ),
            close_modal,
        ]
    )
