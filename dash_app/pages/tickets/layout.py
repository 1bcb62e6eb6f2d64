"""The ticket list's components: search, filters, the counts line and the grid."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from ...present import STATUS_LABELS
from . import staff
from .views import CATEGORY_OPTIONS, LANGUAGE_OPTIONS, PAGE_SIZE, ListAddress, address_state, status_options

#: Text columns sort A→Z on the first click; numbers and dates newest first.
TEXT_FIRST = ["asc", "desc", None]

COLUMNS: list[dict[str, Any]] = [
    {"field": "id", "headerName": "#", "cellRenderer": "TicketLink", "width": 86, "pinned": "left"},
    {
        "field": "heading",
        "colId": "title",
        "headerName": "Title",
        "flex": 3,
        "minWidth": 200,
        "tooltipField": "heading",
        "sortingOrder": TEXT_FIRST,
    },
    {
        "field": "status_label",
        "colId": "status",
        "headerName": "Status",
        "width": 104,
        "sortingOrder": TEXT_FIRST,
        "cellClassRules": {
            f"status-cell status-{status}": f"data && data.status == '{status}'" for status in STATUS_LABELS
        },
    },
    {
        "field": "category_text",
        "colId": "category",
        "headerName": "Category",
        "width": 182,
        "sortingOrder": TEXT_FIRST,
        "cellClassRules": {"needs-review": "data && data.needs_review"},
        "tooltipField": "category_hint",
    },
    {"field": "opened", "colId": "opened_at", "headerName": "Opened", "width": 152},
    {"field": "updated", "colId": "updated_at", "headerName": "Last change", "width": 152,
     "tooltipField": "updated_exact"},
    {"field": "message_count", "headerName": "Msgs", "headerTooltip": "Messages", "width": 78, "sortable": False},
    {
        "field": "location",
        "headerName": "Location",
        "minWidth": 120,
        "flex": 1,
        "sortable": False,
        "tooltipField": "location",
    },
]


COLUMNS[3:3] = staff.COLUMNS  # service level, priority and owner after the status


def columns_sorted(sort: str) -> list[dict[str, Any]]:
    """Return the grid's columns with the one the address sorts by marked (``-`` is descending)."""
    column = sort.lstrip("-")
    direction = "desc" if sort.startswith("-") else "asc"
    return [
        {**definition, "sort": direction} if definition.get("colId", definition["field"]) == column else definition
        for definition in COLUMNS
    ]


def layout(**query: Any) -> html.Div:
    """Return the list page with the filters, search and sort the address names; the grid asks for its rows."""
    state: ListAddress = address_state(query)
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Tickets", className="h3 mb-0"),
                    dbc.Button("Report a problem", href="/tickets/new", color="primary", id="tickets-new"),
                ],
                className="d-flex justify-content-between align-items-center gap-2 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Search", html_for="tickets-search", class_name="visually-hidden"),
                            dbc.Input(
                                id="tickets-search",
                                type="search",
                                placeholder="Search title, description, location…",
                                maxlength=200,
                                value=state.query,
                            ),
                            dcc.Store(id="tickets-search-settled", data=state.query),
                        ],
                        xs=12,
                        md=5,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Status", html_for="tickets-status", class_name="visually-hidden"),
                            dbc.Select(id="tickets-status", options=status_options("user"), value=state.status),
                        ],
                        xs=6,
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Category", html_for="tickets-category", class_name="visually-hidden"),
                            dbc.Select(id="tickets-category", options=CATEGORY_OPTIONS, value=state.category),
                        ],
                        xs=6,
                        md=4,
                    ),
                ],
                class_name="g-2 mb-2",
            ),
            html.Div(
                [
                    dbc.Checkbox(
                        id="tickets-needs-review",
                        label="Only tickets whose category needs a check",
                        value=state.needs_review,
                    ),
                    html.Div(
                        [
                            dbc.Label("Language", html_for="tickets-language", class_name="visually-hidden"),
                            dbc.Select(id="tickets-language", options=LANGUAGE_OPTIONS, value=state.language,
                                       size="sm"),
                        ],
                        className="mt-2",
                        style={"maxWidth": "16rem"},
                    ),
                ],
                id="tickets-staff-filters",
                style={"display": "none"},
                className="mb-2",
            ),
            staff.staff_controls(query),
            html.Div(
                [
                    html.Div(id="tickets-summary", className="d-flex flex-wrap gap-2 align-items-center"),
                    html.Span(id="tickets-range", className="text-secondary", **{"aria-live": "polite"}),
                ],
                className="d-flex flex-wrap justify-content-between gap-2 align-items-center mb-2 small",
            ),
            html.Div(id="tickets-alert", role="alert"),
            html.Div(id="tickets-empty"),
            html.Div(
                [dbc.Spinner(size="sm", spinner_class_name="me-2"), "Loading tickets…"],
                id="tickets-loading",
                role="status",
                className="text-secondary small mb-2",
            ),
            dag.AgGrid(
                id="tickets-grid",
                columnDefs=columns_sorted(state.sort),
                defaultColDef={
                    "sortable": True,
                    "filter": False,
                    "resizable": True,
                    "suppressMovable": True,
                    "sortingOrder": ["desc", "asc", None],
                },
                rowModelType="infinite",
                getRowId="'' + params.data.id",
                dashGridOptions={
                    "cacheBlockSize": PAGE_SIZE,
                    "maxBlocksInCache": 20,
                    "maxConcurrentDatasourceRequests": 1,
                    "infiniteInitialRowCount": 1,
                    "rowHeight": 40,
                    "tooltipShowDelay": 400,
                    "animateRows": False,
                    "suppressCellFocus": False,
                    "rowSelection": staff.ROW_SELECTION,
                },
                style={"height": "min(68vh, 620px)", "width": "100%"},
                className="ag-theme-quartz tickets-grid",
            ),
            dcc.Store(id="tickets-failed", data=False),
            dcc.Store(id="tickets-purged"),
            dcc.Store(id="tickets-drawn"),
            dcc.Store(id="tickets-addressed"),
            dcc.Store(id="tickets-opened"),
            dcc.Interval(id="tickets-retry", interval=5000),
        ]
    )
