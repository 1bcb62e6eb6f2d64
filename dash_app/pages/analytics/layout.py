"""The analytics page's frame: the choice of analysis, the three panels, and who may see them."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from ...session import SESSION_ID
from .category import category_panel
from .common import ANALYSES, REFRESH_MS, address_state, panel_styles
from .open_since import open_since_panel
from .resolution import resolution_panel

#: Where a person who is not staff is sent instead.
STAFF_ONLY_ADDRESS = "/?reason=staff-only&next=/analytics"


def layout(**query: Any) -> html.Div:
    """Return the page with the analysis and period the address names (the open-tickets one by default)."""
    state = address_state(query)
    choice = state.view
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Analytics", className="h3 mb-0"),
                    dbc.Button("Refresh", id="analytics-refresh-now", color="outline-secondary", size="sm", n_clicks=0),
                ],
                className="d-flex justify-content-between align-items-center mb-3",
            ),
            html.Div(
                [
                    dbc.Label("Choose the analysis", html_for="analytics-choice", class_name="visually-hidden"),
                    dbc.RadioItems(
                        id="analytics-choice",
                        options=ANALYSES,
                        value=choice,
                        class_name="btn-group flex-wrap",
                        input_class_name="btn-check",
                        label_class_name="btn btn-outline-primary btn-sm",
                        label_checked_class_name="active",
                    ),
                ],
                className="role-switch analytics-choice mb-3",
            ),
            html.Div(
                [
                    open_since_panel(state.last, state.unit),
                    resolution_panel(state.months, state.resolution_unit),
                    category_panel(),
                ],
                id="analytics-content",
                style={"display": "none"},
            ),
            dcc.Interval(id="analytics-refresh", interval=REFRESH_MS),
            dcc.Store(id="analytics-addressed"),
            dcc.Location(id="analytics-location", refresh="callback-nav"),
            # What the browser-side guard needs to know, said once here.
            dcc.Store(id="analytics-guard", data={"session_key": SESSION_ID, "away": STAFF_ONLY_ADDRESS}),
        ]
    )


# The role lives in this browser's storage: read it there directly (assets/analytics.js), so
# that a staff member is never sent away while the page is still loading, and a campus user
# never sees the page.
clientside_callback(
    ClientsideFunction(namespace="analytics", function_name="staffOnly"),
    Output("analytics-content", "style"),
    Output("analytics-location", "href"),
    Input(SESSION_ID, "data"),
    State("analytics-guard", "data"),
)


@callback(
    Output("analytics-panel-open", "style"),
    Output("analytics-panel-resolution", "style"),
    Output("analytics-panel-category", "style"),
    Input("analytics-choice", "value"),
)
def choose_callback(choice):  # type: ignore[no-untyped-def]
    return panel_styles(choice)


# The chosen analysis and its period live in the address (assets/analytics.js): a reload or a
# shared link shows the same analysis.
clientside_callback(
    ClientsideFunction(namespace="analytics", function_name="keepChoiceInAddress"),
    Output("analytics-addressed", "data"),
    Input("analytics-choice", "value"),
    Input("analytics-open-settled", "data"),
    Input("analytics-open-unit", "value"),
    Input("analytics-resolution-range", "value"),
    Input("analytics-resolution-unit", "value"),
)
