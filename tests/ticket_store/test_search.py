"""Search (SPEC §7.4) through the inverted index: what matches, its limits, its order, its consistency."""
from __future__ import annotations

import unicodedata

import duckdb
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.processes import store_process
from tests.reliability.test_crash import open_when_released
from ticket_store import search
from ticket_store.db import Database

from .conftest import CSV_HEADER, STAFF, USER, assert_error, if_match


def found(client, query: str, role: dict = STAFF, **params) -> list[int]:
    page = client.get("/api/v1/tickets", query_string={"q": query, "sort": "id", **params}, headers=role)
    assert page.status_code == 200, page.get_json()
    return [ticket["id"] for ticket in page.get_json()["items"]]


def index_of(client) -> list[tuple]:
    store = client.application.extensions["ticket_store"]
    return search.index_differences(store.db.cursor())


class TestNormalisation:
    @pytest.mark.parametrize("text, same", [
        ("café", "CAFE\u0301"), ("café", "cafe"), ("Café", "ＣＡＦＥ"), ("wi-fi", "wifi"), ("Wi‑Fi", "WIFI"),
        ("ﬁle", "file"), ("Straße", "STRASSE"), ("l'aula", "laula"), ("2.14", "214"), ("Zoë", "zoe"),
    ])
    def test_forms_of_one_word_are_one_term(self, text, same):
        assert search.words(text) == search.words(same)

    def test_a_joined_word_also_gives_its_parts(self):
        assert search.terms("anna.rossi@campus.example, wi-fi!") == {
            "annarossi", "anna", "rossi", "campusexample", "campus", "example", "wifi", "wi", "fi"}

    def test_punctuation_between_words_splits_them(self):
        assert search.words("heating/room (B12) -- broken!") == ["heating", "room", "b12", "broken"]

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
    def test_a_ticket_is_found_by_every_word_of_its_own_text_in_any_form(self, text):
        indexed = search.terms(text)
        for form in ("NFC", "NFD", "NFKC", "NFKD"):
            query = unicodedata.normalize(form, text)
            assert set(search.words(query)) <= indexed, (form, query)

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.text(st.sampled_from("AaÄäÉéÈèİıIiSsßẞΣσςŒœ -'._,ﬁ2"), max_size=25))
    def test_case_and_accents_do_not_matter(self, text):
        assert search.terms(text.upper()) == search.terms(text.lower())
        assert search.terms(unicodedata.normalize("NFD", text)) == search.terms(text)


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=60)
# ASCII with many joiners and punctuation: DuckDB cuts ASCII text into terms, Python the rest.
ASCII_TEXT = st.text(st.sampled_from("aZ09 -_'.,;!?/@#()\t\n-.'") | st.characters(max_codepoint=127,
                                                                                exclude_characters="\x00"),
                     min_size=1, max_size=60)


def index_in_duckdb_and_python(tickets: list[dict]) -> tuple[list, list]:
    """Index *tickets* set-based (as an import) and one by one (as creates); return both tables' rows."""
    with duckdb.connect() as con:
        con.execute("CREATE TABLE tickets (id BIGINT, title VARCHAR, description VARCHAR, location VARCHAR, "
                    "reporter VARCHAR)")
        con.execute(search.SCHEMA)
        con.executemany("INSERT INTO tickets VALUES (?, ?, ?, ?, ?)",
                        [(number, *[fields.get(key) for key in search.SEARCHED_FIELDS])
                         for number, fields in enumerate(tickets, 1)])
        search.index_tickets(con, 1, len(tickets) + 1)
        imported = sorted(con.execute("SELECT * FROM ticket_terms").fetchall()), \
            sorted(con.execute("SELECT * FROM search_terms").fetchall())
        assert search.index_differences(con) == []
        con.execute("DELETE FROM ticket_terms; DELETE FROM search_terms")
        for number, fields in enumerate(tickets, 1):
            search.add_ticket(con, number, fields)
        created = sorted(con.execute("SELECT * FROM ticket_terms").fetchall()), sorted(con.execute(
            "SELECT s.id, s.term, (SELECT count(*) FROM ticket_terms t WHERE t.term = s.id), s.head FROM search_terms s"
        ).fetchall())
    return imported, created


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.fixed_dictionaries({key: st.none() | TEXT for key in ("title", "location", "reporter")}
                                      | {"description": TEXT}), min_size=1, max_size=5))
def test_created_and_imported_tickets_are_indexed_alike(tickets):
    """A ticket's index rows are the same whether a create (Python) or an import (DuckDB) wrote them."""
    imported, created = index_in_duckdb_and_python(tickets)
    assert imported[0] == created[0] and imported[1] == created[1]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.fixed_dictionaries({key: st.none() | ASCII_TEXT for key in ("title", "location", "reporter")}
                                      | {"description": ASCII_TEXT}), min_size=1, max_size=4))
