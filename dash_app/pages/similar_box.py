"""The new-ticket page's "Is it one of these?" box with "Me too", and the known-issue notices that match.

Both follow what the person types (the page's debounced preview text) and where (the location field).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import MATCH, Input, Output, State, callback, ctx, html, no_update

from ..photos_client import ReportOnceClient
from ..service_errors import ServiceError
from ..session import role_of

#: Suggestions need this many letters: three words say too little to find the same problem.
MIN_LETTERS = 12


def client(session: dict | None) -> ReportOnceClient:
    return ReportOnceClient(role_of(session))


def similar_box() -> html.Div:
    """Return the (empty) notices and "Is it one of these?" areas."""
    return html.Div(
        [
            html.Div(id="new-notices", **{"aria-live": "polite"}),
            html.Div(id="new-similar", className="mt-3", **{"aria-live": "polite"}),
        ]
    )


def notices_view(notices: list[dict[str, Any]]) -> Any:
    """Return the notices as alerts people read before they write the same report."""
    return [dbc.Alert([html.Strong("Known issue: "), notice["text"]], color="info", className="new-notice mt-3",
                      id={"type": "new-notice", "notice": notice["id"]})
            for notice in notices]


def similar_view(tickets: list[dict[str, Any]]) -> Any:
    """Return the similar tickets, each with its "Me too" button."""
    if not tickets:
        return None
    rows = []
    for ticket in tickets:
        people = 1 + int(ticket.get("me_too_count") or 0)
        summary = ticket.get("title") or ticket["description"][:120]
        rows.append(dbc.ListGroupItem(
            [
                html.Div([html.A(f"#{ticket['id']} ", href=f"/tickets/{ticket['id']}"), summary],
                         className="fw-semibold"),
                html.Div(f"{ticket.get('location') or 'No place given'} · {people} "
                         f"{'people' if people > 1 else 'person'} reported this", className="small text-secondary"),
                html.Div(
                    [
                        dbc.Button("Me too", id={"type": "new-me-too", "ticket": ticket["id"]}, size="sm",
                                   color="outline-primary", n_clicks=0, class_name="mt-1 new-me-too"),
                        html.Span(id={"type": "new-me-too-done", "ticket": ticket["id"]}, className="ms-2 small"),
                    ]
                ),
            ],
            class_name="new-similar-ticket",
        ))
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Is it one of these?", className="h6"),
                html.P("If your problem is already reported, say \"Me too\": the helpdesk sees how many people it "
                       "affects.", className="small text-secondary"),
                dbc.Label("Your e-mail for updates (optional)", html_for="new-me-too-contact", class_name="small"),
                dbc.Input(id="new-me-too-contact", type="email", maxlength=254, size="sm", class_name="mb-2"),
                dbc.ListGroup(rows),
            ]
        ),
        id="new-similar-box",
    )


@callback(
    Output("new-similar", "children"),
    Output("new-notices", "children"),
    Input("new-preview-text", "data"),
    Input("new-location", "value"),
    State("shell-session", "data"),
)
def suggest(text, location, session):  # type: ignore[no-untyped-def]
    store = client(session)
    try:
        notices = notices_view(store.notices(text, location))
    except ServiceError:
        notices = no_update
    if not text or sum(character.isalpha() for character in text) < MIN_LETTERS:
        return None, notices
    try:
        return similar_view(store.similar(text[:10_000], location)), notices
    except ServiceError:
        return None, notices


@callback(
    Output({"type": "new-me-too-done", "ticket": MATCH}, "children"),
    Input({"type": "new-me-too", "ticket": MATCH}, "n_clicks"),
    State("new-me-too-contact", "value"),
    State("shell-session", "data"),
    prevent_initial_call=True,
)
def me_too(clicks, contact, session):  # type: ignore[no-untyped-def]
    if not clicks:
        return no_update
    try:
        ticket = client(session).me_too(ctx.triggered_id["ticket"], contact)
    except ServiceError as error:
        return html.Span(error.message, className="text-danger")
    return html.Span(f"Thanks: {1 + ticket['me_too_count']} people reported this.", className="text-success")


def entry_notices() -> html.Div:
    """Return the entry page's (empty) area of the notices shown now."""
    return html.Div(id="entry-notices", **{"aria-live": "polite"})


@callback(
    Output("entry-notices", "children"),
    Input("entry-next", "data"),
    State("shell-session", "data"),
)
def show_entry_notices(_next, session):  # type: ignore[no-untyped-def]
    try:
        return notices_view(client(session).notices())
    except ServiceError:
        return None
