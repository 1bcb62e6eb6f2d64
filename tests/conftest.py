"""Fixtures shared by every test: a real store on a real DuckDB file in a temp dir."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ticket_store import create_app

from harness.processes import Running, store_process


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "helpdesk.duckdb"


@pytest.fixture
def app(db_path: Path) -> Iterator[Flask]:
    app = create_app({"DB_PATH": str(db_path), "TESTING": True})
    yield app
    app.extensions["ticket_store"].db.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def store_server(db_path: Path) -> Iterator[Running]:
    """A real ticket store process (waitress) on a free port."""
    server = store_process(db_path).start()
    yield server
    server.stop()
