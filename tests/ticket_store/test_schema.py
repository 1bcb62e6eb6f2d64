"""The schema migrates forward once and an existing database keeps working."""
from __future__ import annotations

import duckdb

from ticket_store import create_app
from ticket_store.schema import MIGRATIONS

from .conftest import STAFF


def test_reopening_keeps_data_and_applies_nothing_twice(tmp_path):
    path = str(tmp_path / "helpdesk.duckdb")
    first = create_app({"DB_PATH": path})
    ticket = first.test_client().post("/api/v1/tickets", json={"description": "Door lock broken"}).get_json()
    first.extensions["ticket_store"].db.close()

    second = create_app({"DB_PATH": path})
    client = second.test_client()
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=STAFF).get_json() == ticket
    assert client.post("/api/v1/tickets", json={"description": "Another"}).get_json()["id"] == ticket["id"] + 1
    second.extensions["ticket_store"].db.close()

    with duckdb.connect(path) as con:
        versions = [row[0] for row in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    assert versions == [version for version, _ in MIGRATIONS]
