"""The ticket page's photos (thumbnails that open full size, "Add a photo" that also opens a phone's camera),
how many people reported the problem, and the staff's merge of a duplicate."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from ...photo_views import PHOTO_HINT, PHOTO_TYPES_ACCEPTED, full_size_view, thumbnail_buttons
from ...photos_client import MAX_PHOTO_BYTES, ReportOnceClient, uploaded_photo
from ...service_errors import ServiceError
from ...session import role_of

MAX_PHOTOS = 20


def client(session: dict | None) -> ReportOnceClient:
    """Return the reporting-once client speaking with the session's role."""
    return ReportOnceClient(role_of(session))


def photos_card() -> dbc.Card:
    """Return the photos card: the thumbnails, the upload button and the full-size view."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Photos", className="h5"),
                html.P(id="ticket-reported-by", className="text-secondary small mb-2"),
                html.Div(id="ticket-photos", className="d-flex flex-wrap gap-2 mb-2"),
                dcc.Upload(
                    dbc.Button("Add a photo", color="outline-primary", id="ticket-photo-add"),
                    id="ticket-photo-upload",
                    accept=PHOTO_TYPES_ACCEPTED,
                    max_size=MAX_PHOTO_BYTES,
                    multiple=False,
                ),
                dbc.FormText(PHOTO_HINT),
                html.Div(id="ticket-photo-alert", role="alert", className="mt-2"),
                dcc.Store(id="ticket-photos-key"),
                full_size_view("ticket-photo"),
            ]
        ),
        id="ticket-photos-card",
        class_name="mb-3",
    )


def merge_card() -> html.Div:
    """Return the staff's merge control: close this ticket as a duplicate of another."""
    return html.Div(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H2("Duplicate?", className="h6"),
                    dbc.Label("Merge this ticket into ticket number", html_for="ticket-merge-into"),
                    dbc.InputGroup([
                        dbc.InputGroupText("#"),
                        dbc.Input(id="ticket-merge-into", type="number", min=1, step=1),
                        dbc.Button("Merge", id="ticket-merge", color="secondary", n_clicks=0),
                    ]),
                    html.Div(id="ticket-merge-alert", role="alert", className="mt-2"),
                ]
            ),
            class_name="mb-3",
        ),
        id="ticket-merge-box",
        style={"display": "none"},
    )


def reported_by(ticket: dict[str, Any]) -> Any:
    """Return "N people reported this" and, for a merged ticket, where it went."""
    people = 1 + int(ticket.get("me_too_count") or 0)
    parts: list[Any] = [f"{people} people reported this." if people > 1 else "1 person reported this."]
    if ticket.get("merged_into"):
        number = ticket["merged_into"]
        parts += [" Merged into ", dcc.Link(f"#{number}", href=f"/tickets/{number}", id="ticket-merged-into"), "."]
    return parts


def thumbnails(store: ReportOnceClient, ticket_id: int) -> list[Any]:
    """Return the ticket's thumbnails, each a button that opens the photo full size."""
    return thumbnail_buttons(store.photos(ticket_id), store.photo_data_url, "ticket-photo", "the ticket")


@callback(
    Output("ticket-photos", "children"),
    Output("ticket-photos-key", "data"),
    Output("ticket-reported-by", "children"),
    Output("ticket-photo-upload", "disabled"),
    Output("ticket-merge-box", "style"),
    Input("ticket-data", "data"),
    State("ticket-photos-key", "data"),
    State("shell-session", "data"),
)
def show_photos(ticket, key, session):  # type: ignore[no-untyped-def]
    if not ticket:
        return no_update, no_update, no_update, no_update, no_update
    closed = ticket.get("status") == "closed"
    merge_style = {"display": "block"} if role_of(session) == "staff" and not closed else {"display": "none"}
    new_key = [ticket["id"], ticket.get("attachment_count", 0)]
    if new_key == key:
        return no_update, no_update, reported_by(ticket), closed, merge_style
    try:
        shown = thumbnails(client(session), ticket["id"])
    except ServiceError as error:
        return html.Span(f"The photos cannot be shown right now. {error.message}", className="text-secondary"), \
            no_update, reported_by(ticket), closed, merge_style
    return shown or html.Span("No photos yet.", className="text-secondary"), new_key, reported_by(ticket), closed, \
        merge_style


@callback(
    Output("ticket-photo-alert", "children"),
    Output("ticket-photos-key", "data", allow_duplicate=True),
    Input("ticket-photo-upload", "contents"),
    State("ticket-id", "data"),
    State("shell-session", "data"),
    prevent_initial_call=True,
)
def add_photo(contents, ticket_id, session):  # type: ignore[no-untyped-def]
    photo = uploaded_photo(contents)
    if photo is None:
        return dbc.Alert("Choose a JPEG, PNG or WebP photo.", color="danger", id="ticket-photo-error"), no_update
    try:
        client(session).add_photo(ticket_id, photo[1], photo[0])
    except ServiceError as error:
        return dbc.Alert(error.message, color="danger", id="ticket-photo-error"), no_update
    return dbc.Alert("Photo added.", color="success", id="ticket-photo-added", duration=4000), None


@callback(
    Output("ticket-photo-modal", "is_open"),
    Output("ticket-photo-full", "src"),
    Input({"type": "ticket-photo", "path": ALL}, "n_clicks"),
    State("shell-session", "data"),
    prevent_initial_call=True,
)
def open_photo(clicks, session):  # type: ignore[no-untyped-def]
    if not ctx.triggered_id or not any(clicks):
        return no_update, no_update
    try:
        return True, client(session).photo_data_url(ctx.triggered_id["path"])
    except ServiceError:
        return no_update, no_update


@callback(
    Output("ticket-merge-alert", "children"),
    Input("ticket-merge", "n_clicks"),
    State("ticket-merge-into", "value"),
    State("ticket-id", "data"),
    State("shell-session", "data"),
    prevent_initial_call=True,
)
def merge(clicks, into, ticket_id, session):  # type: ignore[no-untyped-def]
    if not clicks:
        return no_update
    if not into:
        return dbc.Alert("Name the ticket to merge into.", color="danger")
    try:
        client(session).merge(ticket_id, int(into))
    except ServiceError as error:
        return dbc.Alert(error.message, color="danger", id="ticket-merge-error")
    return dbc.Alert(["Merged into ", dcc.Link(f"#{int(into)}", href=f"/tickets/{int(into)}"), "."],
                     color="success", id="ticket-merge-done")
