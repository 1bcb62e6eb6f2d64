"""What the ticket list shows: the store query for a grid request, rows, counts and empty states."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import dcc, html, no_update

from ...present import (
    CATEGORY_LABELS,
    LANGUAGE_LABELS,
    STATUS_LABELS,
    category_label,
    confidence_percent,
    format_time,
    relative_time,
    status_label,
    ticket_heading,
)
from ...store_client import Ticket

#: Rows fetched per request; the store answers at most 200.
PAGE_SIZE = 100
MAX_PAGE = 200
#: Grid columns the store can sort by, by column id.
SORTABLE = ("id", "title", "status", "category", "opened_at", "updated_at", "closed_at", "response_due_at",
            "resolution_due_at")
DEFAULT_SORT = "-id"
#: The filter choice that filters nothing.
ALL = "all"


@dataclass
class ListFilters:
    """What the person chose above the grid."""

    status: str = ""
    category: str = ""
    query: str = ""
    needs_review: bool = False
    language: str = ""

    @property
    def any(self) -> bool:
        return bool(self.status or self.category or self.query.strip() or self.needs_review or self.language)


def chosen_filters(
    status: str | None, category: str | None, query: str | None, needs_review: Any, role: str,
    language: str | None = None,
) -> ListFilters:
    """Return the filters the controls hold; a user's leftover closed or language filter filters nothing."""
    status = "" if status in (None, ALL) or (role != "staff" and status == "closed") else status
    category = "" if category in (None, ALL) else category
    language = "" if language in (None, ALL) or role != "staff" or language not in LANGUAGE_LABELS else language
    return ListFilters(status or "", category or "", query or "", bool(needs_review), language)


def status_options(role: str) -> list[dict[str, str]]:
    """Return the status filter's choices for a role (closed tickets are for staff)."""
    options = [{"label": "Open and active" if role == "user" else "All statuses", "value": ALL}]
    statuses = ("open", "active", "closed") if role == "staff" else ("open", "active")
    options += [{"label": STATUS_LABELS[status], "value": status} for status in statuses]
    return options


CATEGORY_OPTIONS = [{"label": "All categories", "value": ALL}] + [
    {"label": label, "value": key} for key, label in CATEGORY_LABELS.items()
]
LANGUAGE_OPTIONS = [{"label": "All languages", "value": ALL}] + [
    {"label": label, "value": key} for key, label in LANGUAGE_LABELS.items()
]


@dataclass
class ListAddress:
    """The list's state as the address keeps it: ``/tickets?status=open&category=it&q=wifi&sort=title``."""

    status: str = ALL
    category: str = ALL
    query: str = ""
    needs_review: bool = False
    sort: str = DEFAULT_SORT
    language: str = ALL


def address_state(query: Mapping[str, Any]) -> ListAddress:
    """Return the list's state from the address's query; anything unknown falls back to the default."""
    status = str(query.get("status") or ALL)
    category = str(query.get("category") or ALL)
    sort = str(query.get("sort") or DEFAULT_SORT)
    return ListAddress(
        status=status if status in (*STATUS_LABELS, ALL) else ALL,
        category=category if category in (*CATEGORY_LABELS, ALL) else ALL,
        query=str(query.get("q") or "")[:200],
        needs_review=str(query.get("review") or "") in ("1", "true", "yes"),
        sort=sort if sort.lstrip("-") in SORTABLE else DEFAULT_SORT,
        language=str(query.get("language") or ALL) if query.get("language") in LANGUAGE_LABELS else ALL,
    )


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
        # How long ago, which is what a list is scanned for; the exact campus time on hover.
        "updated": relative_time(ticket.get("updated_at")),
        "updated_exact": format_time(ticket.get("updated_at"), zone),
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


def shown_range(offset: int, shown: int, total: int) -> str:
    """Return which rows the grid just loaded, e.g. ``1–100 of 4,017``."""
    if total <= 0 or shown <= 0:
        return ""
    return f"{offset + 1:,}–{offset + shown:,} of {total:,}"


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


def controls_for(role: str, status: str | None) -> tuple[list[dict[str, str]], Any, dict[str, str]]:
    """Return the status choices, the status value and the staff filters' style for a role."""
    value: Any = no_update
    if role != "staff" and status == "closed":
        value = ALL
    return status_options(role), value, ({"display": "block"} if role == "staff" else {"display": "none"})
