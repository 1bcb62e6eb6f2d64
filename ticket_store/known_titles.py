"""The titles of the tickets not closed, held in memory in title order and brought up to date from the history.

A list of open or active tickets sorted by title is, in SQL, a read of every ticket's status and
title: the tickets not closed lie all over the history, so each row group's titles are read (at
10M tickets, 320,000 tickets not closed: 33 ms). Here (title, id) of each ticket not closed stays
sorted, and a page walks it from the end it starts at, keeping the tickets whose status and
category (known_tickets) are asked for. Every write that sets a title or closes a ticket records
an event in its own transaction (see known_tickets), so the events after the last one read name
every ticket to read again.
"""
from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator

import duckdb
import numpy as np

from .known_tickets import CATEGORY_CODES, CODES, EventIds, KnownTickets, events_since

TITLES_SQL = "SELECT id, title FROM tickets WHERE closed_at IS NULL"
RESORT_AT = 64  # more tickets than this changed at once: filter and sort again instead of one at a time
FIRST_CHUNK = 1_024  # entries looked at first when a page is walked (then four times more each time)


class KnownTitles:
    """(title, id) of the tickets not closed in title order, and the ids of those with no title, as of the newest
    event read."""

    def __init__(self, db: EventIds) -> None:
        self.db = db
        self.titled: list[tuple[str, int]] = []  # sorted
        self.untitled: list[int] = []  # sorted ids: NULL comes last in either direction, as SQL's NULLS LAST
        self.title_of: dict[int, str | None] = {}
        self.last_event: int | None = None  # None: nothing read yet
        self.lock = threading.Lock()

    def current(self, cursor: duckdb.DuckDBPyConnection) -> tuple[list[tuple[str, int]], list[int]]:
        """Return (titled, untitled) of the tickets not closed, brought up to the events *cursor* sees."""
        with self.lock:
            since = events_since(self.db, cursor, self.last_event)
            if since is not None:
                last_event, changed = since
                if changed is None:
                    self.title_of = dict(cursor.execute(TITLES_SQL).fetchall())
                    self.titled = sorted((title, id_) for id_, title in self.title_of.items() if title is not None)
                    self.untitled = sorted(id_ for id_, title in self.title_of.items() if title is None)
                else:
                    self.put(changed, cursor.execute(f"{TITLES_SQL} AND id IN ({', '.join('?' * len(changed))})",
                                                     changed).fetchall())
                self.last_event = last_event
            return self.titled, self.untitled

    def put(self, changed: list[int], rows: list[tuple[int, str | None]]) -> None:
        """Replace the entries of the *changed* tickets by *rows*, those of them not closed (call with the lock held)."""
        if len(changed) > RESORT_AT:
            gone = set(changed)
            for id_ in changed:
                self.title_of.pop(id_, None)
            self.title_of.update(rows)
            titled = [entry for entry in self.titled if entry[1] not in gone]
            titled += [(title, id_) for id_, title in rows if title is not None]
            self.titled = sorted(titled)  # mostly sorted already: a merge of runs
            self.untitled = sorted([id_ for id_ in self.untitled if id_ not in gone]
                                   + [id_ for id_, title in rows if title is None])
            return
        for id_ in changed:
            if id_ not in self.title_of:
                continue
            title = self.title_of.pop(id_)
            entries, entry = (self.untitled, id_) if title is None else (self.titled, (title, id_))
            del entries[bisect.bisect_left(entries, entry)]
        for id_, title in rows:
            self.title_of[id_] = title
            bisect.insort(*((self.untitled, id_) if title is None else (self.titled, (title, id_))))

    def page(self, cursor: duckdb.DuckDBPyConnection, known: KnownTickets, statuses: list[str],
             categories: list[str] | None, descending: bool, offset: int, limit: int) -> list[int] | None:
        """Return the ids of a page of the tickets not closed with *statuses* and *categories* (None: any), sorted
        by title, then id (None: a ticket's status is unknown)."""
        titled, untitled = self.current(cursor)
        known.current(cursor)  # read after the titles: it knows every ticket they hold
        with known.lock:
            codes, found_categories = known.codes, known.categories
        wanted_codes = [CODES[status] for status in statuses]
        wanted_categories = [CATEGORY_CODES[category] for category in categories or CATEGORY_CODES]
        found: list[int] = []
        needed = offset + limit
        for ids in walk(titled, untitled, descending):
            if ids.max() >= len(codes) or not codes[ids].all():
                return None
            keep = np.isin(codes[ids], wanted_codes) & np.isin(found_categories[ids], wanted_categories)
            found += ids[keep][:needed - len(found)].tolist()
            if len(found) >= needed:
                break
        return found[offset:needed]


def walk(titled: list[tuple[str, int]], untitled: list[int], descending: bool) -> Iterator[np.ndarray]:
    """Yield the ids in title order, then the untitled, from the end a page starts at, in chunks that grow."""
    for entries, ids_of in ((titled, lambda chunk: (id_ for _, id_ in chunk)), (untitled, iter)):
        start, size, top = 0, FIRST_CHUNK, len(entries)
        while start < top:
            chunk = entries[max(0, top - start - size):top - start][::-1] if descending else entries[start:start + size]
            yield np.fromiter(ids_of(chunk), np.int64, len(chunk))
            start, size = start + size, size * 4
