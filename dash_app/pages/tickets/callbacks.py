"""The ticket list's callbacks; the grid's cache is emptied in the browser (assets/tickets.js)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, no_update

from ...session import SESSION_ID, role_of, store_for
from ...settings import load_settings
from .actions import load_rows
from .views import chosen_filters, controls_for


@callback(
    Output("tickets-grid", "getRowsResponse"),
    Output("tickets-summary", "children"),
    Output("tickets-alert", "children"),
    Output("tickets-empty", "children"),
    Output("tickets-failed", "data"),
    Output("tickets-drawn", "data"),
    Output("tickets-range", "children"),
    Input("tickets-grid", "getRowsRequest"),
    State("tickets-status", "value"),
    State("tickets-category", "value"),
    State("tickets-search-settled", "data"),
    State("tickets-needs-review", "value"),
    State(SESSION_ID, "data"),
    State("tickets-staff-query", "data"),
    State("tickets-language", "value"),
    prevent_initial_call=True,
)
def load_rows_callback(request, status, category, query, needs_review, session, extra, language):  # type: ignore[no-untyped-def]
    if not request:
        return no_update, no_update, no_update, no_update, no_update, no_update, no_update
    drawn = [status, category, query, needs_review, (session or {}).get("role"), language]
    role = role_of(session)
    filters = chosen_filters(status, category, query, needs_review, role, language)
    answer = load_rows(request, filters, role, store_for(session), load_settings().zone, extra)
    return answer.response, answer.summary, answer.alert, answer.empty, answer.failed, drawn, answer.range_text


@callback(
    Output("tickets-status", "options"),
    Output("tickets-status", "value"),
    Output("tickets-staff-filters", "style"),
    Input(SESSION_ID, "data"),
    State("tickets-status", "value"),
)
def controls_callback(session, status):  # type: ignore[no-untyped-def]
    return controls_for(role_of(session), status)


# A click on a row opens its ticket in the browser (assets/keyboard.js), keeping the list's
# address in the history so that Back returns to the same list.
clientside_callback(
    ClientsideFunction(namespace="grid", function_name="openClickedTicket"),
    Output("tickets-opened", "data"),
    Input("tickets-grid", "cellClicked"),
    prevent_initial_call=True,
)


# Filters live outside the grid: when the rows on show were loaded with other filters than
# the controls now hold, the grid's block cache is emptied so that it asks the store again.
# The rows' loader reports the filters it used, so a filter that settles while the first rows
# are still loading is caught when they arrive.
clientside_callback(
    ClientsideFunction(namespace="tickets", function_name="reloadWhenFiltersChange"),
    Output("tickets-purged", "data"),
    Input("tickets-status", "value"),
    Input("tickets-category", "value"),
    Input("tickets-search-settled", "data"),
    Input("tickets-needs-review", "value"),
    Input(SESSION_ID, "data"),
    Input("tickets-drawn", "data"),
    Input("tickets-language", "value"),
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
    ClientsideFunction(namespace="tickets", function_name="reloadWhileFailing"),
    Output("tickets-purged", "data", allow_duplicate=True),
    Input("tickets-retry", "n_intervals"),
    State("tickets-failed", "data"),
    prevent_initial_call=True,
)

# The list's state lives in the address, so that Back, a reload or a shared link shows the
# same list (assets/tickets.js); the address is replaced, not pushed, on every change.
clientside_callback(
    ClientsideFunction(namespace="tickets", function_name="keepStateInAddress"),
    Output("tickets-addressed", "data"),
    Input("tickets-status", "value"),
    Input("tickets-category", "value"),
    Input("tickets-search-settled", "data"),
    Input("tickets-needs-review", "value"),
    Input("tickets-grid", "getRowsRequest"),
    Input("tickets-language", "value"),
    Input("tickets-sla", "value"),  # the staff filters too, so a shared queue stays that queue
    Input("tickets-queue", "value"),
    Input("tickets-priority", "value"),
)


# "Loading tickets…" shows until the first rows (or the reason there are none) have arrived.
clientside_callback(
    ClientsideFunction(namespace="loading", function_name="hideWhenDrawn"),
    Output("tickets-loading", "style"),
    Input("tickets-drawn", "data"),
)
