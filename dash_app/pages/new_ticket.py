"""New ticket: describe the problem, see the category it will get while typing, submit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    dcc,
    html,
    no_update,
)

from ..follow_client import MINE_ID, FollowClient, remember
from ..present import ticket_number
from ..service_errors import InvalidInput, ServiceError
from ..session import NOTICE_ID, SESSION_ID, URL_ID, notice, store_for
from ..store_client import StoreClient
from .category_preview import MORE_HINT, START_HINT, preview, sureness  # noqa: F401 - the page's own words
from .new_photo import attach_photo, photo_field
from .similar_box import similar_box

FIELDS = ("description", "title", "location", "reporter", "contact")
CLEARED = ("description", "title", "location", "contact")


def _field(name: str, label: str, control: Any, help_text: str | None = None) -> html.Div:
    return html.Div(
        [
            dbc.Label(label, html_for=f"new-{name}"),
            control,
            dbc.FormFeedback(id=f"new-{name}-feedback", type="invalid"),
            dbc.FormText(help_text) if help_text else None,
        ],
        className="mb-3",
    )


def layout(location: str | None = None, **_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1("Report a problem", className="h3"),
            html.P(
                "Describe what is wrong and where. The helpdesk files it under a category automatically; "
                "staff can correct it.",
                className="text-secondary",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            _field(
                                "description",
                                "What is the problem? (required)",
                                dbc.Textarea(
                                    id="new-description",
                                    rows=6,
                                    maxlength=10000,
                                    placeholder="e.g. The projector in lecture hall B2 shows no picture since today.",
                                ),
                            ),
                            _field("title", "Short title (optional)", dbc.Input(id="new-title", maxlength=120)),
                            _field(
                                "location",
                                "Where? (optional)",
                                dbc.Input(id="new-location", maxlength=200, placeholder="Building, room",
                                          value=(location or "")[:200] or None),
                            ),
                            _field(
                                "reporter",
                                "Your name (optional)",
                                dbc.Input(id="new-reporter", maxlength=80),
                                "Shown with the ticket to everyone who can see it.",
                            ),
                            _field(
                                "contact",
                                "Your e-mail (optional)",
                                dbc.Input(id="new-contact", type="email", maxlength=254, autoComplete="email"),
                                "Only the helpdesk sees it. We mail you the ticket number, a link to follow it, "
                                "and every answer.",
                            ),
                            photo_field(),
                            html.Div(
                                [
                                    html.Div(id="new-alert", role="alert"),
                                    dbc.Button("Submit ticket", id="new-submit", color="primary", n_clicks=0),
                                ]
                            ),
                        ],
                        lg=7,
                        class_name="new-ticket-form",
                    ),
                    dbc.Col(
                        [dbc.Card(
                            dbc.CardBody(
                                [
                                    html.H2("Category it will get", className="h6 text-secondary"),
                                    html.Div(
                                        "Start describing the problem to see its category.",
                                        id="new-preview",
                                        **{"aria-live": "polite"},
                                    ),
                                ]
                            ),
                            class_name="mt-3 mt-lg-4",
                        ), similar_box()],
                        lg=5,
                        class_name="new-ticket-preview",
                    ),
                ],
                class_name="new-ticket-row",
            ),
            dcc.Store(id="new-preview-text"),
            # What is typed stays in this browser until the ticket is sent (assets/drafts.js).
            dcc.Store(id="new-draft", storage_type="local"),
            dcc.Store(id="new-draft-restore", data=True),
        ]
    )


# Registered before the ticket page so that /tickets/new is not read as a ticket number.
dash.register_page(
    __name__,
    path="/tickets/new",
    title="Report a problem · Campus Helpdesk",
    name="Report a problem",
    order=2,
    layout=layout,
)


@dataclass
class SubmitAnswer:
    """What a submit changes on the page."""

    pathname: Any = no_update
    notice: Any = no_update
    alert: Any = None
    followed: dict[str, Any] | None = None  # the new ticket and its follow token, for "My tickets"
    invalid: dict[str, bool] = field(default_factory=lambda: {name: False for name in FIELDS})
    feedback: dict[str, str] = field(default_factory=lambda: {name: "" for name in FIELDS})


def submit(fields: dict[str, str | None], store: StoreClient, photo: str | None = None) -> SubmitAnswer:
    """Create the ticket and send its photo; on success go to its page, else say what is wrong where it is.

    A refused photo leaves the created ticket as it is: the page stays, says so and why, and links the ticket.
    """
    answer = SubmitAnswer()
    try:
        ticket = FollowClient(store.settings).report(fields, role=store.role)
    except InvalidInput as error:
        by_field = error.field_messages()
        for name, message in by_field.items():
            if name in answer.invalid:
                answer.invalid[name] = True
                answer.feedback[name] = message
        # Each problem is said once: next to its field, or in the alert when the form has no such field.
        others = [message for name, message in by_field.items() if name not in answer.invalid]
        if others or not by_field:
            answer.alert = dbc.Alert(" ".join(others or [error.message]), color="danger", id="new-error")
        return answer
    except ServiceError as error:
        answer.alert = dbc.Alert(
            [html.Strong("The ticket was not sent. "), error.message, " Your text is still here; try again."],
            color="danger",
            id="new-error",
        )
        return answer
    answer.followed = ticket
    answer.alert = attach_photo(ticket, photo, FollowClient(store.settings))
    if answer.alert is not None:
        return answer
    answer.pathname = f"/tickets/{ticket['id']}"
    answer.notice = notice(f"Ticket {ticket_number(ticket['id'])} was sent. The helpdesk answers on this page.")
    answer.followed = ticket
    return answer


# A name chosen on the entry page fills the field in the browser (assets/helpdesk.js).
clientside_callback(
    ClientsideFunction(namespace="helpdesk", function_name="prefillName"),
    Output("new-reporter", "value"),
    Input(SESSION_ID, "data"),
    State("new-reporter", "value"),
)

# Debounce in the browser: the preview text is handed to the server only after a pause
# (assets/new_ticket.js).
clientside_callback(
    ClientsideFunction(namespace="newTicket", function_name="previewAfterPause"),
    Output("new-preview-text", "data"),
    Input("new-description", "value"),
    Input("new-title", "value"),
    prevent_initial_call=True,
)


clientside_callback(
    ClientsideFunction(namespace="newTicket", function_name="forgetPause"),
    Output("new-preview-text", "data", allow_duplicate=True),
    Input("new-submit", "n_clicks"),
    prevent_initial_call=True,
)


@callback(
    Output("new-preview", "children"),
    Input("new-preview-text", "data"),
    State(SESSION_ID, "data"),
    prevent_initial_call=True,
)
def preview_callback(text, session):  # type: ignore[no-untyped-def]
    return preview(text, store_for(session))


clientside_callback(
    ClientsideFunction(namespace="drafts", function_name="restoreNewTicket"),
    Output("new-description", "value"),
    Output("new-title", "value"),
    Output("new-location", "value"),
    Input("new-draft-restore", "data"),
)

clientside_callback(
    ClientsideFunction(namespace="drafts", function_name="saveNewTicket"),
    Output("new-draft", "data"),
    Input("new-description", "value"),
    Input("new-title", "value"),
    Input("new-location", "value"),
    prevent_initial_call=True,
)


@callback(
    Output(URL_ID, "pathname", allow_duplicate=True),
    Output(NOTICE_ID, "data", allow_duplicate=True),
    Output("new-draft", "clear_data"),
    Output("new-alert", "children"),
    Output(MINE_ID, "data", allow_duplicate=True),
    *[Output(f"new-{name}", "value", allow_duplicate=True) for name in CLEARED],
    *[Output(f"new-{name}", "invalid") for name in FIELDS],
    *[Output(f"new-{name}-feedback", "children") for name in FIELDS],
    Input("new-submit", "n_clicks"),
    *[State(f"new-{name}", "value") for name in FIELDS],
    State("new-photo", "contents"),
    State(SESSION_ID, "data"),
    State(MINE_ID, "data"),
    running=[
        (Output("new-submit", "disabled"), True, False),
        (Output("new-submit", "children"), "Sending…", "Submit ticket"),
    ],
    prevent_initial_call=True,
)
def submit_callback(clicks, description, title, location, reporter, contact, photo,  # type: ignore[no-untyped-def]
                    session, mine):
    if not clicks:
        return no_update, no_update, no_update, no_update, no_update, *[no_update] * (len(CLEARED) + 2 * len(FIELDS))
    fields = {"description": description, "title": title, "location": location, "reporter": reporter,
              "contact": contact}
    answer = submit(fields, store_for(session), photo)
    followed = answer.followed
    return (
        answer.pathname,
        answer.notice,
        followed is not None,  # sent: the draft is done with
        answer.alert,
        remember(mine, followed, followed["follow_token"], reported=True) if followed else no_update,
        # Sent, but the page stays (its photo was refused): empty the form, so a second click sends nothing twice.
        *[None if followed and answer.pathname is no_update else no_update for _ in CLEARED],
        *[answer.invalid[name] for name in FIELDS],
        *[answer.feedback[name] for name in FIELDS],
    )
