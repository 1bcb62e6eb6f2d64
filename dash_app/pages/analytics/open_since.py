"""The open-since panel: how many tickets opened in the last hours or days are not closed yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, callback, clientside_callback, dcc, html, no_update

from ...analytics_client import PERIOD_LIMITS, AnalyticsClient
from ...present import CATEGORY_LABELS, STATUS_LABELS, format_time
from ...service_errors import InvalidInput, ServiceError
from ...session import SESSION_ID, analytics, role_of
from ...settings import load_settings
from .common import STAFF_ONLY, UNIT_OPTIONS, panel, unavailable


def open_since_panel(last: int = 7, unit: str = "days") -> html.Div:
    """Return the panel: the period's length and unit, then the count and its breakdown."""
    return panel(
        "open",
        [
            html.H2("Tickets opened in a period and not closed yet", className="h5"),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Label("Last", html_for="analytics-open-amount", class_name="col-form-label"), width="auto"
                    ),
                    dbc.Col(
                        [
                            dbc.Input(
                                id="analytics-open-amount",
                                type="number",
                                min=1,
                                step=1,
                                value=last,
                                style={"width": "7rem"},
                            ),
                            dcc.Store(id="analytics-open-settled", data=last),
                        ],
                        width="auto",
                    ),
                    dbc.Col(
                        dbc.RadioItems(
                            id="analytics-open-unit",
                            options=UNIT_OPTIONS,
                            value=unit,
                            inline=True,
                            class_name="pt-2",
                        ),
                        width="auto",
                    ),
                ],
                class_name="g-2 align-items-center mb-3",
            ),
            html.Div(id="analytics-open-alert", role="alert"),
            html.Div(id="analytics-open-result", **{"aria-live": "polite"}),
        ],
    )


@dataclass
class OpenSinceView:
    """The open-since panel after one call."""

    result: Any = None
    alert: Any = None


def open_since_view(amount: Any, unit: str | None, client: AnalyticsClient, zone: ZoneInfo) -> OpenSinceView:
    """Return the count of tickets opened in the period and still not closed, with its breakdown."""
    unit = unit if unit in PERIOD_LIMITS else "days"
    limit = PERIOD_LIMITS[unit]
    try:
        number = int(amount)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or number > limit or (amount is not None and float(amount) != number):
        return OpenSinceView(alert=dbc.Alert(f"Choose a whole number of {unit} between 1 and {limit:,}.", color="info"))
    try:
        answer = client.open_since(number, unit)  # type: ignore[arg-type]
    except InvalidInput as error:
        return OpenSinceView(alert=dbc.Alert(error.message, color="info"))
    except ServiceError as error:
        return OpenSinceView(alert=unavailable(error, "open-tickets analysis"))
    by_status = answer.get("by_status") or {}
    by_category = answer.get("by_category") or {}
    unit_word = unit if number != 1 else unit[:-1]
    return OpenSinceView(
        result=html.Div(
            [
                html.Div(f"{int(answer.get('count') or 0):,}", id="analytics-open-count", className="analytics-number"),
                html.P(
                    f"tickets opened in the last {number:,} {unit_word} are not closed "
                    f"(since {format_time(answer.get('since'), zone)}).",
                    className="text-secondary",
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            _breakdown(
                                "By status",
                                {STATUS_LABELS.get(k, k): v for k, v in by_status.items()},
                                "analytics-open-status",
                            ),
                            sm=6,
                        ),
                        dbc.Col(
                            _breakdown(
                                "By category",
                                {CATEGORY_LABELS.get(k, k): v for k, v in by_category.items()},
                                "analytics-open-category",
                            ),
                            sm=6,
                        ),
                    ],
                    class_name="g-3",
                ),
            ]
        )
    )


def _breakdown(title: str, counts: Mapping[str, Any], element_id: str) -> Any:
    return dbc.Card(
        [
            dbc.CardHeader(title, class_name="small"),
            dbc.ListGroup(
                [
                    dbc.ListGroupItem(
                        [html.Span(label), html.Span(f"{int(count or 0):,}", className="fw-semibold")],
                        class_name="d-flex justify-content-between",
                    )
                    for label, count in counts.items()
                ],
                flush=True,
            ),
        ],
        id=element_id,
    )


# The period acts once typing pauses (assets/helpdesk.js).
clientside_callback(
    ClientsideFunction(namespace="helpdesk", function_name="settleAmount"),
    Output("analytics-open-settled", "data"),
    Input("analytics-open-amount", "value"),
    prevent_initial_call=True,
)


@callback(
    Output("analytics-open-result", "children"),
    Output("analytics-open-alert", "children"),
    Input("analytics-open-settled", "data"),
    Input("analytics-open-unit", "value"),
    Input("analytics-refresh", "n_intervals"),
    Input("analytics-refresh-now", "n_clicks"),
    Input(SESSION_ID, "data"),
    Input("analytics-choice", "value"),
)
def open_since_callback(amount, unit, _n, _clicks, session, choice):  # type: ignore[no-untyped-def]
    if choice != "open":
        return no_update, no_update  # only the panel in view asks its function
    if role_of(session) != "staff":
        return None, STAFF_ONLY
    view = open_since_view(amount, unit, analytics(), load_settings().zone)
    return view.result, view.alert
