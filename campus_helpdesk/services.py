"""The five services of the helpdesk: their names, default ports and how each app is built."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORKER_BOOT_ERROR = 3
FUNCTIONS = ("open_since", "resolution_time", "category_active")


@dataclass(frozen=True)
class Service:
    """One service: its name, default port and the environment variable that points others to it."""

    name: str
    port: int
    url_variable: str | None


SERVICES = (
    Service("store", 8060, "HELPDESK_STORE_URL"),
    Service("open_since", 8061, "HELPDESK_OPEN_SINCE_URL"),
    Service("resolution_time", 8062, "HELPDESK_RESOLUTION_TIME_URL"),
    Service("category_active", 8063, "HELPDESK_CATEGORY_ACTIVE_URL"),
    Service("web", 8050, None),
)
DEFAULT_PORTS = {service.name: service.port for service in SERVICES}


def functions_dir() -> Path:
    """Return the folder holding the analysis functions (HELPDESK_FUNCTIONS_DIR or the source tree's)."""
    configured = os.environ.get("HELPDESK_FUNCTIONS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / "functions"


def store_app() -> Any:
    """Build the ticket store's WSGI app."""
    from ticket_store import create_app
    from ticket_store.db import DatabaseLocked

    try:
        return create_app()
    except DatabaseLocked as error:
        print(f"campus-helpdesk store: {error}", file=sys.stderr, flush=True)
        sys.exit(WORKER_BOOT_ERROR)  # gunicorn then stops instead of retrying


def web_app() -> Any:
    """Build the web app's WSGI server."""
    from dash_app.app import server

    return server


def function_app(name: str) -> Any:
    """Build one analysis function's WSGI app with functions-framework."""
    import functions_framework

    return functions_framework.create_app(target=name, source=str(functions_dir() / name / "main.py"))
