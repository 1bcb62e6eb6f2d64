"""The follow page's photos: thumbnails that open full size, and "Add a photo" while the ticket is not closed."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from ..follow_client import FollowClient
from ..photo_views import PHOTO_HINT, PHOTO_TYPES_ACCEPTED, full_size_view, thumbnail_buttons
from ..photos_client import MAX_PHOTO_BYTES, uploaded_photo
from ..service_errors import ServiceError

HIDDEN = {"display": "none"}
SHOWN: dict[str, str] = {}


def follow_photos_card() -> dbc.Card:
    """Return the photos card of the follow page (filled by its callbacks)."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Photos", className="h5"),
                html.Div(id="follow-photos", className="d-flex flex-wrap gap-2 mb-2"),
                html.Div(
                    [
                        dcc.Upload(
                            dbc.Button("Add a photo", color="outline-primary", id="follow-photo-add"),
                            id="follow-photo-upload", accept=PHOTO_TYPES_ACCEPTED, max_size=MAX_PHOTO_BYTES,
                            multiple=False,
                        ),
                        dbc.FormText(PHOTO_HINT),
                    ],
                    id="follow-photo-form",
                    style=HIDDEN,
                ),
                html.Div(id="follow-photo-alert", role="alert", className="mt-2"),
                dcc.Store(id="follow-photo-state"),
                dcc.Store(id="follow-photos-key"),
                full_size_view("follow-photo"),
            ]
        ),
        id="follow-photos-card",
        class_name="mb-3",
    )


def photo_state(followed: dict[str, Any]) -> dict[str, Any]:
    """Return what decides the photos card: the ticket, how many photos it has, whether it is closed."""
    return {"id": followed.get("id"), "photos": int(followed.get("attachment_count") or 0),
            "closed": followed.get("status") == "closed"}


def thumbnails(client: FollowClient, token: str) -> list[Any]:
    """Return the followed ticket's thumbnails, each a button that opens the photo full size."""
    return thumbnail_buttons(client.photos(token), client.photo_data_url, "follow-photo", "your ticket")


@callback(
    Output("follow-photos", "children"),
    Output("follow-photos-key", "data"),
    Output("follow-photo-form", "style"),
    Input("follow-photo-state", "data"),
    State("follow-photos-key", "data"),
    State("follow-token", "data"),
)
def show_photos(state, key, token):  # type: ignore[no-untyped-def]
    if not state or not token:
        return no_update, no_update, no_update
    form_style = HIDDEN if state["closed"] else SHOWN
    if state == key:  # nothing new: keep the thumbnails shown (the page refreshes every few seconds)
        return no_update, no_update, form_style
    if not state["photos"]:
        return html.Span("No photos yet.", className="text-secondary"), state, form_style
    try:
        shown = thumbnails(FollowClient(), token)
    except ServiceError as error:
        return html.Span(f"The photos cannot be shown right now. {error.message}", className="text-secondary"), \
            no_update, form_style
    return shown, state, form_style


@callback(
    Output("follow-photo-alert", "children"),
    Output("follow-refresh", "n_intervals", allow_duplicate=True),
    Input("follow-photo-upload", "contents"),
    State("follow-token", "data"),
    State("follow-refresh", "n_intervals"),
    prevent_initial_call=True,
)
def add_photo(contents, token, ticks):  # type: ignore[no-untyped-def]
    photo = uploaded_photo(contents)
    if photo is None:
        return dbc.Alert("Choose a JPEG, PNG or WebP photo.", color="danger", id="follow-photo-error"), no_update
    try:
        FollowClient().add_photo(token, photo[1], photo[0])
    except ServiceError as error:
        return dbc.Alert(["The photo was not added. ", error.message], color="danger",
                         id="follow-photo-error"), no_update
    return dbc.Alert("Photo added.", color="success", id="follow-photo-added", duration=4000), (ticks or 0) + 1


@callback(
    Output("follow-photo-modal", "is_open"),
    Output("follow-photo-full", "src"),
    Input({"type": "follow-photo", "path": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def open_photo(clicks):  # type: ignore[no-untyped-def]
    if not ctx.triggered_id or not any(clicks):
        return no_update, no_update
    try:
        return True, FollowClient().photo_data_url(ctx.triggered_id["path"])
    except ServiceError:
        return no_update, no_update
