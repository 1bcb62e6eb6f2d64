"""A real ticket store holding the history, and the three functions loaded in this one process."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import functions_framework
import pytest
import requests
from flask.testing import FlaskClient

from harness.processes import ROOT, Running, store_process
from .history import Ticket, history_csv, make_history

FUNCTIONS = ("open_since", "resolution_time", "category_active")
STAFF = {"X-Helpdesk-Role": "staff"}


def source(name: str) -> Path:
    return ROOT / "functions" / name / "main.py"


def import_history(store: Running, tickets: list[Ticket], token: str | None = None) -> None:
    """Load *tickets* into the store through its import endpoint, as staff."""
    headers = {**STAFF, "Content-Type": "text/csv", **({"Authorization": f"Bearer {token}"} if token else {})}
    response = requests.post(store.url + "/api/v1/import", data=history_csv(tickets).encode(), headers=headers,
                             timeout=60)
    assert response.status_code == 200, response.text
    assert response.json() == {"imported": len(tickets)}


@pytest.fixture(scope="session")
def history() -> list[Ticket]:
    return make_history()


@pytest.fixture(scope="session")
def history_store(tmp_path_factory: pytest.TempPathFactory, history: list[Ticket]) -> Iterator[Running]:
    """A real store process whose database holds the history."""
    store = store_process(tmp_path_factory.mktemp("history") / "helpdesk.duckdb").start()
    try:
        import_history(store, history)
        yield store
    finally:
        store.stop()


@pytest.fixture(scope="session")
def function_clients() -> dict[str, FlaskClient]:
    """The three functions, loaded one after the other in this process (their modules are all 'main')."""
    return {name: functions_framework.create_app(name, str(source(name))).test_client() for name in FUNCTIONS}


@pytest.fixture
def call(function_clients: dict[str, FlaskClient], history_store: Running,
         monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Call a function in-process against the history store, in Europe/Rome, without a token."""
    monkeypatch.setenv("HELPDESK_STORE_URL", history_store.url)
    monkeypatch.setenv("HELPDESK_TIMEZONE", "Europe/Rome")
    monkeypatch.delenv("HELPDESK_API_TOKEN", raising=False)

    def call(name: str, headers: dict[str, str] | None = None, **params: Any):
        return function_clients[name].get("/", query_string=params, headers=headers or {})

    return call


def assert_error(response, status: int) -> dict[str, Any]:
    """Assert the store's error shape with *status* (works for test-client and requests responses)."""
    body = response.get_json() if hasattr(response, "get_json") else response.json()
    assert response.status_code == status, body
    assert set(body) == {"status", "error", "details"} and body["status"] == status
    assert isinstance(body["details"], list)
    assert body["error"].endswith(".") and "Traceback" not in body["error"]
    return body
