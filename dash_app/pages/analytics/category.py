"""The active-by-category panel: a bar chart of the tickets not closed yet, per category."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dash import Input, Output, callback, html, no_update

from ...analytics_client import AnalyticsClient
from ...figures import category_active_figure, empty_figure
from ...service_errors import ServiceError
from ...session import SESSION_ID, analytics, role_of
from .common import STAFF_ONLY, chart, panel, unavailable


def category_panel() -> html.Div:
    """Return the panel: the total, then the chart."""
    return panel(
        "category",
        [
            html.H2("Active tickets by category", className="h5"),
            html.Div(id="analytics-category-alert", role="alert"),
            html.Div(id="analytics-category-total", className="small mb-2"),
            html.Div(id="analytics-category-chart"),
        ],
    )


@dataclass
class CategoryView:
    """The category panel after one call."""

    figure: Any = field(default_factory=lambda: empty_figure("No figures to show."))
    total: Any = None
    alert: Any = None


def category_view(client: AnalyticsClient) -> CategoryView:
    """Return the bar chart of active tickets per category."""
    try:
        answer = client.category_active()
    except ServiceError as error:
        return CategoryView(alert=unavailable(error, "active-by-category analysis"))
    total = int(answer.get("total_active") or 0)
    return CategoryView(
        figure=category_active_figure(answer),
        total=html.Span(f"{total:,} active tickets in all.", id="analytics-category-count"),
    )


@callback(
    Output("analytics-category-chart", "children"),
    Output("analytics-category-total", "children"),
    Output("analytics-category-alert", "children"),
    Input("analytics-refresh", "n_intervals"),
    Input("analytics-refresh-now", "n_clicks"),
    Input(SESSION_ID, "data"),
    Input("analytics-choice", "value"),
)
def category_callback(_n, _clicks, session, choice):  # type: ignore[no-untyped-def]
    if choice != "category":
        return no_update, no_update, no_update
    if role_of(session) != "staff":
        return no_update, None, STAFF_ONLY
    view = category_view(analytics())
    return chart("analytics-category-graph", view.figure), view.total, view.alert
