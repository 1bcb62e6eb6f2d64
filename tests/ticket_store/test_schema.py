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
    del ticket["follow_token"]  # answered once, at creation
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


def test_a_second_version_database_numbers_its_history_and_stale_edits_follow_it(tmp_path):
    """Events before migration 3 get the version they produced, so stale edits read the old history right."""
    path = str(tmp_path / "helpdesk.duckdb")
    with duckdb.connect(path) as con:
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
        for version, sql in MIGRATIONS[:2]:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [version])
        # Version 1 created, 2 an edit of the title with a category correction, 3 a message.
        con.execute("INSERT INTO tickets VALUES (4, 'Projector', 'The beamer flickers', 'Aula Magna', NULL, 'it', "
                    "'staff', 1.0, 'open', TIMESTAMP '2026-01-05 09:00', TIMESTAMP '2026-01-05 11:00', NULL, 3, 1, "
                    "'projector')")
        con.execute("INSERT INTO messages VALUES (1, 4, 'user', NULL, 'Any news?', TIMESTAMP '2026-01-05 11:00')")
        con.execute("""INSERT INTO events VALUES
            (1, 4, TIMESTAMP '2026-01-05 09:00', 'user', 'created', NULL, '{"title": null}'),
            (2, 4, TIMESTAMP '2026-01-05 10:00', 'staff', 'edited', '{"title": null}', '{"title": "Projector"}'),
            (3, 4, TIMESTAMP '2026-01-05 10:00', 'staff', 'category_changed', '{"category": "services"}',
             '{"category": "it", "category_source": "staff"}'),
            (4, 4, TIMESTAMP '2026-01-05 11:00', 'user', 'message_posted', NULL, '{"message_id": 1}')""")

    app = create_app({"DB_PATH": path})
    client = app.test_client()
    db = app.extensions["ticket_store"].db
    assert db.cursor().execute("SELECT version FROM events ORDER BY id").fetchall() == [(1,), (2,), (2,), (3,)]
    # Since version 2 only a message came; since version 1 the title changed.
    assert client.patch("/api/v1/tickets/4", json={"title": "Beamer"}, headers={"If-Match": '"1"'}).status_code == 412
    edited = client.patch("/api/v1/tickets/4", json={"title": "Beamer"}, headers={"If-Match": '"2"'})
    assert edited.status_code == 200 and edited.get_json()["version"] == 4
    assert client.patch("/api/v1/tickets/4", json={"location": "Hall A"},
                        headers={"If-Match": '"1"'}).get_json()["version"] == 5
    assert db.cursor().execute("SELECT max(version) FROM events").fetchone()[0] == 5
    db.close()


def test_a_database_without_the_search_index_gains_it_at_its_first_start(tmp_path):
    """Migration 6 fills the index from every ticket and drops search_text, after 8 and 9 and without 5."""
    from ticket_store import search

    path = str(tmp_path / "helpdesk.duckdb")
    with duckdb.connect(path) as con:
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
        for version, sql in MIGRATIONS:
            if version not in (6, 11):  # 11 needs the index 6 creates
                con.execute(sql)
                con.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [version])
        con.execute("INSERT INTO tickets (id, title, description, location, reporter, category, category_source, "
                    "category_confidence, status, opened_at, updated_at, version, message_count) VALUES "
                    "(7, 'Wi-Fi', 'The CAFE\u0301 has no signal', 'Caffè Centrale', 'anna.rossi@campus.example', 'it', "
                    "'auto', 0.9, 'open', TIMESTAMP '2026-01-05 09:00', TIMESTAMP '2026-01-05 09:00', 1, 0)")

    app = create_app({"DB_PATH": path})
    client = app.test_client()
    cursor = app.extensions["ticket_store"].db.cursor()
    assert search.index_differences(cursor) == []
    assert "search_text" not in [row[0] for row in cursor.execute("DESCRIBE tickets").fetchall()]
    for query in ("wifi café", "rossi caff", "WI-FI"):
        assert [ticket["id"] for ticket in client.get(f"/api/v1/tickets?q={query}", headers=STAFF).get_json()["items"]
                ] == [7], query
    app.extensions["ticket_store"].db.close()
    with duckdb.connect(path) as con:
        versions = [row[0] for row in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    assert versions == [version for version, _ in MIGRATIONS]
