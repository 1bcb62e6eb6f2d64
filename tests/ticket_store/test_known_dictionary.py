"""The search dictionary held in memory (known_dictionary): it answers as search_terms does after every kind of write."""
from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from ticket_store import create_app, search
from ticket_store.known_dictionary import KnownDictionary

from .conftest import CSV_HEADER, STAFF, USER, Desk, if_match

LONG_PREFIXES = ("projecto", "projector", "électricit", "проектор", "wlan-zuga")


def lookups_alike(client, dictionary: KnownDictionary | None = None) -> int:
    """Assert that the dictionary in memory answers every word and prefix of the stored terms as SQL does; return
    how many terms there are."""
    store = client.application.extensions["ticket_store"]
    dictionary = dictionary or store.tickets.dictionary
    cursor = store.db.cursor()
    terms = [term for (term,) in cursor.execute("SELECT term FROM search_terms ORDER BY term").fetchall()]
    prefixes = {term[:size] for term in terms for size in (1, 2, 3, 8, 9)} | set(LONG_PREFIXES)
    for prefix in sorted(prefixes) + [None]:
        exact = terms[:40] + ["nosuchword"]
        assert sorted(dictionary.lookup(cursor, exact, prefix)) == sorted(search.SearchWords.lookup(cursor, exact, prefix))
    assert sorted(dictionary.lookup(cursor, terms, None)) == sorted(search.SearchWords.lookup(cursor, terms, None))
    return len(terms)


def test_every_write_that_adds_terms_is_known(client, desk):
    """Creates, edits and imports add terms; the dictionary in memory holds them, and so does a new one."""
    assert lookups_alike(client) == 0  # read before any ticket
    first = desk.create("Der Projektor im Hörsaal flackert", title="Projektor defekt", location="Hörsaal 3")
    assert lookups_alike(client) > 0
    desk.create("Проектор не работает в аудитории", reporter="ivan.petrov@campus.example")
    lookups_alike(client)
    edited = client.patch(f"/api/v1/tickets/{first['id']}", json={"description": "L'électricité est coupée au café"},
                          headers={**USER, **if_match(first["version"])})
    assert edited.status_code == 200, edited.get_json()
    lookups_alike(client)
    rows = ",Wlan-Zugang im Labor gesperrt,Labor 7,,it,open,2026-01-05T09:00:00Z,\n" \
           ",Projector lamp blown,Aula Magna,,it,closed,2026-01-05T09:00:00Z,2026-01-06T09:00:00Z\n"
    assert desk.import_csv(CSV_HEADER + rows).status_code == 200
    lookups_alike(client)
    lookups_alike(client, KnownDictionary(client.application.extensions["ticket_store"].db))  # as after a restart


def test_a_search_finds_a_word_first_written_after_the_dictionary_was_read(client, desk):
    desk.create("The projector is broken")
    assert client.get("/api/v1/tickets", query_string={"q": "projector"}, headers=STAFF).get_json()["total"] == 1
    created = desk.create("Quokka spotted in the server room")
    for q in ("quokka", "quok", "quokka spotted"):
        page = client.get("/api/v1/tickets", query_string={"q": q}, headers=STAFF).get_json()
        assert [ticket["id"] for ticket in page["items"]] == [created["id"]], q


def test_new_terms_are_sorted_in_once_many(client, desk, monkeypatch):
    monkeypatch.setattr("ticket_store.known_dictionary.MERGE_AT", 3)
    lookups_alike(client)
    for n, word in enumerate(("zebra", "zeppelin", "zither", "zodiac", "zucchini", "zenith", "zygote")):
        desk.create(f"The {word} in room {n} needs attention")
        lookups_alike(client)
    assert len(client.application.extensions["ticket_store"].tickets.dictionary.new) < 3


def test_many_writes_at_once_read_the_dictionary_again_whole(client, desk, monkeypatch):
    monkeypatch.setattr("ticket_store.known_dictionary.REREAD_ALL", 2)
    lookups_alike(client)
    dictionary = client.application.extensions["ticket_store"].tickets.dictionary
    reads, read_all = [], dictionary.read_all
    monkeypatch.setattr(dictionary, "read_all", lambda cursor: (reads.append(1), read_all(cursor)))
    for word in ("walrus", "wombat", "wallaby"):
        desk.create(f"A {word} in the library")
    lookups_alike(client)
    assert reads == [1]


TEXT = st.text(st.sampled_from("abcçdeéfio-'.. 0123ßпрая中"), min_size=1, max_size=30)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(writes=st.lists(st.tuples(st.booleans(), TEXT), min_size=1, max_size=8))
def test_any_creates_and_edits_leave_the_dictionary_as_search_terms(writes):
    """Hypothesis: any texts, created or written over the last ticket, with a lookup between each write."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DB_PATH": str(Path(folder) / "helpdesk.duckdb"), "TESTING": True})
        try:
            client = app.test_client()
            desk = Desk(client)
            last = None
            for edit, text in writes:
                if edit and last is not None:
                    response = client.patch(f"/api/v1/tickets/{last['id']}", json={"title": text},
                                            headers={**STAFF, **if_match(last["version"])})
                    assert response.status_code == 200, response.get_json()
                    last = response.get_json()
                else:
                    last = desk.create(f"{text} (ticket)")
                lookups_alike(client)
        finally:
            app.extensions["ticket_store"].db.close()


def test_each_writer_finds_its_own_new_word_at_once_beside_other_writers(store_server):
    """Real HTTP, six threads: each creates a ticket with a word nobody wrote before, then searches for it."""
    url = store_server.url + "/api/v1/tickets"
    requests.post(url, json={"description": "Leak in the roof"}, timeout=10)
    requests.get(url, params={"q": "leak"}, headers=STAFF, timeout=10)  # the dictionary is read

    def write_then_find(n: int) -> bool:
        word = "xq" + "".join(chr(ord("a") + int(digit)) for digit in str(n))
        created = requests.post(url, json={"description": f"Strange {word} noise"}, timeout=10).json()
        found = requests.get(url, params={"q": f"{word} "}, headers=STAFF, timeout=10).json()
        prefix = requests.get(url, params={"q": word[:-1]}, headers=STAFF, timeout=10).json()
        return [ticket["id"] for ticket in found["items"]] == [created["id"]] and created["id"] in {
            ticket["id"] for ticket in prefix["items"]}

    with ThreadPoolExecutor(6) as pool:
        assert all(pool.map(write_then_find, range(100, 160)))
