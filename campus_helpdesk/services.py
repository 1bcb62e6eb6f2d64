"""The services of the helpdesk: their names, default ports, health checks and how each app is built."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

WORKER_BOOT_ERROR = 3
FUNCTIONS = ("open_since", "resolution_time", "category_active", "service_levels")
DEFAULT_DB_PATH = "./var/helpdesk.duckdb"
DEFAULT_STORE_URL = "http://127.0.0.1:8060"


@dataclass(frozen=True)
class Service:
    """One service: its name, default port, the variable that points others to it, and its health check."""

    name: str
    port: int
    url_variable: str | None
    health_path: str
    label: str

    @property
    def command(self) -> list[str]:
        """Return the campus-helpdesk arguments that run this service (after the program name)."""
        return ["function", self.name] if self.name in FUNCTIONS else [self.name]


SERVICES = (
    Service("store", 8060, "HELPDESK_STORE_URL", "/api/v1/health", "Ticket store API"),
    Service("open_since", 8061, "HELPDESK_OPEN_SINCE_URL", "/", "Function: open since"),
    Service("resolution_time", 8062, "HELPDESK_RESOLUTION_TIME_URL", "/", "Function: resolution time"),
    Service("category_active", 8063, "HELPDESK_CATEGORY_ACTIVE_URL", "/", "Function: active by category"),
    Service("service_levels", 8064, "HELPDESK_SERVICE_LEVELS_URL", "/", "Function: service levels"),
    Service("web", 8050, None, "/", "Web app"),
    # Delivers the outbox's mail over HELPDESK_SMTP_URL; idle without it. Its port serves only its health.
    Service("mailer", 8069, None, "/", "Mail sender"),
)
SERVICES_BY_NAME = {service.name: service for service in SERVICES}
DEFAULT_PORTS = {service.name: service.port for service in SERVICES}


def is_healthy(service: Service, url: str, token: str | None = None) -> bool:
    """Return True when the service at *url* answers its health check.

    The store must say ok; a function or the web app is up once it answers HTTP at all below 500
    (a function asked without parameters may rightly answer 400).
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = requests.get(url.rstrip("/") + service.health_path, headers=headers, timeout=3)
    except requests.RequestException:
        return False
    return response.status_code == 200 if service.name == "store" else response.status_code < 500


def functions_dir() -> Path:
    """Return the folder holding the analysis functions (HELPDESK_FUNCTIONS_DIR or the source tree's)."""
    configured = os.environ.get("HELPDESK_FUNCTIONS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / "functions"


def store_app() -> Any:
    """Build the ticket store's WSGI app."""
    from ticket_store import create_app
    from ticket_store.db import DatabaseUnavailable
    from ticket_store.service_levels import BadServiceLevels

    try:
        return create_app()
    except (DatabaseUnavailable, BadServiceLevels) as error:
        print(f"campus-helpdesk store: {error}", file=sys.stderr, flush=True)
        sys.exit(WORKER_BOOT_ERROR)  # before listening: the service exits instead of serving


def close_store(app: Any) -> None:
    """Close the store's database (a checkpoint), once no request uses it any more."""
    app.extensions["ticket_store"].db.close()


def web_app() -> Any:
    """Build the web app's WSGI server."""
    from dash_app.app import server

    return server


def function_app(name: str) -> Any:
    """Build one analysis function's WSGI app with functions-framework."""
    import functions_framework

    return functions_framework.create_app(target=name, source=str(function_source(name)))


def function_source(name: str) -> Path:
    """Return the main.py of the function *name*, or raise FileNotFoundError saying where it was looked for."""
    source = functions_dir() / name / "main.py"
    if not source.is_file():
        raise FileNotFoundError(f"The function {name} is not at {source}; set HELPDESK_FUNCTIONS_DIR to the folder "
                                "that holds open_since/, resolution_time/, category_active/ and service_levels/.")
    return source
