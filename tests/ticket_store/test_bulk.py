"""Bulk import (CSV and NDJSON, all-or-nothing) and CSV export (SPEC §3, §6)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from .conftest import CSV_HEADER, STAFF, USER, assert_error, matches_schema

GOOD_ROWS = [
    {"title": "Lift stuck", "description": "The lift in building A is stuck\non floor 3, \"again\"",
     "location": "Building A", "reporter": "Jo", "category": "facility", "status": "closed",
     "opened_at": "2025-03-31T22:30:00.000000Z", "closed_at": "2025-04-02T08:15:30.500000Z"},
    {"title": "", "description": "VPN drops every ten minutes", "location": "", "reporter": "",
     "category": "it", "status": "active", "opened_at": "2025-06-01T09:00:00.000000Z", "closed_at": ""},
    {"title": "Rude staff", "description": "Staff at the registrar were rude, café prices too high ☕",
     "location": "Registrar", "reporter": "visitor@example.org", "category": "services", "status": "open",
     "opened_at": "2025-07-15T12:00:00.000000Z", "closed_at": ""},
]


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(GOOD_ROWS[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_csv_import_stores_every_field(client, desk):
    response = desk.import_csv(to_csv(GOOD_ROWS))
    assert response.status_code == 200 and response.get_json() == {"imported": 3}
    matches_schema("ImportResult", response.get_json())
    page = client.get("/api/v1/tickets?sort=id", headers=STAFF).get_json()["items"]
    first = page[0]
    assert first["description"] == GOOD_ROWS[0]["description"]
    assert first["opened_at"] == "2025-03-31T22:30:00.000000Z" and first["closed_at"] == "2025-04-02T08:15:30.500000Z"
    assert first["category_source"] == "staff" and first["status"] == "closed"
    assert page[1]["title"] is None and page[1]["closed_at"] is None


def test_imported_tickets_have_history(client, desk):
    desk.import_csv(to_csv(GOOD_ROWS))
    ticket_id = client.get("/api/v1/tickets?sort=id&limit=1", headers=STAFF).get_json()["items"][0]["id"]
    events = client.get(f"/api/v1/tickets/{ticket_id}/events", headers=STAFF).get_json()["items"]
    assert [event["kind"] for event in events] == ["imported"]


def test_empty_category_is_assigned_by_the_categorizer(client, desk):
    row = {**GOOD_ROWS[1], "category": ""}
    assert desk.import_csv(to_csv([row])).status_code == 200
    ticket = client.get("/api/v1/tickets", headers=STAFF).get_json()["items"][0]
    assert ticket["category_source"] == "auto" and ticket["category"] in ("facility", "it", "services")


def test_ndjson_import(client, desk):
    lines = "\n".join(json.dumps({key: value or None for key, value in row.items()}) for row in GOOD_ROWS)
    response = client.post("/api/v1/import", data=lines, content_type="application/x-ndjson", headers=STAFF)
    assert response.get_json() == {"imported": 3}


BAD_VALUES = [
    ("description", "", "description"),
    ("description", "x" * 10_001, "description"),
    ("title", "t" * 121, "title"),
    ("status", "pending", "status"),
    ("category", "garden", "category"),
    ("opened_at", "last tuesday", "opened_at"),
    ("opened_at", "2999-01-01T00:00:00Z", "opened_at"),
    ("closed_at", "", "closed_at"),
    ("closed_at", "2025-01-01T00:00:00Z", "closed_at"),
    ("description", "nul \x00 inside", "description"),
]


@pytest.mark.parametrize("field, value, named", BAD_VALUES)
def test_import_with_a_bad_row_in_the_middle_imports_nothing(desk, field, value, named):
    desk.import_csv(to_csv(GOOD_ROWS[2:]))
    rows = [GOOD_ROWS[1], GOOD_ROWS[2], {**GOOD_ROWS[0], field: value}, GOOD_ROWS[1]]
    body = assert_error(desk.import_csv(to_csv(rows)), 422)
    assert body["details"][0]["row"] == 3 and body["details"][0]["field"] == named
    assert "row 3" in body["error"] and named in body["error"]
    assert desk.count() == 1


def test_closed_at_only_for_closed_tickets(desk):
    body = assert_error(desk.import_csv(to_csv([{**GOOD_ROWS[1], "closed_at": "2025-06-02T00:00:00Z"}])), 422)
    assert body["details"][0]["field"] == "closed_at"


def test_wrong_header_is_refused(desk):
    assert_error(desk.import_csv("description,title\nx,y\n"), 422)
    assert desk.count() == 0


def test_malformed_csv_names_the_row(desk):
    text = CSV_HEADER + to_csv(GOOD_ROWS[:1]).split("\n", 1)[1] + "a,b,c\n"
    body = assert_error(desk.import_csv(text), 422)
    assert body["details"][0]["row"] >= 2
    assert desk.count() == 0


@pytest.mark.parametrize("line, field", [('{"description": "x", "colour": "red"}', "colour"),
                                         ('{"description": 5}', "description"), ("[1, 2]", ""), ("{oops", "")])
def test_bad_ndjson_line_is_refused(client, desk, line, field):
    good = json.dumps({k: v or None for k, v in GOOD_ROWS[2].items()})
    response = client.post("/api/v1/import", data=f"{good}\n{line}\n", content_type="application/x-ndjson",
                           headers=STAFF)
    body = assert_error(response, 422)
    assert body["details"][0]["row"] == 2 and body["details"][0]["field"] == field
    assert desk.count() == 0


def test_import_needs_staff_and_a_known_content_type(client):
    assert_error(client.post("/api/v1/import", data=to_csv(GOOD_ROWS), content_type="text/csv", headers=USER), 403)
    assert_error(client.post("/api/v1/import", data="x", content_type="application/pdf", headers=STAFF), 415)


def test_export_then_import_round_trip_preserves_every_field(app, client, desk, tmp_path):
    desk.import_csv(to_csv(GOOD_ROWS))
    desk.create("Screen flickers in lab 4", title="Flicker", location="Lab 4", reporter="Kim")
    exported = client.get("/api/v1/export", headers=STAFF)
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    first = exported.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(first)))
    assert len(rows) == 4 and list(rows[0]) == CSV_HEADER.strip().split(",")
    assert rows[0] == GOOD_ROWS[0]

    from ticket_store import create_app
    other = create_app({"DB_PATH": str(tmp_path / "other.duckdb")}).test_client()
    assert other.post("/api/v1/import", data=first.encode(), content_type="text/csv",
                      headers=STAFF).get_json() == {"imported": 4}
    assert other.get("/api/v1/export", headers=STAFF).get_data(as_text=True) == first


def test_export_needs_staff(client):
    assert_error(client.get("/api/v1/export", headers=USER), 403)


def test_import_accepts_bodies_over_one_mebibyte(client, desk):
    rows = [{**GOOD_ROWS[2], "description": f"Queue at the canteen, day {n}. " + "x" * 400} for n in range(6000)]
    body = to_csv(rows)
    assert len(body) > 2 * 1024 * 1024
    assert desk.import_csv(body).get_json() == {"imported": 6000}
    lines = "\n".join(json.dumps({k: v or None for k, v in row.items()}) for row in rows)
    response = client.post("/api/v1/import", data=lines, content_type="application/x-ndjson", headers=STAFF)
    assert response.get_json() == {"imported": 6000}


def test_ndjson_with_blank_lines_and_missing_optional_fields(client, desk):
    lines = '\n{"description": "Lift broken", "status": "open", "opened_at": "2025-01-01T00:00:00Z"}\n\n'
    response = client.post("/api/v1/import", data=lines, content_type="application/x-ndjson", headers=STAFF)
    assert response.get_json() == {"imported": 1}


def spooled(db_path) -> list:
    """The import and export files beside the database (bulk.spool_file)."""
    return sorted(db_path.parent.glob(f".{db_path.name}-spool-*"))


def test_imports_and_exports_leave_no_file_beside_the_database(client, desk, db_path):
    assert desk.import_csv(to_csv(GOOD_ROWS)).status_code == 200
    assert desk.import_csv(CSV_HEADER + ",,Room 1,,it,open,2025-01-05T09:00:00Z,\n").status_code == 422
    assert client.get("/api/v1/export", headers=STAFF).status_code == 200
    assert spooled(db_path) == []


def test_a_store_removes_the_files_a_killed_store_left_beside_its_database(tmp_path):
    """Only its own database's: another database's import in the same folder may be under way."""
    from ticket_store import bulk, create_app

    left = [bulk.spool_file(str(tmp_path / "helpdesk.duckdb"), kind) for kind in ("csv", "ndjson")]
    other = bulk.spool_file(str(tmp_path / "other.duckdb"), "csv")
    assert all(Path(path).exists() for path in [*left, other])
    app = create_app({"DB_PATH": str(tmp_path / "helpdesk.duckdb"), "TESTING": True})
    try:
        assert spooled(tmp_path / "helpdesk.duckdb") == []
        assert Path(other).exists()
    finally:
        app.extensions["ticket_store"].db.close()
