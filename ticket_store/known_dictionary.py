"""The search dictionary held in memory, brought up to date from the history before it is read.

Each search looks its words up in ``search_terms``: a statement of about 1 ms at 1M tickets (a
prefix is a range of heads over every term). Terms are only ever added, and only by writes that
also record an event (a create, an edit, an import: the only writes of a ticket's public text),
each in its own transaction, committed one at a time in the order of their event ids. So the
events after the last one read name every ticket whose text may have brought new terms: their
text is cut into terms again (search.ticket_terms, as the create did) and those terms
are read again (a new one, or an import's count of its tickets). With no event since, nothing
is read at all.
"""
from __future__ import annotations

import threading

import duckdb
import numpy as np

from .known_tickets import REREAD_ALL, EventIds
from .search import HEAD_BYTES, SEARCHED_FIELDS, prefix_heads, term_id, ticket_terms

MERGE_AT = 4_096  # new terms kept apart (looked through one by one) until this many, then sorted in


class KnownDictionary:
    """Every term of the dictionary: its id, text, head and ticket count, as of the newest event read."""

    def __init__(self, db: EventIds) -> None:
        self.db = db
        self.heads = np.zeros(0, np.uint64)  # sorted
        self.ids = np.zeros(0, np.int64)  # in the heads' order
        self.tickets = np.zeros(0, np.int64)
        self.terms: list[str] = []
        self.id_order = np.zeros(0, np.intp)  # positions by id, so that ids[id_order] is sorted
        self.new: dict[int, tuple[str, int, int]] = {}  # id: (term, tickets, head), not sorted in yet
        self.last_event: int | None = None  # None: nothing read yet
        self.lock = threading.Lock()

    def lookup(self, cursor: duckdb.DuckDBPyConnection, exact: list[str],
               prefix: str | None) -> list[tuple[bool, str, int, int]]:
        """Return (prefixed, term, id, tickets) for each word of *exact* held, and each term starting with *prefix*."""
        with self.lock:
            self.refresh(cursor)
            rows = [(False, *found) for found in map(self.by_id, map(term_id, exact)) if found is not None]
            if prefix is not None:
                low, high = prefix_heads(prefix)
                start = int(np.searchsorted(self.heads, np.uint64(low), side="left"))
                stop = int(np.searchsorted(self.heads, np.uint64(high), side="right"))
                long = len(prefix.encode()) > HEAD_BYTES  # a head is only its first 8 bytes: check the text
                rows += [(True, self.terms[at], int(self.ids[at]), int(self.tickets[at])) for at in range(start, stop)
                         if not long or self.terms[at].startswith(prefix)]
                rows += [(True, term, id_, tickets) for id_, (term, tickets, head) in self.new.items()
                         if low <= head <= high and (not long or term.startswith(prefix))]
            return rows

    def by_id(self, id_: int) -> tuple[str, int, int] | None:
        """Return (term, id, tickets) of the term with *id_*, or None (call with the lock held)."""
        if id_ in self.new:
            term, tickets, _ = self.new[id_]
            return term, id_, tickets
        at = np.searchsorted(self.ids, id_, sorter=self.id_order)
        if at < len(self.ids) and self.ids[self.id_order[at]] == id_:
            position = self.id_order[at]
            return self.terms[position], id_, int(self.tickets[position])
        return None

    def put(self, id_: int, term: str, tickets: int, head: int) -> None:
        """Hold a term read from search_terms, new or with its ticket count as read (call with the lock held)."""
        at = int(np.searchsorted(self.ids, id_, sorter=self.id_order))
        if at < len(self.ids) and self.ids[self.id_order[at]] == id_:
            self.tickets[self.id_order[at]] = tickets
        else:
            self.new[id_] = (term, tickets, head)

    def refresh(self, cursor: duckdb.DuckDBPyConnection) -> None:
        """Bring the terms up to the events *cursor* sees (call with the lock held)."""
        events = None if self.last_event is None else self.db.next_id("events") - 1 - self.last_event
        if events is not None and events <= 0:
            return  # no event was committed since (nor is one under way)
        if events is None or events > REREAD_ALL:
            self.read_all(cursor)
            return
        changed = cursor.execute("SELECT max(id), list(DISTINCT ticket_id) FROM events WHERE id > ?",
                                 [self.last_event]).fetchone()
        if changed[0] is None:
            return
        texts = cursor.execute(f"SELECT {', '.join(SEARCHED_FIELDS)} FROM tickets "
                               f"WHERE id IN ({', '.join('?' * len(changed[1]))})", changed[1]).fetchall()
        ids = list({term_id(term) for text in texts for term in ticket_terms(dict(zip(SEARCHED_FIELDS, text)))})
        # Every term of those tickets, not only the new ones: an import also counts its terms' tickets.
        for id_, term, tickets, head in cursor.execute(
                "SELECT id, term, tickets, head FROM search_terms WHERE id IN (SELECT unnest(?::BIGINT[]))",
                [ids]).fetchall():
            self.put(id_, term, tickets, head)
        self.last_event = max(self.last_event, changed[0])
        if len(self.new) >= MERGE_AT:
            self.merge()

    def read_all(self, cursor: duckdb.DuckDBPyConnection) -> None:
        """Read every term, and the newest event (call with the lock held)."""
        last_event = cursor.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        found = cursor.execute("SELECT id, term, tickets, head FROM search_terms ORDER BY head").fetchnumpy()
        self.ids = np.asarray(found["id"], np.int64)
        self.terms = found["term"].tolist()
        self.tickets = np.asarray(found["tickets"], np.int64)
        self.heads = np.asarray(found["head"], np.uint64)
        self.id_order = np.argsort(self.ids, kind="stable")
        self.new = {}
        self.last_event = last_event

    def merge(self) -> None:
        """Sort the new terms in with the others (call with the lock held)."""
        ids = np.concatenate([self.ids, np.fromiter(self.new, np.int64, len(self.new))])
        terms = self.terms + [term for term, _, _ in self.new.values()]
        tickets = np.concatenate([self.tickets, np.array([count for _, count, _ in self.new.values()], np.int64)])
        heads = np.concatenate([self.heads, np.array([head for _, _, head in self.new.values()], np.uint64)])
        order = np.argsort(heads, kind="stable")
        self.ids, self.tickets, self.heads = ids[order], tickets[order], heads[order]
        self.terms = [terms[at] for at in order]
        self.id_order = np.argsort(self.ids, kind="stable")
        self.new = {}
