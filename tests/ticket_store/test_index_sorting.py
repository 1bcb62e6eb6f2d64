"""The search index sorted by term as one run again: the same postings in order, and the writes made during
the sort kept."""
from __future__ import annotations

import pytest

from ticket_store import create_app, search
from ticket_store.index_sorting import SORTED_COPY, IndexSorting

from .conftest import CSV_HEADER, STAFF, Desk, if_match

QUERIES = ("radiator", "projector aula", "printer ja", "wifi", "lift building")


def import_rows(desk: Desk, first: int, count: int, words: str) -> None:
    rows = "".join(f"{words} {n},The {words} in room {n} needs a look,Building {n % 7},,,open,"
                   "2025-03-03T08:00:00Z,\n" for n in range(first, first + count))
    assert desk.import_csv(CSV_HEADER + rows).status_code == 200


def found(desk: Desk, query: str) -> tuple[int, list[int]]:
    page = desk.client.get("/api/v1/tickets", query_string={"q": query, "limit": 200, "with_counts": "true"},
                           headers=STAFF).get_json()
    return page["total"], [ticket["id"] for ticket in page["items"]]


def stored(app) -> list[tuple[int, int]]:
    """Return the index's (term, ticket_id) in the order they are stored."""
    return app.extensions["ticket_store"].db.cursor().execute(
        "SELECT term, ticket_id FROM ticket_terms ORDER BY rowid").fetchall()


def consistent(app) -> bool:
    return search.index_differences(app.extensions["ticket_store"].db.cursor()) == []


@pytest.fixture
def runs(desk: Desk) -> Desk:
    """Tickets created one by one and imported twice: the index holds several runs."""
    desk.create("The radiator in room B12 is cold", title="Radiator B12")
    desk.create("Projector in aula magna flickers", location="Aula magna")
    import_rows(desk, 0, 60, "printer jammed")
    desk.create("The wifi in the library drops every hour")
    import_rows(desk, 60, 60, "lift building")
    return desk


def test_a_sort_keeps_every_posting_in_term_order(app, runs):
    before = {query: found(runs, query) for query in QUERIES}
    assert stored(app) != sorted(stored(app))  # the runs of the creates and the two imports
    sorting = app.extensions["ticket_store"].sorting
    rows = sorting.sort()
    assert stored(app) == sorted(stored(app)) and rows == len(stored(app))
    assert consistent(app)
    assert {query: found(runs, query) for query in QUERIES} == before
    assert app.extensions["ticket_store"].db.cursor().execute(
        "SELECT rows FROM search_index_sorted").fetchall() == [(rows,)]


class WritingBetween(IndexSorting):
    """A sort during which a ticket is created, one edited and tickets imported, after the copy was made."""

    def __init__(self, db, desk: Desk, edited: dict) -> None:
        super().__init__(db)
        self.desk, self.edited = desk, edited

    def between_copy_and_swap(self) -> None:
        self.desk.create("The fountain in the courtyard overflows")
        response = self.desk.client.patch(f"/api/v1/tickets/{self.edited['id']}", json={"description": "Fixed heater"},
                                          headers=if_match(self.edited["version"]))
        assert response.status_code == 200
        import_rows(self.desk, 200, 30, "chalkboard")


def test_writes_between_the_copy_and_the_swap_are_in_the_sorted_index(app, runs):
    radiator = found(runs, "radiator")[1][0]
    sorting = WritingBetween(app.extensions["ticket_store"].db, runs, runs.get(radiator))
    sorting.sort()
    assert consistent(app)
    assert found(runs, "fountain")[0] == 1 and found(runs, "chalkboard")[0] == 30
    assert radiator not in found(runs, "cold")[1] and radiator in found(runs, "heater")[1]
    assert found(runs, "radiator")[1] == [radiator]  # the title still says it


def test_a_sort_stopped_by_the_store_closing_changes_nothing_and_its_copy_goes_at_the_next_start(db_path):
    app = create_app({"DB_PATH": str(db_path), "TESTING": True})
    desk = Desk(app.test_client())
    import_rows(desk, 0, 40, "printer jammed")
    desk.create("The radiator in room B12 is cold")
    before = stored(app)

    class ClosingBetween(IndexSorting):
        def between_copy_and_swap(self) -> None:
            self.close()

    assert ClosingBetween(app.extensions["ticket_store"].db).sort() is None
    assert stored(app) == before
    app.extensions["ticket_store"].db.close()
    again = create_app({"DB_PATH": str(db_path), "TESTING": True})
    try:
        tables = again.extensions["ticket_store"].db.cursor().execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name = ?", [SORTED_COPY]).fetchall()
        assert tables == [] and stored(again) == before and consistent(again)
    finally:
        again.extensions["ticket_store"].db.close()


def test_a_small_index_is_not_due_and_a_due_one_is_sorted_after_the_imports(app, runs, monkeypatch):
    sorting = app.extensions["ticket_store"].sorting
    assert not sorting.due(app.extensions["ticket_store"].db.cursor())  # some hundred rows
    sorting.soon(delay=3600)  # in place of the start's look, so that only the import can start the sort
    monkeypatch.setattr(IndexSorting, "unsorted_at_least", 10)
    monkeypatch.setattr(IndexSorting, "quiet_seconds", 0.05)
    import_rows(runs, 300, 20, "chalkboard")
    assert sorting.sorted.wait(10)
    assert stored(app) == sorted(stored(app)) and consistent(app)
    assert not sorting.due(app.extensions["ticket_store"].db.cursor())


def test_a_due_sort_waits_while_the_store_writes_and_no_longer_than_the_longest_wait(app, runs, monkeypatch):
    sorting = app.extensions["ticket_store"].sorting
    monkeypatch.setattr(IndexSorting, "unsorted_at_least", 10)
    monkeypatch.setattr(IndexSorting, "quiet_seconds", 3600)  # the timer never fires: the test calls the look
    sorting.soon()
    runs.create("The tap in room 4.02 drips")  # a write since: not quiet
    sorting.sort_if_due()
    assert not sorting.sorted.is_set() and stored(app) != sorted(stored(app))
    sorting.sort_if_due()  # no write since the last look
    assert sorting.sorted.is_set() and stored(app) == sorted(stored(app))
    sorting.sorted.clear()
    import_rows(runs, 400, 200, "window latch broken")  # due again; the import's handler asked for a sort
    monkeypatch.setattr(IndexSorting, "longest_wait", 0.0)
    runs.create("The door of room 1.10 squeaks")  # writes go on, but the sort has waited long enough
    sorting.sort_if_due()
    assert sorting.sorted.is_set() and stored(app) == sorted(stored(app)) and consistent(app)