def test_duckdb_cuts_ascii_text_as_python_does(tickets):
    imported, created = index_in_duckdb_and_python(tickets)
    assert imported[0] == created[0] and imported[1] == created[1]


class TestSearch:
    def test_punctuation_inside_words_and_accents_do_not_matter(self, client, desk):
        wifi = desk.create("The Wi-Fi in the library drops")
        plain = desk.create("No wifi in the canteen")
        cafe = desk.create("Coffee machine broken", location="Cafe\u0301 Centrale")
        assert found(client, "wifi") == found(client, "WI-FI") == [wifi["id"], plain["id"]]
        assert found(client, "café centrale") == found(client, "CAFE\u0301") == [cafe["id"]]

    def test_the_last_word_matches_as_a_prefix_while_typed(self, client, desk):
        projector = desk.create("The projector in Aula Magna flickers")
        desk.create("The projection screen is torn")
        assert found(client, "aula proj") == [projector["id"]]
        assert found(client, "projec") == [projector["id"], projector["id"] + 1]
        assert found(client, "proj aula") == []  # only the last word is a prefix
        assert found(client, "projec.") == []  # a word followed by punctuation is finished

    @pytest.mark.parametrize("prefix", ["l", "labo", "laborato", "laboratori", "labôratôr", "ЛАБОР", "实验"])
    def test_a_prefix_of_any_length_finds_the_terms_starting_with_it(self, client, desk, prefix):
        """A term's head holds its first 8 bytes: shorter, exactly that long and longer prefixes, in any script."""
        latin = desk.create("Laboratorio chiuso", location="laboratorium")
        desk.create("Lab door", location="Aula")
        cyrillic = desk.create("Лаборатория закрыта")
        chinese = desk.create("实验室 closed")
        desk.create("Laborious form")  # starts with labor, not with labora
        expected = {"l": 3, "labo": 2, "laborato": 1, "laboratori": 1, "labôratôr": 1}.get(prefix)
        ids = found(client, prefix)
        if prefix == "ЛАБОР":
            assert ids == [cyrillic["id"]]
        elif prefix == "实验":
            assert ids == [chinese["id"]]
        else:
            assert len(ids) == expected and latin["id"] in ids
            assert set(found(client, prefix + ".")) <= {latin["id"]}  # finished: the whole word only

    def test_every_word_must_match_even_after_the_tenth(self, client, desk):
        words = [f"w{n}" for n in range(32)]
        everything = desk.create(" ".join(words))
        desk.create(" ".join(words[:-1]))
        assert found(client, " ".join(words)) == [everything["id"]]

    def test_more_than_32_words_is_refused(self, client, desk):
        desk.create("Heating broken")
        body = assert_error(client.get("/api/v1/tickets", query_string={"q": " ".join(f"w{n}" for n in range(33))},
                                       headers=STAFF), 422)
        assert body["details"][0]["field"] == "q" and "32 words" in body["error"]
        assert found(client, " ".join(["heating"] * 20 + ["broken"])) == [1]  # repeats count once

    def test_relevance_puts_more_and_title_matches_first(self, client, desk):
        in_description = desk.create("The printer is jammed", title="Paper stuck")
        in_title = desk.create("It does not print at all", title="Printer jammed")
        one_word = desk.create("Printer offline")
        page = client.get("/api/v1/tickets", query_string={"q": "printer jammed", "sort": "relevance",
                                                           "with_counts": "true"}, headers=STAFF).get_json()
        assert [ticket["id"] for ticket in page["items"]] == [in_title["id"], in_description["id"]]
        assert page["total"] == 2 and page["counts"]["open"] == 2
        single = client.get("/api/v1/tickets", query_string={"q": "printer", "sort": "relevance"},
                            headers=STAFF).get_json()
        assert [ticket["id"] for ticket in single["items"]] == [in_title["id"], one_word["id"], in_description["id"]]

    def test_relevance_needs_a_search(self, client, desk):
        desk.create()
        body = assert_error(client.get("/api/v1/tickets?sort=relevance", headers=STAFF), 422)
        assert body["details"][0]["field"] == "sort"

    def test_relevance_keeps_the_other_filters(self, client, desk):
        active = desk.ticket_in("active", description="Heating broken in room 4")
        desk.ticket_in("closed", description="Heating broken")
        page = client.get("/api/v1/tickets", query_string={"q": "heating", "sort": "relevance"}, headers=USER)
        assert [ticket["id"] for ticket in page.get_json()["items"]] == [active["id"]]

    def test_messages_are_not_searched(self, client, desk):
        ticket = desk.create("Heating broken")
        client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "zebracrossing"}, headers=STAFF)
        assert found(client, "zebracrossing") == []

    def test_a_number_also_finds_the_ticket_with_that_id(self, client, desk):
        heating = desk.create("Heating broken")
        window = desk.create("Window stuck")
        assert found(client, f"#{window['id']}") == [window["id"]]
        assert found(client, f"#{heating['id']} heating") == [heating["id"]]
        assert found(client, f"#{heating['id']} window") == []

    def test_staff_only_text_is_never_searched(self, client, desk):
        ticket = desk.create("Heating broken")
        note = client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "zebracrossing", "internal": True},
                           headers=STAFF)
        assert note.status_code == 201, note.get_json()
        changed = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"assignee": "Quintana"},
                               headers={**STAFF, **if_match(ticket["version"])})
        assert changed.status_code == 200, changed.get_json()
        for role in (USER, STAFF):
            assert found(client, "zebracrossing", role) == [] and found(client, "quintana", role) == []
        assert found(client, "heating", USER) == [ticket["id"]]

    def test_a_query_without_words_filters_nothing(self, client, desk):
        ids = [desk.create()["id"], desk.create()["id"]]
        assert found(client, "!!!") == ids

    def test_counts_follow_the_search(self, client, desk):
        desk.ticket_in("active", description="Leak in the roof")
        desk.ticket_in("open", description="Leak under the sink")
        desk.ticket_in("open", description="Broken chair")
        page = client.get("/api/v1/tickets?q=leak&with_counts=true", headers=STAFF).get_json()
        assert page["counts"] == {"open": 1, "active": 1, "closed": 0} and page["total"] == 2


