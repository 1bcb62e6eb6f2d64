"""Printable QR codes for locations (staff): each opens the new-ticket page with its location filled in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html
from flask import Response, abort, request

from ..follow_client import location_url, qr_png, qr_svg, svg_data_uri
from ..session import SESSION_ID, role_of

LOCATION_LIMIT = 200


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1("QR codes for locations", className="h3"),
            html.P("Print one for every lab door or lecture hall: scanning it opens the report form with the "
                   "location filled in.", className="text-secondary"),
            html.Div(id="codes-staff-only"),
            dbc.InputGroup(
                [
                    dbc.Input(id="codes-location", maxlength=LOCATION_LIMIT, placeholder="Building C, lab 2.14"),
                    dbc.Button("Make QR code", id="codes-make", color="primary", n_clicks=0),
                ],
                class_name="mb-3",
            ),
            html.Div(id="codes-result"),
        ]
    )


dash.register_page(__name__, path="/location-codes", title="QR codes for locations · Campus Helpdesk",
                   name="QR codes for locations", layout=layout)


def code_card(location: str | None, role: str) -> Any:
    """Return the QR code of *location* with its address and download links (staff only)."""
    if role != "staff":
        return dbc.Alert("QR codes for locations are made by helpdesk staff. Choose the staff role to make one.",
                         color="warning", id="codes-refused")
    location = " ".join((location or "").split())[:LOCATION_LIMIT]
    if not location:
        return html.P("Type a location to make its code.", className="text-secondary")
    target = location_url(location)
    query = urlencode({"location": location})
    return dbc.Card(
        dbc.CardBody(
            [
                html.Img(src=svg_data_uri(qr_svg(target, scale=6)), alt=f"QR code for {location}", id="codes-qr",
                         width=240, height=240),
                html.H2(html.Bdi(location), className="h5 mt-2", id="codes-label"),
                html.Code(target, className="d-block text-break mb-2", id="codes-target"),
                html.A("Download SVG", href=f"/qr/location.svg?{query}", className="btn btn-outline-primary me-2",
                       id="codes-svg", download=""),
                html.A("Download PNG", href=f"/qr/location.png?{query}", className="btn btn-outline-primary",
                       id="codes-png", download=""),
            ]
        ),
        class_name="text-center",
        style={"maxWidth": "24rem"},
    )


@callback(
    Output("codes-result", "children"),
    Input("codes-make", "n_clicks"),
    Input("codes-location", "n_submit"),
    State("codes-location", "value"),
    State(SESSION_ID, "data"),
)
def code_callback(_clicks, _submit, location, session):  # type: ignore[no-untyped-def]
    return code_card(location, role_of(session))


def location_code_file(kind: str) -> Response:
    """Serve the QR code of ?location= as an SVG or PNG file to save and print."""
    location = " ".join(request.args.get("location", "").split())[:LOCATION_LIMIT]
    if not location:
        abort(400)
    target = location_url(location)
    if kind == "svg":
        body, mimetype = qr_svg(target, scale=10).encode(), "image/svg+xml"
    else:
        body, mimetype = qr_png(target), "image/png"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="location-code.{kind}"'
    return response


server = dash.get_app().server
server.add_url_rule("/qr/location.svg", "location_code_svg", lambda: location_code_file("svg"))
server.add_url_rule("/qr/location.png", "location_code_png", lambda: location_code_file("png"))
