"""What the ticket list asks of the store: one block of rows for the grid."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import html, no_update

from ...service_errors import ServiceError
from ...store_client import StoreClient
from .staff import staff_row
from .views import ListFilters, empty_state, grid_row, page_window, shown_range, sort_param, summary_badges


@dataclass
class RowsAnswer:
    """Everything one page request of the grid updates."""

    response: dict[str, Any]
    summary: Any = field(default_factory=list)
    alert: Any = None
    empty: Any = None
    failed: bool = False
    range_text: Any = ""


def load_rows(
    request: Mapping[str, Any] | None,
    filters: ListFilters,
    role: str,
    store: StoreClient,
    zone: ZoneInfo,
    extra: Mapping[str, str] | None = None,
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
            extra=extra if role == "staff" else None,
            language=filters.language if role == "staff" else None,
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
            range_text=no_update,
        )
    total = int(page.get("total") or 0)
    rows = [{**grid_row(ticket, zone, role), **staff_row(ticket)} for ticket in page.get("items", [])]
    return RowsAnswer(
        response={"rowData": rows, "rowCount": total},
        summary=summary_badges(total, page.get("counts"), role) if offset == 0 else no_update,
        empty=empty_state(filters) if total == 0 else None,
        range_text=shown_range(offset, len(rows), total),
    )
