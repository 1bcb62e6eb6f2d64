"""The reporter's page of their ticket, reached through its follow link: thread, answers, rating after close."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from ..follow_client import MINE_ID, FollowClient, follow_url, qr_svg, remember, staff_replies, svg_data_uri
from ..present import format_time, status_label, ticket_heading, ticket_number
from ..service_errors import InvalidInput, NotFound, ServiceError
from .follow_photos import follow_photos_card, photo_state

REFRESH_MS = 3000
HIDDEN = {"display": "none"}
SHOWN: dict[str, str] = {}
RATINGS = [{"label": f" {value}", "value": value} for value in range(1, 6)]


def layout(token: str | None = None, **_query: Any) -> html.Div:
    return html.Div(
        [
            dcc.Store(id="follow-token", data=token or ""),
            dcc.Interval(id="follow-refresh", interval=REFRESH_MS),
            html.Div(id="follow-alert", role="alert"),
            html.Div(id="follow-header", className="mb-3"),
            dbc.Card(dbc.CardBody(id="follow-details"), class_name="mb-3"),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H2("Messages", className="h5"),
                        html.Div(id="follow-thread", className="mb-3", **{"aria-live": "polite"}),
                        html.Div(
                            [
                                dbc.Label("Answer the helpdesk", html_for="follow-message-body"),
                                dbc.Textarea(id="follow-message-body", rows=3, maxlength=10000),
                                html.Div(id="follow-message-alert", role="alert", className="mt-2"),
                                dbc.Button("Send message", id="follow-message-send", color="primary", n_clicks=0,
                                           class_name="mt-2"),
                            ],
                            id="follow-message-form",
                            style=HIDDEN,
                        ),
                    ]
                ),
                class_name="mb-3",
            ),
            follow_photos_card(),
            html.Div(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.H2("How did we do?", className="h5"),
                            html.P("Your ticket is closed. Rate how it was handled, from 1 (poor) to 5 (very good).",
                                   className="text-secondary"),
                            dbc.RadioItems(id="follow-rating-value", options=RATINGS, inline=True, class_name="mb-2"),
                            dbc.Textarea(id="follow-rating-comment", rows=2, maxlength=2000,
                                         placeholder="A comment (optional)"),
                            html.Div(id="follow-rating-alert", role="alert", className="mt-2"),
                            dbc.Button("Send rating", id="follow-rating-send", color="primary", n_clicks=0,
                                       class_name="mt-2"),
                        ]
                    ),
                    class_name="mb-3",
                ),
                id="follow-rating-box",
                style=HIDDEN,
            ),
            html.Div(id="follow-rated"),
        ]
    )


dash.register_page(__name__, path_template="/follow/<token>", title="Your ticket · Campus Helpdesk",
                   name="Your ticket", layout=layout)


@dataclass
class FollowView:
    """What the follow page shows for one answer of the store."""

    alert: Any = None
    header: Any = None
    details: Any = None
    thread: Any = None
    form_style: dict[str, str] = field(default_factory=lambda: HIDDEN)
    rating_style: dict[str, str] = field(default_factory=lambda: HIDDEN)
    rated: Any = None
    mine: Any = no_update
    photos: Any = no_update


def thread_items(messages: list[dict[str, Any]], zone: Any) -> Any:
    """Return the thread as a list, the helpdesk's answers marked as such."""
    if not messages:
        return html.P("No messages yet. The helpdesk's answers appear here.", className="text-secondary mb-0")
    items = []
    for message in messages:
        staff = message.get("author_role") == "staff"
        who = message.get("author_name") or ("Helpdesk" if staff else "You")
        items.append(html.Li(
            [
                html.Div([html.Strong(html.Bdi(who)), html.Span(" · helpdesk" if staff else "", className="small"),
                          html.Span(f" · {format_time(message.get('created_at'), zone)}",
                                    className="small text-secondary")]),
                html.Div(html.Bdi(message.get("body", "")), style={"whiteSpace": "pre-wrap"}),
            ],
            className="follow-message follow-staff" if staff else "follow-message",
        ))
    return html.Ul(items, className="list-unstyled mb-0 d-grid gap-3")


def follow_view(token: str, mine: list[dict[str, Any]] | None, client: FollowClient) -> FollowView:
    """Return the page for *token*; remember the ticket in this browser and mark its replies read."""
    view = FollowView()
    try:
        followed = client.followed(token)
    except NotFound:
        view.alert = dbc.Alert("This follow link does not lead to a ticket. It may have been replaced by a newer "
                               "link; ask the helpdesk for a new one.", color="warning", id="follow-unknown")
        return view
    except ServiceError as error:
        view.alert = dbc.Alert(error.message, color="warning", id="follow-unavailable")
        return view
    zone = client.settings.zone
    status = followed.get("status")
    view.header = html.Div([
        html.H1([ticket_number(followed["id"]), " ", html.Bdi(ticket_heading(followed))], className="h3",
                id="follow-heading"),
        dbc.Badge(status_label(status), color={"open": "primary", "active": "warning", "closed": "secondary"}
                  .get(status, "secondary"), id="follow-status"),
    ])
    view.details = html.Dl([
        html.Dt("What you reported"), html.Dd(html.Bdi(followed.get("description", "")),
                                              style={"whiteSpace": "pre-wrap"}, id="follow-description"),
        html.Dt("Where"), html.Dd(html.Bdi(followed.get("location") or "—")),
        html.Dt("Reported"), html.Dd(format_time(followed.get("opened_at"), zone)),
        *([html.Dt("Closed"), html.Dd(format_time(followed.get("closed_at"), zone))] if followed.get("closed_at")
          else []),
    ], className="mb-0")
    view.thread = thread_items(followed.get("messages", []), zone)
    view.photos = photo_state(followed)
    view.form_style = HIDDEN if status == "closed" else SHOWN
    rating = followed.get("rating")
    view.rating_style = SHOWN if status == "closed" and rating is None else HIDDEN
    if rating:
        view.rated = dbc.Alert(f"You rated this ticket {rating['rating']} of 5. Thank you!", color="success",
                               id="follow-rating-done")
    updated = remember(mine, followed, token, reported=False, seen=staff_replies(followed))
    view.mine = updated if updated != (mine or []) else no_update
    return view


