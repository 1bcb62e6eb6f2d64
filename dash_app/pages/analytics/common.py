"""What every analytics panel shares: the choice of panel, charts, and the words for a failed call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import dash_bootstrap_components as dbc
from dash import dcc, html

from ...service_errors import ServiceError

#: How often every panel asks its function again (and so recovers after an outage).
REFRESH_MS = 10_000
ANALYSES = [
    {"label": "Open tickets in a period", "value": "open"},
    {"label": "Resolution time by month", "value": "resolution"},
    {"label": "Active tickets by category", "value": "category"},
]
UNIT_OPTIONS = [{"label": "Hours", "value": "hours"}, {"label": "Days", "value": "days"}]
GRAPH_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
GRAPH_STYLE = {"height": "360px", "width": "100%"}
STAFF_ONLY = dbc.Alert("The analytics are for helpdesk staff only.", color="warning")


@dataclass
class AnalyticsAddress:
    """The chosen analysis and its period as the address keeps them: ``?view=open&last=30&unit=hours``."""

    view: str = "open"
    last: int = 7
    unit: str = "days"
    months: str = "12"
    resolution_unit: str = "hours"


def address_state(query: Mapping[str, Any]) -> AnalyticsAddress:
    """Return the analysis and period from the address's query; anything unknown falls back to the default."""
    view = str(query.get("view") or "open")
    unit = str(query.get("unit") or "days")
    try:
        last = int(str(query.get("last") or "7"))
    except ValueError:
        last = 7
    months = str(query.get("months") or "12")
    resolution_unit = str(query.get("runit") or "hours")
    return AnalyticsAddress(
        view=view if view in {option["value"] for option in ANALYSES} else "open",
        last=last if 1 <= last <= 100_000 else 7,
        unit=unit if unit in ("hours", "days") else "days",
        months=months if months in ("6", "12", "18", "24") else "12",
        resolution_unit=resolution_unit if resolution_unit in ("hours", "days") else "hours",
    )


def panel(value: str, children: list[Any]) -> html.Div:
    """Return one analysis's panel, hidden until it is chosen."""
    return html.Div(children, id=f"analytics-panel-{value}", style={"display": "none"})


def panel_styles(choice: str | None) -> list[dict[str, str]]:
    """Return the display style of the three panels: only the chosen one shows."""
    return [{"display": "block"} if option["value"] == choice else {"display": "none"} for option in ANALYSES]


def chart(graph_id: str, figure: Any) -> dcc.Graph:
    """Return a chart; charts are only put on the page once their panel is chosen, so the
    charting library loads only when a chart is to be seen."""
    return dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG, responsive=True, style=GRAPH_STYLE)


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
