"""Entry page: choose the role (campus user or helpdesk staff) and an optional name."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from ..present import role_label
from ..session import (
    SESSION_ID,
    URL_ID,
    Session,
    has_chosen,
    make_session,
    name_of,
    role_of,
)
from ..triggers import pressed
from .similar_box import entry_notices

#: Why a person was sent here, by the ``reason`` query parameter.
REASONS: dict[str, str] = {
    "staff-only": "The analytics are for helpdesk staff only. Choose “Helpdesk staff” below to open them.",
}


def safe_next(path: Any) -> str:
    """Return *path* when it is a page of this app, else the ticket list."""
    if isinstance(path, str) and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/tickets"


def layout(reason: str | None = None, next: str | None = None, **_query: Any) -> html.Div:  # noqa: A002
    notice = REASONS.get(reason or "")
    return html.Div(
        [
            dcc.Store(id="entry-next", data=safe_next(next)),
            html.H1("Welcome to the Campus Helpdesk", className="h3 mb-2"),
            entry_notices(),
            html.P(
                "Report a broken radiator, a Wi-Fi problem or a complaint about a campus service, "
                "and follow it until it is solved.",
                className="text-secondary",
            ),
            dbc.Alert(notice, color="warning", id="entry-reason") if notice else None,
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("How are you using the helpdesk?", className="h5"),
                        dbc.Label("Your name or contact (optional)", html_for="entry-name"),
                        dbc.Input(
                            id="entry-name",
                            type="text",
                            maxlength=80,
                            placeholder="e.g. Ana Ricci, room 2.14",
                            autocomplete="name",
                        ),
                        dbc.FormText("Shown next to your tickets and messages. There is no login."),
                        html.Div(
                            [
                                dbc.Button("I am a campus user", id="entry-choose-user", color="primary", n_clicks=0),
                                dbc.Button("I am helpdesk staff", id="entry-choose-staff", color="dark", n_clicks=0),
                            ],
                            className="d-grid gap-2 d-sm-flex mt-3",
                        ),
                        html.P(id="entry-current", className="small text-secondary mt-3 mb-0"),
                    ]
                ),
                class_name="entry-card",
            ),
        ]
    )


dash.register_page(__name__, path="/", title="Campus Helpdesk", name="Choose your role", order=0, layout=layout)


def current_choice(session: Session | None) -> str:
    """Return a sentence saying which role is remembered in this browser."""
    if not has_chosen(session):
        return "You have not chosen a role in this browser yet."
    name = name_of(session)
    who = f" as {name}" if name else ""
    return f"This browser uses the helpdesk as: {role_label(role_of(session))}{who}. You can switch at any time."


def choose_role(triggered: str | None, name: str | None, next_path: str | None) -> tuple[Any, Any]:
    """Return the session to remember and the page to go to after a choice (Enter in the name is a user's)."""
    if triggered not in ("entry-choose-user", "entry-choose-staff", "entry-name"):
        return no_update, no_update
    role = "staff" if triggered == "entry-choose-staff" else "user"
    target = safe_next(next_path)
    if role == "user" and target.startswith("/analytics"):
        target = "/tickets"
    return make_session(role, name), target


@callback(Output("entry-current", "children"), Input(SESSION_ID, "data"))
def show_current_choice(session: Session | None) -> str:
    return current_choice(session)


# A name chosen before fills the field in the browser (assets/helpdesk.js).
clientside_callback(
    ClientsideFunction(namespace="helpdesk", function_name="prefillName"),
    Output("entry-name", "value"),
    Input(SESSION_ID, "data"),
    State("entry-name", "value"),
)


@callback(
    Output(SESSION_ID, "data", allow_duplicate=True),
    Output(URL_ID, "pathname", allow_duplicate=True),
    Input("entry-choose-user", "n_clicks"),
    Input("entry-choose-staff", "n_clicks"),
    Input("entry-name", "n_submit"),
    State("entry-name", "value"),
    State("entry-next", "data"),
    prevent_initial_call=True,
)
def choose_role_callback(_user: int, _staff: int, _enter: int, name: str | None, next_path: str | None) -> tuple[Any, Any]:
    return choose_role(pressed(ctx.triggered), name, next_path)
