"""The new-ticket page's optional photo: chosen with the form, sent right after the ticket is created."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from ..follow_client import FollowClient
from ..photo_views import PHOTO_TYPES_ACCEPTED
from ..photos_client import MAX_PHOTO_BYTES, uploaded_photo
from ..present import ticket_number
from ..service_errors import ServiceError

NOT_A_PHOTO = "This file is not a JPEG, PNG or WebP photo, so it will not be sent; choose another one."


def photo_field() -> html.Div:
    """Return the form's photo field: a button that opens the file chooser (a phone's camera), and what is chosen."""
    return html.Div(
        [
            html.Div("A photo (optional)", className="form-label", id="new-photo-label"),
            dcc.Upload(
                dbc.Button("Add a photo", color="outline-primary", id="new-photo-add"),
                id="new-photo", accept=PHOTO_TYPES_ACCEPTED, max_size=MAX_PHOTO_BYTES, multiple=False,
            ),
            html.Div(id="new-photo-chosen", className="small mt-1", **{"aria-live": "polite"}),
            dbc.FormText("JPEG, PNG or WebP up to 10 MiB; on a phone this opens the camera. It is sent with the "
                         "ticket; location data and other metadata are removed.", id="new-photo-help"),
        ],
        className="mb-3",
    )


@callback(Output("new-photo-chosen", "children"), Input("new-photo", "contents"), Input("new-photo", "filename"),
          prevent_initial_call=True)
def photo_chosen(contents, filename):  # type: ignore[no-untyped-def]
    if not contents:
        return None
    if uploaded_photo(contents) is None:
        return html.Span(NOT_A_PHOTO, className="text-danger", id="new-photo-wrong")
    return html.Span(["Photo chosen: ", html.Bdi(filename or "photo"), ". It is sent with the ticket."],
                     id="new-photo-ready")


def attach_photo(ticket: dict[str, Any], contents: str | None, client: FollowClient) -> Any:
    """Send the chosen photo through the new ticket's follow link; return an alert when it was refused, else None."""
    if not contents:
        return None
    photo = uploaded_photo(contents)
    number = ticket_number(ticket["id"])
    try:
        if photo is None:
            raise ValueError(NOT_A_PHOTO)
        client.add_photo(ticket["follow_token"], photo[1], photo[0])
    except (ServiceError, ValueError) as error:
        reason = error.message if isinstance(error, ServiceError) else str(error)
        return dbc.Alert(
            [html.Strong(f"Ticket {number} was created, but the photo was not added. "), reason, " ",
             dcc.Link(f"Open ticket {number}", href=f"/tickets/{ticket['id']}", id="new-photo-ticket-link"),
             " to add another photo; do not send the ticket again."],
            color="warning", id="new-photo-error",
        )
    return None
