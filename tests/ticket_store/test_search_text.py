"""The search column written from Python equals the one DuckDB writes for imports and migrations."""
from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticket_store.schema import SEARCH_TEXT
from ticket_store.tickets import EDITABLE_FIELDS, search_text

field_text = st.none() | st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


@pytest.fixture(scope="module")
def cursor():
    with duckdb.connect() as connection:
        yield connection


def duckdb_search_text(cursor, fields: dict) -> str:
    columns = ", ".join(f"?::VARCHAR AS {key}" for key in EDITABLE_FIELDS)
    return cursor.execute(f"SELECT {SEARCH_TEXT} FROM (SELECT {columns})",
                          [fields[key] for key in EDITABLE_FIELDS]).fetchone()[0]


@pytest.mark.parametrize("description", ["İSTANBUL Kampüsü", "ΟΔΟΣ ΚΛΕΙΣΤΗ", "Straße ẞ", "ǅ ǈ Ω K Å", "ΣΑΣ"])
def test_tricky_capitals_lowercase_as_in_duckdb(cursor, description):
    fields = {"title": "Ticket", "description": description, "location": None, "reporter": ""}
    assert search_text(fields) == duckdb_search_text(cursor, fields)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({key: field_text for key in EDITABLE_FIELDS}))
def test_any_text_lowercases_as_in_duckdb(cursor, fields):
    assert search_text(fields) == duckdb_search_text(cursor, fields)


def test_every_character_lowercases_as_in_duckdb(cursor):
    characters = [chr(code) for code in range(1, 0x110000) if not 0xD800 <= code <= 0xDFFF]
    expected = cursor.execute("SELECT list_transform(?::VARCHAR[], lambda c: lower(c))", [characters]).fetchone()[0]
    differing = [c for c, lowered in zip(characters, expected) if search_text({"description": c}) != lowered]
    assert differing == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("ΣσςİIiΑΟΔ .\n-"), max_size=12).map("".join))
def test_greek_and_turkish_words_lowercase_as_in_duckdb(cursor, description):
    fields = {"title": None, "description": description, "location": None, "reporter": None}
    assert search_text(fields) == duckdb_search_text(cursor, fields)
