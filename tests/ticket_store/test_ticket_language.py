"""The language the categorizer detects is kept with each ticket, shown to everyone, and filters the list."""
from __future__ import annotations

import duckdb

from ticket_store import create_app
from ticket_store.openapi import openapi_document
from ticket_store.schema import MIGRATIONS

from .conftest import CSV_HEADER, STAFF, USER, assert_error, if_match, matches_schema

ITALIAN = "La stampante del secondo piano non stampa più niente da ieri"
GERMAN = "Die Heizung im Seminarraum ist seit Montag komplett kalt"
ENGLISH = "The radiator in room B12 has been cold since Monday"


def languages_listed(client, query: str, role: dict = STAFF) -> list[str]:
    response = client.get(f"/api/v1/tickets?sort=id&{query}", headers=role)
    assert response.status_code == 200, response.get_json()
    return [ticket["language"] for ticket in response.get_json()["items"]]


def test_a_new_ticket_keeps_the_language_it_was_written_in(client, desk):
    italian = desk.create(ITALIAN)
    assert italian["language"] == "it"
    matches_schema("Ticket", italian)
    assert desk.get(italian["id"])["language"] == "it"
    assert desk.create(ENGLISH)["language"] == "en"


def test_users_see_the_language_too(client, desk):
    ticket = desk.create(GERMAN)
    assert desk.get(ticket["id"], role=USER)["language"] == "de"
    assert languages_listed(client, "language=de", role=USER) == ["de"]


def test_the_list_filters_by_a_comma_list_of_languages(client, desk):
    for text in (ITALIAN, GERMAN, ENGLISH):
        desk.create(text)
    assert languages_listed(client, "language=it") == ["it"]
    assert languages_listed(client, "language=de,%20it,") == ["it", "de"]
    assert languages_listed(client, "language=fr") == []
    assert languages_listed(client, "language=") == ["it", "de", "en"]
    counted = client.get("/api/v1/tickets?language=en&with_counts=true", headers=STAFF).get_json()
    assert counted["total"] == 1


def test_an_unknown_language_is_refused_and_changes_nothing(client, desk):
    desk.create(ITALIAN)
    body = assert_error(client.get("/api/v1/tickets?language=klingon", headers=STAFF), 422)
    assert body["details"][0]["field"] == "language"
    assert desk.count() == 1


def test_the_language_cannot_be_set_by_the_writer(client, desk):
    body = assert_error(client.post("/api/v1/tickets", json={"description": ENGLISH, "language": "it"}), 422)
    assert "detected by the store" in body["details"][0]["message"]
    ticket = desk.create(ENGLISH)
    patched = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"language": "it"},
                           headers={**STAFF, **if_match(ticket["version"])})
    assert_error(patched, 422)
    assert desk.get(ticket["id"])["language"] == "en"


def test_imported_tickets_get_a_language_when_the_categorizer_reads_them(client, desk):
    rows = (
        f'"",{ITALIAN},,,,open,2025-06-01T09:00:00Z,\n'
        f'"",{GERMAN},,,facility,open,2025-06-02T09:00:00Z,\n'
    )
    assert desk.import_csv(CSV_HEADER + rows).status_code == 200
    # The categorizer read the first (it had no category); the second came with its category: unknown.
    assert languages_listed(client, "") == ["it", None]
    assert languages_listed(client, "language=it,de") == ["it"]


def test_tickets_stored_before_the_language_was_kept_have_none(tmp_path):
    path = str(tmp_path / "helpdesk.duckdb")
    with duckdb.connect(path) as con:
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
        for version, sql in MIGRATIONS[:3]:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [version])
        con.execute("INSERT INTO tickets VALUES (7, NULL, 'Stampante rotta al secondo piano', NULL, NULL, 'it', "
                    "'auto', 0.93, 'open', TIMESTAMP '2026-01-05 09:00', TIMESTAMP '2026-01-05 09:00', NULL, 1, 0, "
                    "'stampante rotta al secondo piano')")
    app = create_app({"DB_PATH": path})
    try:
        client = app.test_client()
        assert client.get("/api/v1/tickets/7", headers=STAFF).get_json()["language"] is None
        assert languages_listed(client, "language=it") == []
        assert client.post("/api/v1/tickets", json={"description": ITALIAN}).get_json()["language"] == "it"
    finally:
        app.extensions["ticket_store"].db.close()


def test_the_document_describes_the_language_and_its_filter():
    document = openapi_document()
    assert "language" in document["components"]["schemas"]["Ticket"]["properties"]
    assert "language" in document["components"]["schemas"]["Ticket"]["required"]
    parameters = [p.get("name") for p in document["paths"]["/api/v1/tickets"]["get"]["parameters"]]
    assert "language" in parameters
