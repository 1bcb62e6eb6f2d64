"""Ticket list: a grid paged, sorted, filtered and searched by the store itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    dcc,
    html,
    no_update,
)

from ..present import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    category_label,
    confidence_percent,
    format_time,
    status_label,
    ticket_heading,
)
from ..service_errors import ServiceError
from ..session import SESSION_ID, URL_ID, role_of, store_for
from ..settings import load_settings
from ..store_client import StoreClient, Ticket

#: Rows fetched per request; the store answers at most 200.
PAGE_SIZE = 100
MAX_PAGE = 200
#: Grid columns the store can sort by, by column id.
SORTABLE = ("id", "title", "status", "category", "opened_at", "updated_at", "closed_at")
DEFAULT_SORT = "-id"
#: The filter choice that filters nothing.
ALL = "all"

COLUMNS: list[dict[str, Any]] = [
    {"field": "id", "headerName": "#", "cellRenderer": "TicketLink", "width": 86, "sort": "desc", "pinned": "left"},
    {
        "field": "heading",
        "colId": "title",
        "headerName": "Title",
        "flex": 3,
        "minWidth": 200,
        "tooltipField": "heading",
    },
    {
        "field": "status_label",
        "colId": "status",
        "headerName": "Status",
        "width": 104,
        "cellClassRules": {
            f"status-cell status-{status}": f"data && data.status == '{status}'" for status in STATUS_LABELS
        },
    },
    {
        "field": "category_text",
        "colId": "category",
        "headerName": "Category",
        "width": 182,
        "cellClassRules": {"needs-review": "data && data.needs_review"},
        "tooltipField": "category_hint",
    },
    {"field": "opened", "colId": "opened_at", "headerName": "Opened", "width": 152},
    {"field": "updated", "colId": "updated_at", "headerName": "Last change", "width": 152},
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


@dataclass
class ListFilters:
    """What the person chose above the grid."""

    status: str = ""
    category: str = ""
    query: str = ""
    needs_review: bool = False

    @property
    def any(self) -> bool:
        return bool(self.status or self.category or self.query.strip() or self.needs_review)


@dataclass
class RowsAnswer:
    """Everything one page request of the grid updates."""

    response: dict[str, Any]
    summary: Any = field(default_factory=list)
    alert: Any = None
    empty: Any = None
    failed: bool = False


def status_options(role: str) -> list[dict[str, str]]:
    """Return the status filter's choices for a role (closed tickets are for staff)."""
    options = [{"label": "Open and active" if role == "user" else "All statuses", "value": ALL}]
    statuses = ("open", "active", "closed") if role == "staff" else ("open", "active")
    options += [{"label": STATUS_LABELS[status], "value": status} for status in statuses]
    return options


CATEGORY_OPTIONS = [{"label": "All categories", "value": ALL}] + [
    {"label": label, "value": key} for key, label in CATEGORY_LABELS.items()
]


def layout(**_query: Any) -> html.Div:
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
                            ),
                            dcc.Store(id="tickets-search-settled"),
                        ],
                        xs=12,
                        md=5,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Status", html_for="tickets-status", class_name="visually-hidden"),
                            dbc.Select(id="tickets-status", options=status_options("user"), value=ALL),
                        ],
                        xs=6,
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Category", html_for="tickets-category", class_name="visually-hidden"),
                            dbc.Select(id="tickets-category", options=CATEGORY_OPTIONS, value=ALL),
                        ],
                        xs=6,
                        md=4,
                    ),
                ],
                class_name="g-2 mb-2",
            ),
            html.Div(
                dbc.Checkbox(
                    id="tickets-needs-review",
                    label="Only tickets whose category needs a check",
                    value=False,
                ),
                id="tickets-staff-filters",
                style={"display": "none"},
                className="mb-2",
            ),
            html.Div(id="tickets-summary", className="d-flex flex-wrap gap-2 align-items-center mb-2 small"),
            html.Div(id="tickets-alert", role="alert"),
            html.Div(id="tickets-empty"),
            dag.AgGrid(
                id="tickets-grid",
                columnDefs=COLUMNS,
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
                },
                style={"height": "min(68vh, 620px)", "width": "100%"},
                className="ag-theme-quartz tickets-grid",
            ),
            dcc.Store(id="tickets-failed", data=False),
            dcc.Store(id="tickets-purged"),
            dcc.Store(id="tickets-drawn"),
            dcc.Interval(id="tickets-retry", interval=5000),
        ]
    )


