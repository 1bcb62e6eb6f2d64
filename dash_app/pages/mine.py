"""My tickets: what this browser reported or followed, with the current status and unread staff replies."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from ..follow_client import MINE_ID, FollowClient, staff_replies
from ..present import status_label, ticket_heading, ticket_number
from ..service_errors import NotFound, ServiceError

REFRESH_MS = 10_000


def layout(**_query: Any) -> html.Div:
    return html.Div(
        [
            html.H1("My tickets", className="h3"),
            html.P("The tickets you reported or followed in this browser. Nobody else sees this list; it is kept "
                   "in this browser only.", className="text-secondary"),
            dcc.Interval(id="mine-refresh", interval=REFRESH_MS),
            html.Div(id="mine-list", **{"aria-live": "polite"}),
        ]
    )


dash.register_page(__name__, path="/mine", title="My tickets · Campus Helpdesk", name="My tickets", order=3,
                   layout=layout)


def mine_rows(mine: list[dict[str, Any]] | None, client: FollowClient) -> Any:
    """Return the list of remembered tickets, each with its status and unread staff replies."""
    entries = [entry for entry in (mine or []) if isinstance(entry, dict) and entry.get("token")]
    if not entries:
        return html.P(["Nothing here yet. ", dcc.Link("Report a problem", href="/tickets/new"),
                       " or open a follow link, and it appears here."], id="mine-empty")
    rows = []
    for entry in entries:
        link = f"/follow/{entry['token']}"
        try:
            followed = client.followed(entry["token"])
        except NotFound:
            rows.append(html.Li([html.Span(ticket_number(entry.get("id")) + " "), html.Bdi(entry.get("title") or ""),
                                 html.Span(" · this link no longer works", className="text-secondary")],
                                className="list-group-item mine-item"))
            continue
        except ServiceError as error:
            return dbc.Alert(error.message, color="warning", id="mine-unavailable")
        unread = max(staff_replies(followed) - int(entry.get("seen") or 0), 0)
        rows.append(html.Li(
            [
                dcc.Link([ticket_number(followed["id"]), " ", html.Bdi(ticket_heading(followed))], href=link,
                         className="fw-semibold me-2"),
                dbc.Badge(status_label(followed.get("status")), color="secondary", class_name="me-2 mine-status"),
                dbc.Badge(f"{unread} new {'reply' if unread == 1 else 'replies'}", color="danger",
                          class_name="mine-unread") if unread else None,
                html.Span(" · reported here" if entry.get("reported") else " · followed", className="small"),
            ],
            className="list-group-item mine-item",
            id={"type": "mine-item", "id": followed["id"]},
        ))
    return html.Ul(rows, className="list-group")


@callback(Output("mine-list", "children"), Input("mine-refresh", "n_intervals"), Input(MINE_ID, "data"))
def mine_callback(_tick, mine):  # type: ignore[no-untyped-def]
    return mine_rows(mine, FollowClient())
