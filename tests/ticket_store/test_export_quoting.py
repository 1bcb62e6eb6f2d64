"""Export writes no cell a spreadsheet would run as a formula, and export → import keeps every text (SPEC §7.5)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticket_store import create_app
from ticket_store.bulk import QUOTE_CELL_MACRO, UNQUOTE_CELL_MACRO, unquote_cell
from ticket_store.payloads import WHITE_SPACE

from .conftest import STAFF

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_FIELDS = ("title", "description", "location", "reporter")
NASTY = ["=HYPERLINK(\"http://evil.example\",\"click\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)",
         "'=already quoted", "''=twice", "'+", "'", "''", "'hello", "it's =fine", "=", "-", "@", "—dash", "'-'"]


def exported_rows(client) -> list[dict[str, str]]:
    response = client.get("/api/v1/export", headers=STAFF)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def ticket_rows(texts: list[str]) -> list[dict[str, str]]:
    """One open ticket per text, the text in every text field."""
    return [{"title": text, "description": text, "location": text, "reporter": text, "category": "it",
             "status": "open", "opened_at": "2025-06-01T09:00:00.000000Z", "closed_at": ""} for text in texts]


def to_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")  # quotes \r and \n
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def assert_no_formula(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for field in TEXT_FIELDS:
            assert not row[field].startswith(FORMULA_STARTS), (field, row[field])


@pytest.fixture
def other(tmp_path: Path):
    """A second, empty store to import the export into."""
    app = create_app({"DB_PATH": str(tmp_path / "other.duckdb"), "TESTING": True})
    yield app.test_client()
    app.extensions["ticket_store"].db.close()


def test_formulas_are_exported_as_text_and_imported_back_exactly(client, desk, other):
    for text in NASTY:
        desk.create(text, title=text, location=text, reporter=text)
    rows = exported_rows(client)
    assert_no_formula(rows)
    assert rows[0]["description"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert [row["title"] for row in rows[5:8]] == ["''=already quoted", "'''=twice", "''+"]
    assert [row["title"] for row in rows[8:11]] == ["'", "''", "'hello"]  # nothing to neutralise: as they are
    assert other.post("/api/v1/import", data=to_csv(rows), content_type="text/csv",
                      headers=STAFF).get_json() == {"imported": len(NASTY)}
    items = other.get("/api/v1/tickets?sort=id&limit=200", headers=STAFF).get_json()["items"]
    assert [[item[field] for field in TEXT_FIELDS] for item in items] == [[text] * 4 for text in NASTY]
    assert exported_rows(other) == rows


def test_a_quote_a_person_typed_before_a_formula_is_read_as_the_spreadsheet_reads_it(client, desk):
    assert desk.import_csv(to_csv(ticket_rows(["'=1+1", "'hello", "''"])).decode()).get_json() == {"imported": 3}
    items = client.get("/api/v1/tickets?sort=id", headers=STAFF).get_json()["items"]
    assert [item["title"] for item in items] == ["=1+1", "'hello", "''"]


# Texts the API accepts: no control characters but newline, carriage return and tab, trimmed, not empty.
ALLOWED = st.characters(blacklist_categories=("Cs",), blacklist_characters=[
    *map(chr, range(0x00, 0x09)), "\x0b", "\x0c", *map(chr, range(0x0e, 0x20)), *map(chr, range(0x7f, 0xa0))])
TEXTS = st.text(st.one_of(st.sampled_from("'=+-@\t\r\n\"x, "), ALLOWED), min_size=1, max_size=30).map(
    lambda text: text.strip(WHITE_SPACE)).filter(bool)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(texts=st.lists(TEXTS, min_size=1, max_size=4))
def test_any_text_survives_export_then_import(client, desk, other, texts):
    before = len(exported_rows(client))
    assert desk.import_csv(to_csv(ticket_rows(texts)).decode()).status_code == 200
    rows = exported_rows(client)[before:]
    assert_no_formula(rows)
    start = len(exported_rows(other))
    assert other.post("/api/v1/import", data=to_csv(rows), content_type="text/csv", headers=STAFF).status_code == 200
    items = other.get(f"/api/v1/tickets?sort=id&limit=200&offset={start}", headers=STAFF).get_json()["items"]
    assert [item["description"] for item in items] == texts
    assert exported_rows(other)[start:] == rows


@settings(max_examples=400, deadline=None, derandomize=True)
@given(text=st.text(st.one_of(st.sampled_from("'=+-@\t\r"), st.characters(blacklist_categories=("Cs",))),
                    max_size=12))
def test_the_store_and_python_quote_and_unquote_alike(text):
    with duckdb.connect() as con:
        con.execute(QUOTE_CELL_MACRO)
        con.execute(UNQUOTE_CELL_MACRO)
        quoted, back = con.execute("SELECT quote_cell($1), unquote_cell(quote_cell($1))", [text]).fetchone()
    assert not quoted.startswith(FORMULA_STARTS)
    assert back == text and unquote_cell(quoted) == text
    assert quoted == text or quoted == "'" + text
