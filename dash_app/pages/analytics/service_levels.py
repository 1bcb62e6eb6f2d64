"""The service-levels panel: first-response time by opening month against the target, and today's
tickets at risk or breached, each a link to the list filtered to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html, no_update

from ...figures import AVERAGE_COLOR, MEDIAN_COLOR, empty_figure, month_label
from ...service_errors import ServiceError
from ...session import SESSION_ID, role_of
from ...settings import load_settings
from ...staff_client import service_levels
from .common import STAFF_ONLY, chart, panel, unavailable
from .resolution import month_range

TARGET_COLOR = "#b02a37"


def service_levels_panel() -> html.Div:
    """Return the panel: today's counts, the summary and the chart."""
    return panel(
        "service",
        [
            html.H2("First response against the service levels", className="h5"),
            html.Div(id="analytics-service-alert", role="alert"),
            html.Div(id="analytics-service-now", className="d-flex flex-wrap gap-2 mb-2"),
            html.Div(id="analytics-service-summary", className="small mb-2"),
            html.Div(id="analytics-service-chart"),
        ],
    )


def now_links(now: Mapping[str, Any]) -> list[Any]:
    """Return today's at-risk and breached counts, each a link to the list showing those tickets."""
    return [
        dcc.Link(dbc.Badge(f"At risk now: {int(now.get('at_risk') or 0):,}", color="warning", text_color="dark",
                           class_name="fs-6"), href="/tickets?sla=at_risk", id="analytics-service-at-risk"),
        dcc.Link(dbc.Badge(f"Breached now: {int(now.get('breached') or 0):,}", color="danger", class_name="fs-6"),
                 href="/tickets?sla=breached", id="analytics-service-breached"),
    ]


def target_hours(answer: Mapping[str, Any]) -> float | None:
    """Return the response target of normal tickets, the line the months are drawn against."""
    for row in answer.get("by_priority") or []:
        if row.get("priority") == "normal":
            return row.get("response_target_hours")
    return None


def first_response_figure(answer: Mapping[str, Any]) -> go.Figure:
    """Return bars of average and median first-response hours by opening month, with the target as a line."""
    months = list(answer.get("months") or [])
    if not months:
        return empty_figure("No months to show.")
    labels = [month_label(month.get("month", "")) for month in months]
    figure = go.Figure()
    for name, key, color in (("Average", "avg_first_response_hours", AVERAGE_COLOR),
                             ("Median", "median_first_response_hours", MEDIAN_COLOR)):
        figure.add_trace(go.Bar(name=name, x=labels, y=[month.get(key) for month in months], marker_color=color,
                                hovertemplate="%{x}: %{y:.1f} h<extra>" + name + "</extra>"))
    target = target_hours(answer)
    if target is not None:
        figure.add_trace(go.Scatter(name="Target (normal)", x=labels, y=[target] * len(labels), mode="lines",
                                    line={"color": TARGET_COLOR, "dash": "dash"}))
    figure.update_layout(barmode="group", margin={"l": 48, "r": 12, "t": 36, "b": 40}, plot_bgcolor="white",
                         legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0})
    figure.update_yaxes(title_text="hours to the first answer", gridcolor="#e9ecef", rangemode="tozero")
    return figure


def service_summary(answer: Mapping[str, Any]) -> Any:
    """Return the range's figures in words."""
    overall = answer.get("overall") or {}
    within = overall.get("within_target_pct")
    return html.Span(
        f"Over the range: {int(overall.get('opened') or 0):,} opened, {int(overall.get('responded') or 0):,} answered, "
        f"{'—' if within is None else f'{within:.0f} %'} of the answers within target.",
        id="analytics-service-overall")


def service_view(zone: ZoneInfo, now: datetime | None = None) -> tuple[Any, Any, Any, Any]:
    """Ask the function for the 12 months up to now; return the chart, counts, summary and alert."""
    start, end = month_range(12, now or datetime.now(zone), zone)
    try:
        answer = service_levels(start, end)
    except ServiceError as error:
        return None, None, None, unavailable(error, "service-levels analysis")
    return (chart("analytics-service-graph", first_response_figure(answer)), now_links(answer.get("now") or {}),
            service_summary(answer), None)


@callback(
    Output("analytics-service-chart", "children"),
    Output("analytics-service-now", "children"),
    Output("analytics-service-summary", "children"),
    Output("analytics-service-alert", "children"),
    Input("analytics-refresh", "n_intervals"),
    Input("analytics-refresh-now", "n_clicks"),
    Input(SESSION_ID, "data"),
    Input("analytics-choice", "value"),
)
def service_callback(_n, _clicks, session, choice):  # type: ignore[no-untyped-def]
    if choice != "service":
        return no_update, no_update, no_update, no_update
    if role_of(session) != "staff":
        return no_update, None, None, STAFF_ONLY
    return service_view(load_settings().zone)