dash.register_page(__name__, path="/tickets", title="Tickets · Campus Helpdesk", name="Tickets", order=1, layout=layout)


def sort_param(sort_model: list[Mapping[str, Any]] | None) -> str:
    """Return the store's ``sort`` for the grid's sort model (first sortable column wins)."""
    for entry in sort_model or []:
        column = entry.get("colId")
        if column in SORTABLE and entry.get("sort") in ("asc", "desc"):
            return ("-" if entry["sort"] == "desc" else "") + column
    return DEFAULT_SORT


def page_window(request: Mapping[str, Any] | None) -> tuple[int, int]:
    """Return (offset, limit) for the grid's block request."""
    start = max(int((request or {}).get("startRow") or 0), 0)
    end = int((request or {}).get("endRow") or start + PAGE_SIZE)
    return start, max(1, min(end - start, MAX_PAGE))


def grid_row(ticket: Ticket, zone: ZoneInfo, role: str) -> dict[str, Any]:
    """Return one grid row for a ticket: text only, dates in campus time."""
    needs_review = bool(role == "staff" and ticket.get("needs_review"))
    category = category_label(ticket.get("category"))
    hint = ""
    if needs_review:
        hint = f"Uncertain automatic category ({confidence_percent(ticket.get('category_confidence'))}): please check"
    return {
        "id": ticket.get("id"),
        "heading": ticket_heading(ticket),
        "status": ticket.get("status"),
        "status_label": status_label(ticket.get("status")),
        "category_text": f"{category} ⚠ check" if needs_review else category,
        "category_hint": hint,
        "needs_review": needs_review,
        "opened": format_time(ticket.get("opened_at"), zone, with_zone=False),
        "updated": format_time(ticket.get("updated_at"), zone, with_zone=False),
        "message_count": ticket.get("message_count", 0),
        "location": ticket.get("location") or "",
    }


def summary_badges(total: int, counts: Mapping[str, int] | None, role: str) -> list[Any]:
    """Return the line above the grid: how many tickets match, and per status for staff."""
    parts: list[Any] = [
        html.Span(f"{total:,} ticket{'s' if total != 1 else ''}", id="tickets-total", className="fw-semibold")
    ]
    if role == "staff" and counts:
        for status in ("open", "active", "closed"):
            parts.append(
                dbc.Badge(
                    f"{STATUS_LABELS[status]} {int(counts.get(status, 0)):,}",
                    color={"open": "primary", "active": "warning", "closed": "secondary"}[status],
                    text_color="dark" if status == "active" else None,
                    class_name=f"status-count status-count-{status}",
                )
            )
    return parts


def empty_state(filters: ListFilters) -> Any:
    """Return what to show when no ticket matches."""
    if filters.any:
        return dbc.Alert(
            "No tickets match these filters. Clear the search or choose another status or category.",
            color="light",
            class_name="border",
        )
    return dbc.Alert(
        ["No tickets yet. ", dcc.Link("Report the first problem", href="/tickets/new"), "."],
        color="light",
        class_name="border",
    )


def load_rows(
    request: Mapping[str, Any] | None,
    filters: ListFilters,
    role: str,
    store: StoreClient,
    zone: ZoneInfo,
) -> RowsAnswer:
    """Ask the store for the block of rows the grid wants, with the chosen filters."""
    offset, limit = page_window(request)
    statuses = [filters.status] if filters.status else None
    try:
        page = store.list_tickets(
            statuses=statuses,
            category=filters.category or None,
            query=filters.query,
            needs_review=filters.needs_review and role == "staff",
            sort=sort_param((request or {}).get("sortModel")),
            limit=limit,
            offset=offset,
            # Counts only change the line above the grid: ask for them with the first block.
            with_counts=role == "staff" and offset == 0,
        )
    except ServiceError as error:
        return RowsAnswer(
            response={"rowData": [], "rowCount": 0},
            alert=dbc.Alert(
                [html.Strong("The ticket list cannot be loaded. "), error.message, " It will retry by itself."],
                color="danger",
                id="tickets-error",
            ),
            failed=True,
        )
    total = int(page.get("total") or 0)
    rows = [grid_row(ticket, zone, role) for ticket in page.get("items", [])]
    return RowsAnswer(
        response={"rowData": rows, "rowCount": total},
        summary=summary_badges(total, page.get("counts"), role) if offset == 0 else no_update,
        empty=empty_state(filters) if total == 0 else None,
    )


