"""Fixtures for the web app's unit tests: the app imported once, a real store process."""

from __future__ import annotations

import uuid
from typing import Callable, Iterator

import pytest

import dash_app.app  # noqa: F401  (pages register themselves on import, which needs the app)
from dash_app.settings import Settings
from dash_app.store_client import StoreClient, Ticket

from harness.processes import Running, free_port, store_process


def settings_for(store_url: str, **overrides: str | None) -> Settings:
    """Return settings pointing at *store_url*, everything else at closed ports."""
    closed = f"http://127.0.0.1:{free_port()}"
    values = {
        "store_url": store_url,
        "open_since_url": closed,
        "resolution_time_url": closed,
        "category_active_url": closed,
        "timezone": "Europe/Rome",
        "api_token": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def store_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One real ticket store process shared by the web app's unit tests."""
    server = store_process(tmp_path_factory.mktemp("web-store") / "helpdesk.duckdb").start()
    yield server
    server.stop()


@pytest.fixture
def settings(store_server: Running, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for the shared store; the environment says the same for code that reads it."""
    configured = settings_for(store_server.url)
    for variable, value in {
        "HELPDESK_STORE_URL": configured.store_url,
        "HELPDESK_OPEN_SINCE_URL": configured.open_since_url,
        "HELPDESK_RESOLUTION_TIME_URL": configured.resolution_time_url,
        "HELPDESK_CATEGORY_ACTIVE_URL": configured.category_active_url,
        "HELPDESK_TIMEZONE": configured.timezone,
    }.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv("HELPDESK_API_TOKEN", raising=False)
    return configured


@pytest.fixture
def user_store(settings: Settings) -> StoreClient:
    return StoreClient("user", settings)


@pytest.fixture
def staff_store(settings: Settings) -> StoreClient:
    return StoreClient("staff", settings)


@pytest.fixture
def down_store() -> StoreClient:
    """A client for a store that is not running."""
    return StoreClient("staff", settings_for(f"http://127.0.0.1:{free_port()}"))


@pytest.fixture
def word() -> str:
    """A word no other test uses, to find this test's tickets by search."""
    return "w" + uuid.uuid4().hex[:10]


@pytest.fixture
def make_ticket(user_store: StoreClient) -> Callable[..., Ticket]:
    def make(description: str = "The projector in room B2 shows no picture", **fields: str) -> Ticket:
        return user_store.create_ticket(description=description, **fields)

    return make
