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


def test_a_first_version_database_gains_the_search_column_and_keeps_its_tickets(tmp_path):
    path = str(tmp_path / "helpdesk.duckdb")
    with duckdb.connect(path) as con:
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
        con.execute(MIGRATIONS[0][1])
        con.execute("INSERT INTO schema_migrations VALUES (1, now()::TIMESTAMP)")
        con.execute("INSERT INTO tickets VALUES (7, 'Projector', 'The BEAMER in Aula Magna flickers', 'Aula Magna', "
                    "'Zoë', 'it', 'auto', 0.93, 'open', TIMESTAMP '2026-01-05 09:00', TIMESTAMP '2026-01-05 09:00', "
                    "NULL, 1, 0)")

    app = create_app({"DB_PATH": path})
    client = app.test_client()
    found = client.get("/api/v1/tickets?q=beamer+zoë", headers=STAFF).get_json()
    assert [ticket["id"] for ticket in found["items"]] == [7]
    assert found["items"][0]["description"] == "The BEAMER in Aula Magna flickers"
    assert client.post("/api/v1/tickets", json={"description": "Another"}).get_json()["id"] == 8
    app.extensions["ticket_store"].db.close()

    with duckdb.connect(path) as con:
        versions = [row[0] for row in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    assert versions == [version for version, _ in MIGRATIONS]