def clicked_ticket_path(cell: Mapping[str, Any] | None) -> str | None:
    """Return the ticket page for a clicked cell (the number column is a link of its own)."""
    if not cell or cell.get("colId") == "id":
        return None
    row_id = cell.get("rowId")
    if row_id is None or not str(row_id).isdigit():
        return None
    return f"/tickets/{row_id}"


@callback(
    Output("tickets-grid", "getRowsResponse"),
    Output("tickets-summary", "children"),
    Output("tickets-alert", "children"),
    Output("tickets-empty", "children"),
    Output("tickets-failed", "data"),
    Output("tickets-drawn", "data"),
    Input("tickets-grid", "getRowsRequest"),
    State("tickets-status", "value"),
    State("tickets-category", "value"),
    State("tickets-search-settled", "data"),
    State("tickets-needs-review", "value"),
    State(SESSION_ID, "data"),
    prevent_initial_call=True,
)
def load_rows_callback(request, status, category, query, needs_review, session):  # type: ignore[no-untyped-def]
    if not request:
        return no_update, no_update, no_update, no_update, no_update, no_update
    drawn = [status, category, query, needs_review, (session or {}).get("role")]
    role = role_of(session)
    status = "" if status in (None, ALL) or (role != "staff" and status == "closed") else status
    category = "" if category in (None, ALL) else category
    filters = ListFilters(status, category, query or "", bool(needs_review))
    answer = load_rows(request, filters, role, store_for(session), load_settings().zone)
    return answer.response, answer.summary, answer.alert, answer.empty, answer.failed, drawn


def controls_for(role: str, status: str | None) -> tuple[list[dict[str, str]], Any, dict[str, str]]:
    """Return the status choices, the status value and the staff filters' style for a role."""
    value: Any = no_update
    if role != "staff" and status == "closed":
        value = ALL
    return status_options(role), value, ({"display": "block"} if role == "staff" else {"display": "none"})


@callback(
    Output("tickets-status", "options"),
    Output("tickets-status", "value"),
    Output("tickets-staff-filters", "style"),
    Input(SESSION_ID, "data"),
    State("tickets-status", "value"),
)
def controls_callback(session, status):  # type: ignore[no-untyped-def]
    return controls_for(role_of(session), status)


@callback(
    Output(URL_ID, "pathname", allow_duplicate=True),
    Input("tickets-grid", "cellClicked"),
    prevent_initial_call=True,
)
def open_ticket_callback(cell):  # type: ignore[no-untyped-def]
    return clicked_ticket_path(cell) or no_update


# Filters live outside the grid: when the rows on show were loaded with other filters than
# the controls now hold, the grid's block cache is emptied so that it asks the store again.
# The rows' loader reports the filters it used, so a filter that settles while the first rows
# are still loading is caught when they arrive.
clientside_callback(
    """
    function(status, category, query, review, session, drawn) {
        if (!drawn || !window.dash_ag_grid) { return window.dash_clientside.no_update; }
        const key = function (status, category, query, review, role) {
            return JSON.stringify([status || '', category || '', query || '', !!review, role || 'user']);
        };
        const wanted = key(status, category, query, review, session && session.role);
        if (wanted !== key.apply(null, drawn)) {
            window.dash_ag_grid.getApiAsync('tickets-grid').then(function (api) { api.purgeInfiniteCache(); });
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output("tickets-purged", "data"),
    Input("tickets-status", "value"),
    Input("tickets-category", "value"),
    Input("tickets-search-settled", "data"),
    Input("tickets-needs-review", "value"),
    Input(SESSION_ID, "data"),
    Input("tickets-drawn", "data"),
)

# The search acts once typing pauses (assets/helpdesk.js).
clientside_callback(
    ClientsideFunction(namespace="helpdesk", function_name="settleSearch"),
    Output("tickets-search-settled", "data"),
    Input("tickets-search", "value"),
    prevent_initial_call=True,
)

# While the store is unreachable, ask again every few seconds; the grid recovers by itself.
clientside_callback(
    """
    function(_n, failed) {
        if (failed && window.dash_ag_grid) {
            window.dash_ag_grid.getApiAsync('tickets-grid').then(function (api) { api.purgeInfiniteCache(); });
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output("tickets-purged", "data", allow_duplicate=True),
    Input("tickets-retry", "n_intervals"),
    State("tickets-failed", "data"),
    prevent_initial_call=True,
)
