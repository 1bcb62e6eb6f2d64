"""Whether the ticket store answers, said in words on every page, and when it is back."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from .service_errors import ServiceError
from .store_client import StoreClient

#: How often every page asks whether the store answers.
CHECK_MS = 5000
DOWN = "down"
UP = "up"


def store_state(store: StoreClient) -> str:
    """Return ``up`` when the store answers its health check, else ``down``."""
    try:
        store.health()
    except ServiceError:
        return DOWN
    return UP


def status_banner(state: str, before: str | None) -> Any:
    """Return the notice for the store's state: a warning while it is down, a note once it is back."""
    if state == DOWN:
        return dbc.Alert(
            [
                html.Strong("The ticket store cannot be reached right now. "),
                "What this page shows may be out of date, and nothing can be saved or sent until it is back. "
                "This page checks again every few seconds.",
            ],
            color="danger",
            id="store-down",
            class_name="mb-3",
        )
    if before == DOWN:
        return dbc.Alert(
            "The ticket store is back: this page is up to date again and you can save and send.",
            color="success",
            id="store-back",
            class_name="mb-3",
            duration=8000,
        )
    return None