@callback(
    Output("follow-alert", "children"),
    Output("follow-header", "children"),
    Output("follow-details", "children"),
    Output("follow-thread", "children"),
    Output("follow-message-form", "style"),
    Output("follow-rating-box", "style"),
    Output("follow-rated", "children"),
    Output(MINE_ID, "data", allow_duplicate=True),
    Output("follow-photo-state", "data"),
    Input("follow-token", "data"),
    Input("follow-refresh", "n_intervals"),
    State(MINE_ID, "data"),
    prevent_initial_call="initial_duplicate",
)
def follow_view_callback(token, _tick, mine):  # type: ignore[no-untyped-def]
    view = follow_view(token or "", mine, FollowClient())
    return (view.alert, view.header, view.details, view.thread, view.form_style, view.rating_style, view.rated,
            view.mine, view.photos)


@callback(
    Output("follow-message-alert", "children"),
    Output("follow-message-body", "value"),
    Output("follow-refresh", "n_intervals", allow_duplicate=True),
    Input("follow-message-send", "n_clicks"),
    State("follow-token", "data"),
    State("follow-message-body", "value"),
    State("follow-refresh", "n_intervals"),
    prevent_initial_call=True,
)
def send_message_callback(clicks, token, body, ticks):  # type: ignore[no-untyped-def]
    if not clicks:
        return no_update, no_update, no_update
    try:
        FollowClient().post_message(token, body or "")
    except InvalidInput as error:
        return dbc.Alert(error.message, color="danger"), no_update, no_update
    except ServiceError as error:
        return dbc.Alert([error.message, " Your text is still here."], color="danger"), no_update, no_update
    return None, "", (ticks or 0) + 1


@callback(
    Output("follow-rating-alert", "children"),
    Output("follow-refresh", "n_intervals", allow_duplicate=True),
    Input("follow-rating-send", "n_clicks"),
    State("follow-token", "data"),
    State("follow-rating-value", "value"),
    State("follow-rating-comment", "value"),
    State("follow-refresh", "n_intervals"),
    prevent_initial_call=True,
)
def rate_callback(clicks, token, rating, comment, ticks):  # type: ignore[no-untyped-def]
    if not clicks:
        return no_update, no_update
    if not rating:
        return dbc.Alert("Choose a rating from 1 to 5 first.", color="warning"), no_update
    try:
        FollowClient().rate(token, int(rating), comment)
    except ServiceError as error:
        return dbc.Alert(error.message, color="danger"), no_update
    return None, (ticks or 0) + 1


def confirmation(ticket_id: Any, mine: list[dict[str, Any]] | None, base: str | None = None) -> Any:
    """Return the follow link card for a ticket this browser reported, else nothing."""
    entry = next((item for item in (mine or []) if isinstance(item, dict) and item.get("id") == ticket_id
                  and item.get("reported") and item.get("token")), None)
    if entry is None:
        return None
    link = follow_url(entry["token"], base)
    return dbc.Alert(
        [
            html.H2("Your ticket is in. Keep this link to follow it", className="h6"),
            html.P("It shows the helpdesk's answers and lets you reply and, once it is closed, rate it. Anyone "
                   "with the link can do the same, so keep it to yourself. This browser also lists it under "
                   "My tickets.", className="small mb-2"),
            html.Div([
                html.Code(link, id="follow-link-text", className="text-break me-2"),
                dcc.Clipboard(target_id="follow-link-text", title="Copy the link", id="follow-link-copy",
                              className="btn btn-outline-secondary btn-sm"),
            ], className="d-flex align-items-center flex-wrap gap-2 mb-2"),
            html.Div([
                html.Img(src=svg_data_uri(qr_svg(link)), alt=f"QR code of the follow link {link}",
                         id="follow-link-qr", width=132, height=132, className="me-3"),
                html.Div([dcc.Link("Open the follow page", href=f"/follow/{entry['token']}", id="follow-link-open"),
                          html.Br(), dcc.Link("My tickets", href="/mine")], className="small"),
            ], className="d-flex align-items-center"),
        ],
        color="success",
        id="follow-confirmation-card",
    )


# The ticket page has an empty slot for this card ("follow-confirmation"), filled for its reporter.
@callback(
    Output("follow-confirmation", "children"),
    Input("ticket-id", "data"),
    State(MINE_ID, "data"),
)
def confirmation_callback(ticket_id, mine):  # type: ignore[no-untyped-def]
    return confirmation(ticket_id, mine)

