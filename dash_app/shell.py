"""The frame around every page: the remembered role, the navbar and its role switch."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from .follow_client import MINE_ID
from .session import NOTICE_ID, NOTICE_MS, SESSION_ID, URL_ID, make_session, name_of, role_of, store_for
from .store_status import CHECK_MS, status_banner, store_state
from .triggers import pressed

ROLE_OPTIONS = [{"label": "User", "value": "user"}, {"label": "Staff", "value": "staff"}]


def navbar() -> dbc.Navbar:
    """Return the navbar: brand, role switch (always visible) and the page links."""
    role_switch = html.Div(
        [
            html.Span("Role", className="navbar-text small me-2 d-none d-sm-inline", id="navbar-role-label"),
            html.Div(
                dbc.RadioItems(
                    id="navbar-role",
                    options=ROLE_OPTIONS,
                    value="user",
                    class_name="btn-group",
                    input_class_name="btn-check",
                    label_class_name="btn btn-outline-light btn-sm",
                    label_checked_class_name="active",
                ),
                className="role-switch",
                role="group",
                **{"aria-labelledby": "navbar-role-label"},
            ),
            html.Span(id="navbar-name", className="navbar-text small ms-2 d-none d-md-inline text-truncate"),
        ],
        className="d-flex align-items-center order-lg-last ms-auto me-2 me-lg-0",
    )
    links = dbc.Nav(
        [
            dbc.NavItem(dbc.NavLink("Tickets", href="/tickets", active="exact", id="navbar-tickets")),
            dbc.NavItem(dbc.NavLink("Report a problem", href="/tickets/new", active="exact", id="navbar-new")),
            dbc.NavItem(dbc.NavLink("My tickets", href="/mine", active="exact", id="navbar-mine")),
            dbc.NavItem(
                dbc.NavLink("Analytics", href="/analytics", active="exact"),
                id="navbar-analytics",
                style={"display": "none"},
            ),
            dbc.NavItem(dbc.NavLink("Change role", href="/", active="exact")),
        ],
        navbar=True,
    )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Campus Helpdesk", href="/tickets", class_name="me-auto me-lg-4"),
                role_switch,
                dbc.NavbarToggler(id="navbar-toggler", n_clicks=0),
                dbc.Collapse(links, id="navbar-collapse", is_open=False, navbar=True),
            ],
            fluid="lg",
        ),
        color="dark",
        dark=True,
        expand="lg",
        class_name="mb-3",
    )


def layout() -> html.Div:
    """Return the whole app's layout around ``dash.page_container``."""
    return html.Div(
        [
            dcc.Store(id=SESSION_ID, storage_type="local"),
            dcc.Store(id=MINE_ID, storage_type="local"),  # "My tickets": reported or followed here
            dcc.Location(id=URL_ID, refresh="callback-nav"),
            navbar(),
            html.Main(
                dbc.Container(
                    [html.Div(id="shell-store-banner", role="status"), dash.page_container],
                    fluid="lg",
                    class_name="pb-5",
                ),
                id="main",
            ),
            dcc.Interval(id="shell-store-check", interval=CHECK_MS),
            dcc.Store(id="shell-store-state"),
            dcc.Store(id=NOTICE_ID),
            html.Div(
                dbc.Toast(id="shell-toast", header="Done", is_open=False, dismissable=True, duration=NOTICE_MS),
                role="status",
                className="shell-toast",
            ),
        ]
    )


@callback(Output("shell-toast", "children"), Output("shell-toast", "is_open"), Input(NOTICE_ID, "data"),
          prevent_initial_call=True)
def notice_callback(notice: dict[str, Any] | None) -> tuple[Any, bool]:
    """Confirm what was just done in a toast (pages write the notice; it closes by itself)."""
    if not notice or not notice.get("text"):
        return no_update, False
    return notice["text"], True


def sync_role(session: dict[str, Any] | None, switch_value: str | None, triggered: str | None) -> tuple[Any, Any]:
    """Keep the navbar switch and the remembered session in step; return (session, switch)."""
    if triggered == "navbar-role" and switch_value in ("user", "staff"):
        if session and role_of(session) == switch_value:
            return no_update, no_update
        return make_session(switch_value, name_of(session)), no_update
    role = role_of(session)
    return no_update, (role if role != switch_value else no_update)


@callback(
    Output(SESSION_ID, "data"),
    Output("navbar-role", "value"),
    Input(SESSION_ID, "data"),
    Input("navbar-role", "value"),
)
def sync_role_callback(session: dict[str, Any] | None, switch_value: str | None) -> tuple[Any, Any]:
    return sync_role(session, switch_value, ctx.triggered_id)


def navbar_for(session: dict[str, Any] | None) -> tuple[dict[str, str], str]:
    """Return the analytics link's style and the name text for a session."""
    show_analytics = {"display": "block"} if role_of(session) == "staff" else {"display": "none"}
    name = name_of(session)
    return show_analytics, (f"as {name}" if name else "")


@callback(Output("navbar-analytics", "style"), Output("navbar-name", "children"), Input(SESSION_ID, "data"))
def navbar_for_callback(session: dict[str, Any] | None) -> tuple[dict[str, str], str]:
    return navbar_for(session)


@callback(
    Output("navbar-collapse", "is_open"),
    Input("navbar-toggler", "n_clicks"),
    Input("_pages_location", "pathname"),
    State("navbar-collapse", "is_open"),
    prevent_initial_call=True,
)
def toggle_navbar(_clicks: int, _pathname: str, is_open: bool) -> bool:
    # A page change closes the menu on a phone; the toggler opens and closes it.
    if ctx.triggered_id == "navbar-toggler":
        return not is_open if pressed(ctx.triggered) else no_update
    return False


@callback(
    Output("shell-store-banner", "children"),
    Output("shell-store-state", "data"),
    Input("shell-store-check", "n_intervals"),
    State("shell-store-state", "data"),
    State(SESSION_ID, "data"),
)
def store_status_callback(_n, before, session):  # type: ignore[no-untyped-def]
    state = store_state(store_for(session))
    if state == before:
        return no_update, no_update
    return status_banner(state, before), state
