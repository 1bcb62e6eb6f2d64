"""Analytics (staff only): open tickets in a period, resolution time by month, active by category."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, callback, clientside_callback, dcc, html, no_update

from ..analytics_client import PERIOD_LIMITS, AnalyticsClient
from ..figures import (
    category_active_figure,
    empty_figure,
    in_unit,
    resolution_time_figure,
)
from ..present import CATEGORY_LABELS, STATUS_LABELS, format_time
from ..service_errors import InvalidInput, ServiceError
from ..session import SESSION_ID, analytics, role_of
from ..settings import load_settings

#: How often every panel asks its function again (and so recovers after an outage).
REFRESH_MS = 10_000
ANALYSES = [
    {"label": "Open tickets in a period", "value": "open"},
    {"label": "Resolution time by month", "value": "resolution"},
    {"label": "Active tickets by category", "value": "category"},
]
RANGE_OPTIONS = [
    {"label": "Last 6 months", "value": "6"},
    {"label": "Last 12 months", "value": "12"},
    {"label": "Last 18 months", "value": "18"},
    {"label": "Last 24 months", "value": "24"},
]
UNIT_OPTIONS = [{"label": "Hours", "value": "hours"}, {"label": "Days", "value": "days"}]
STAFF_ONLY_ADDRESS = "/?reason=staff-only&next=/analytics"
GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
GRAPH_STYLE = {"height": "360px", "width": "100%"}


def _panel(value: str, children: list[Any]) -> html.Div:
    return html.Div(children, id=f"analytics-panel-{value}", style={"display": "none"})


def layout(view: str | None = None, **_query: Any) -> html.Div:
    choice = view if view in {option["value"] for option in ANALYSES} else "open"
    open_panel = _panel(
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
                                value=7,
                                style={"width": "7rem"},
                            ),
                            dcc.Store(id="analytics-open-settled", data=7),
                        ],
                        width="auto",
                    ),
                    dbc.Col(
                        dbc.RadioItems(
                            id="analytics-open-unit",
                            options=UNIT_OPTIONS,
                            value="days",
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
    resolution_panel = _panel(
        "resolution",
        [
            html.H2("Resolution time by opening month", className="h5"),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Select(id="analytics-resolution-range", options=RANGE_OPTIONS, value="12"),
                        xs=7,
                        sm="auto",
                    ),
                    dbc.Col(
                        dbc.RadioItems(
                            id="analytics-resolution-unit",
                            options=UNIT_OPTIONS,
                            value="hours",
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
    category_panel = _panel(
        "category",
        [
            html.H2("Active tickets by category", className="h5"),
            html.Div(id="analytics-category-alert", role="alert"),
            html.Div(id="analytics-category-total", className="small mb-2"),
            html.Div(id="analytics-category-chart"),
        ],
    )
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
                [open_panel, resolution_panel, category_panel],
                id="analytics-content",
                style={"display": "none"},
            ),
            dcc.Interval(id="analytics-refresh", interval=REFRESH_MS),
            dcc.Location(id="analytics-location", refresh="callback-nav"),
        ]
    )


dash.register_page(
    __name__, path="/analytics", title="Analytics · Campus Helpdesk", name="Analytics", order=4, layout=layout
)

# The role lives in this browser's storage: read it there directly, so that a staff member
# is never sent away while the page is still loading, and a campus user never sees the page.
clientside_callback(
    f"""
    function(session) {{
        let stored = null;
        try {{ stored = JSON.parse(window.localStorage.getItem('{SESSION_ID}')); }} catch (error) {{ stored = null; }}
        const role = (session && session.role) || (stored && stored.role);
        if (role === 'staff') {{
            return [{{display: 'block'}}, window.dash_clientside.no_update];
        }}
        return [{{display: 'none'}}, '{STAFF_ONLY_ADDRESS}'];
    }}
    """,
    Output("analytics-content", "style"),
    Output("analytics-location", "href"),
    Input(SESSION_ID, "data"),
)


def chart(graph_id: str, figure: Any) -> dcc.Graph:
    """Return a chart; charts are only put on the page once their panel is chosen, so the
    charting library loads only when a chart is to be seen."""
    return dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG, responsive=True, style=GRAPH_STYLE)


def panel_styles(choice: str | None) -> list[dict[str, str]]:
    """Return the display style of the three panels: only the chosen one shows."""
    return [{"display": "block"} if option["value"] == choice else {"display": "none"} for option in ANALYSES]


@callback(
    Output("analytics-panel-open", "style"),
    Output("analytics-panel-resolution", "style"),
    Output("analytics-panel-category", "style"),
    Input("analytics-choice", "value"),
)
def choose_callback(choice):  # type: ignore[no-untyped-def]
    return panel_styles(choice)


def unavailable(error: ServiceError, what: str) -> Any:
    """Return the alert for a function that cannot answer now."""
    return dbc.Alert(
        [
            html.Strong(f"The {what} is unavailable right now. "),
            error.message,
            " It will be tried again automatically.",
        ],
        color="warning",
        class_name="analytics-unavailable",
    )


STAFF_ONLY = dbc.Alert("The analytics are for helpdesk staff only.", color="warning")


# ---------------------------------------------------------------- open since


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


# ---------------------------------------------------------------- resolution time


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


# ---------------------------------------------------------------- active by category


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