class TestIndexConsistency:
    def test_creates_edits_and_imports_keep_the_index_equal_to_the_tickets(self, client, desk):
        ticket = desk.create("Heating broken", title="Cold", location="Library")
        response = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"description": "Window stuck", "title": None},
                                headers={**STAFF, **if_match(ticket["version"])})
        assert response.status_code == 200
        rows = ['"Ascensore","L\'ascensore È BLOCCATO",Edificio Ä,anna.rossi@campus.example,facility,open,'
                '2026-01-05T09:00:00Z,']
        assert desk.import_csv(CSV_HEADER + "\n".join(rows) + "\n").status_code == 200
        assert index_of(client) == []
        assert found(client, "cold") == [] and found(client, "window library") == [ticket["id"]]
        assert found(client, "rossi ascensore") == [ticket["id"] + 1]

    def test_an_edit_in_the_same_group_commit_as_its_create_replaces_its_terms(self, db_path):
        from ticket_store.tickets import Tickets

        db = Database(str(db_path))
        tickets = Tickets(db, 0.5)
        try:
            def create_then_edit(cursor):
                ticket_id = db.reserve_ids("tickets")
                db.insert_later("tickets", "id, description, category, category_source, category_confidence, "
                                "status, opened_at, updated_at, version, message_count",
                                (ticket_id, "Heating broken", "facility", "auto", 0.9, "open",
                                 "2026-01-05", "2026-01-05", 1, 0))
                search.add_ticket(cursor, ticket_id, {"description": "Heating broken"})
                db.insert_deferred_now(cursor)
                return tickets.update_in(cursor, ticket_id, {"description": "Window stuck"}, "staff", None)

            assert db.write(create_then_edit)["description"] == "Window stuck"
            assert search.index_differences(db.cursor()) == []
        finally:
            db.close()

    def test_the_index_survives_kill_9_consistent(self, db_path):
        store = store_process(db_path).start()
        url = store.url + "/api/v1/tickets"
        created = [requests.post(url, json={"description": f"Wi-Fi drops in room {n}"}, timeout=10).json()
                   for n in range(20)]
        requests.patch(f"{url}/{created[0]['id']}", json={"description": "Projector flickers"},
                       headers={"If-Match": '"1"'}, timeout=10).raise_for_status()
        store.kill()
        with open_when_released(str(db_path)) as con:
            assert search.index_differences(con) == []
        again = store_process(db_path, port=store.port).start()
        try:
            page = requests.get(url, params={"q": "wifi room", "with_counts": "true"}, headers=STAFF, timeout=10)
            assert page.json()["total"] == 19
            assert requests.get(url, params={"q": "projector"}, headers=STAFF, timeout=10).json()["total"] == 1
        finally:
            again.stop()


def test_a_version_10_database_gains_term_heads_and_its_prefixes_work(db_path):
    """Migration 11 gives every dictionary term of an older database its head."""
    db = Database(str(db_path))
    cursor = db.cursor()
    search.add_terms(cursor, {search.term_id(term): term for term in ("projector", "flickers", "лаборатория")}, None)
    cursor.execute("UPDATE search_terms SET head = NULL")
    cursor.execute("DELETE FROM schema_migrations WHERE version = 11")
    db.close()
    db = Database(str(db_path))
    try:
        assert db.schema_version == 12
        assert search.index_differences(db.cursor()) == []
        assert db.cursor().execute("SELECT count(*) FROM search_terms WHERE head IS NULL").fetchone()[0] == 0
        matches = search.SearchWords("flick").matches(db.cursor())
        assert [lookup.tickets for lookup in matches.lookups] == [0] and matches.lookups[0].ids
    finally:
        db.close()
