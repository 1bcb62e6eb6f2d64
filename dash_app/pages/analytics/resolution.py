"""The resolution-time panel: average and median time to close, by the month tickets were opened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html, no_update

from ...analytics_client import AnalyticsClient
from ...figures import in_unit, resolution_time_figure
from ...service_errors import ServiceError
from ...session import SESSION_ID, analytics, role_of
from ...settings import load_settings
from .common import STAFF_ONLY, UNIT_OPTIONS, chart, panel, unavailable

RANGE_OPTIONS = [
    {"label": "Last 6 months", "value": "6"},
    {"label": "Last 12 months", "value": "12"},
    {"label": "Last 18 months", "value": "18"},
    {"label": "Last 24 months", "value": "24"},
]


def resolution_panel(months: str = "12", unit: str = "hours") -> html.Div:
    """Return the panel: the range of months and the unit, then the summary and the chart."""
    return panel(
        "resolution",
        [
            html.H2("Resolution time by opening month", className="h5"),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Select(id="analytics-resolution-range", options=RANGE_OPTIONS, value=months),
                        xs=7,
                        sm="auto",
                    ),
                    dbc.Col(
                        dbc.RadioItems(
                            id="analytics-resolution-unit",
                            options=UNIT_OPTIONS,
                            value=unit,
                            inline=True,
                            class_name="pt-2",
                        ),
                        xs=5,
                        sm="auto",
                    ),
                ],
                class_name="g-2 align-items-center mb-2",
            ),
            html.Div(id="analytics-resolution-alert", role="alert"),
            html.Div(id="analytics-resolution-summary", className="small mb-2"),
            html.Div(id="analytics-resolution-chart"),
            dcc.Store(id="analytics-resolution-data"),
        ],
    )


def month_range(months: int, now: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """Return (from, to) as YYYY-MM for the *months* local months up to *now*'s month."""
    local = now.astimezone(zone)
    index = local.year * 12 + local.month - 1 - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}", f"{local.year:04d}-{local.month:02d}"


@dataclass
class ResolutionView:
    """The resolution panel's data after one call."""

    data: Any = None
    alert: Any = None


def resolution_data(
    months: Any, client: AnalyticsClient, zone: ZoneInfo, now: datetime | None = None
) -> ResolutionView:
    """Ask the resolution-time function for the chosen number of months."""
    try:
        count = max(1, min(int(months or 12), 120))
    except (TypeError, ValueError):
        count = 12
    start, end = month_range(count, now or datetime.now(zone), zone)
    try:
        return ResolutionView(data=client.resolution_time(start, end))
    except ServiceError as error:
        return ResolutionView(alert=unavailable(error, "resolution-time analysis"))


def resolution_summary(answer: Mapping[str, Any] | None, unit: str) -> Any:
    """Return the overall figures over the range, in words."""
    if not answer:
        return None
    overall = answer.get("overall") or {}
    short = "hours" if unit == "hours" else "days"
    average = in_unit(overall.get("avg_resolution_hours"), unit)
    median = in_unit(overall.get("median_resolution_hours"), unit)

    def shown(value: float | None) -> str:
        return "—" if value is None else f"{value:,.1f} {short}"

    return html.Span(
        [
            html.Span(
                f"Over the range: {int(overall.get('opened') or 0):,} opened, "
                f"{int(overall.get('closed') or 0):,} of them closed. "
            ),
            html.Span(f"Average {shown(average)}, median {shown(median)}.", id="analytics-resolution-overall"),
            html.Span(f" Months in {answer.get('timezone') or 'UTC'}.", className="text-secondary"),
        ]
    )


@callback(
    Output("analytics-resolution-data", "data"),
    Output("analytics-resolution-alert", "children"),
    Input("analytics-resolution-range", "value"),
    Input("analytics-refresh", "n_intervals"),
    Input("analytics-refresh-now", "n_clicks"),
    Input(SESSION_ID, "data"),
    Input("analytics-choice", "value"),
)
def resolution_data_callback(months, _n, _clicks, session, choice):  # type: ignore[no-untyped-def]
    if choice != "resolution":
        return no_update, no_update
    if role_of(session) != "staff":
        return None, STAFF_ONLY
    view = resolution_data(months, analytics(), load_settings().zone)
    return view.data, view.alert


@callback(
    Output("analytics-resolution-chart", "children"),
    Output("analytics-resolution-summary", "children"),
    Input("analytics-resolution-data", "data"),
    Input("analytics-resolution-unit", "value"),
)
def resolution_figure_callback(answer, unit):  # type: ignore[no-untyped-def]
    unit = unit if unit in ("hours", "days") else "hours"
    if not answer:
        return None, None  # no chart until there are figures: the charting library loads with the first
    figure = resolution_time_figure(answer, unit)
    return chart("analytics-resolution-graph", figure), resolution_summary(answer, unit)
