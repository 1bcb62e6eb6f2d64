"""Each ticket's status and category, held in memory and brought up to date from the history before they are read.

A search counts its matches per status; a list filtered by status and category counts its tickets
and takes its newest. Scanning the tickets for those costs a pass over every ticket (4 ms at 1M
tickets, 10× that at 10M); arrays indexed by ticket id answer in microseconds. Every write that
sets a status or a category (a create, a status change, an edit, a bulk change, a merge, an
import) records an event in its own transaction, and writes commit one at a time in the order of
their event ids (db.Database's write lock). So the events after the last one read name every
ticket whose status or category may have changed since, and re-reading those tickets brings the
arrays up to date.
"""
from __future__ import annotations

import threading
from typing import Protocol

import duckdb
import numpy as np

from .categorizer import CATEGORIES as CATEGORY_NAMES

STATUSES = ("", "open", "active", "closed")  # the codes' meanings: 0 is a ticket not read yet
CATEGORIES = ("", *CATEGORY_NAMES)  # 0: not read yet (or a category outside the list: never taken as known)
CODES = {status: code for code, status in enumerate(STATUSES) if status}
CATEGORY_CODES = {category: code for code, category in enumerate(CATEGORIES) if category}


def code_sql(column: str, codes: dict[str, int]) -> str:
    """Return SQL for the code of *column*'s value (0 for any other value)."""
    return f"CASE {column} {' '.join(f'WHEN {name!r} THEN {code}' for name, code in codes.items())} ELSE 0 END::UTINYINT"


CODE_SQL = code_sql("status", CODES)
CATEGORY_CODE_SQL = code_sql("category", CATEGORY_CODES)
KNOWN_SQL = f"SELECT id, {CODE_SQL} AS code, {CATEGORY_CODE_SQL} AS category FROM tickets"
READ_CHUNK = 1_000_000  # ids read at once when every ticket is read (at 10M tickets, 200 MB less at the peak)
REREAD_ALL = 2_000  # more events than this since the last read: read every ticket again instead
PAGE_CHUNK = 1 << 16  # ids looked at once when a page is taken from the newest (or oldest) ticket on


class EventIds(Protocol):
    """What KnownTickets reads of the database (db.Database)."""

    def next_id(self, table: str) -> int: ...


def events_since(db: EventIds, cursor: duckdb.DuckDBPyConnection,
                 last_event: int | None) -> tuple[int, list[int] | None] | None:
    """Return the newest event *cursor* sees and the tickets the events after *last_event* name (None: read
    every ticket again, as at the first read or after more than REREAD_ALL events); None: no event since."""
    events = None if last_event is None else db.next_id("events") - 1 - last_event
    if events is not None and events <= 0:
        return None  # no event was committed since (nor is one under way)
    if events is None or events > REREAD_ALL:
        return cursor.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0], None
    newest, tickets = cursor.execute("SELECT max(id), list(DISTINCT ticket_id) FROM events WHERE id > ?",
                                     [last_event]).fetchone()
    return None if newest is None else (max(last_event, newest), tickets)


class KnownTickets:
    """The status and category codes of every ticket by id (STATUSES, CATEGORIES), and how many tickets have
    each pair, as of the newest event read."""

    def __init__(self, db: EventIds) -> None:
        self.db = db
        self.codes = np.zeros(0, np.uint8)  # status codes by id
        self.categories = np.zeros(0, np.uint8)  # category codes by id
        self.totals = np.zeros((len(CATEGORIES), len(STATUSES)), np.int64)  # tickets per (category, status)
        self.last_event: int | None = None  # None: nothing read yet
        self.lock = threading.Lock()

    def current(self, cursor: duckdb.DuckDBPyConnection) -> np.ndarray:
        """Return the status codes by ticket id, brought up to the events *cursor* sees (and the categories too)."""
        with self.lock:
            since = events_since(self.db, cursor, self.last_event)
            if since is None:
                return self.codes
            last_event, changed = since
            if changed is None:  # after an import, say, reading all costs less than listing
                self.read_all(cursor)
                return self.codes
            rows = cursor.execute(f"{KNOWN_SQL} WHERE id IN ({', '.join('?' * len(changed))})", changed).fetchnumpy()
            self.set(rows["id"], rows["code"], rows["category"])
            self.last_event = last_event
            return self.codes

    def counts(self, cursor: duckdb.DuckDBPyConnection, categories: list[str] | None = None) -> dict[str, int]:
        """Return how many tickets (of *categories*, or all) have each status, brought up to the events *cursor* sees."""
        self.current(cursor)
        rows = [CATEGORY_CODES[category] for category in categories] if categories else list(CATEGORY_CODES.values())
        totals = self.totals[rows].sum(axis=0)
        return {status: int(totals[code]) for status, code in CODES.items()}

    def page(self, cursor: duckdb.DuckDBPyConnection, statuses: list[str] | None, categories: list[str] | None,
             descending: bool, offset: int, limit: int) -> list[int]:
        """Return the ids of a page of the tickets with *statuses* and *categories* (None: any), sorted by id."""
        self.current(cursor)
        with self.lock:
            codes, found_categories = self.codes, self.categories
        wanted_codes = [CODES[status] for status in statuses or CODES]
        wanted_categories = [CATEGORY_CODES[category] for category in categories or CATEGORY_CODES]
        found: list[np.ndarray] = []
        needed, top = offset + limit, len(codes)
        starts = range((top - 1) // PAGE_CHUNK * PAGE_CHUNK, -1, -PAGE_CHUNK) if descending else range(0, top, PAGE_CHUNK)
        for start in starts:  # a chunk at a time from the end the page starts at, until the page is full
            chunk = slice(start, min(top, start + PAGE_CHUNK))
            ids = start + np.flatnonzero(np.isin(codes[chunk], wanted_codes)
                                         & np.isin(found_categories[chunk], wanted_categories))
            found.append(ids[::-1] if descending else ids)
            needed -= len(ids)
            if needed <= 0:
                break
        ids = np.concatenate(found) if found else np.zeros(0, np.int64)
        return ids[offset:offset + limit].tolist()

    def read_all(self, cursor: duckdb.DuckDBPyConnection) -> None:
        """Read every ticket's status and category, and the newest event (call with the lock held)."""
        last_event = cursor.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        top = cursor.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0]
        self.codes = np.zeros(top + 1, np.uint8)
        self.categories = np.zeros(top + 1, np.uint8)
        self.totals[:] = 0
        for start in range(0, top + 1, READ_CHUNK):  # a range of ids at a time: its row groups only
            rows = cursor.execute(f"{KNOWN_SQL} WHERE id >= ? AND id < ?", [start, start + READ_CHUNK]).fetchnumpy()
            self.set(rows["id"], rows["code"], rows["category"])
        self.last_event = last_event

    def set(self, ids: np.ndarray, codes: np.ndarray, categories: np.ndarray) -> None:
        """Set the codes of *ids*, growing the arrays for new tickets (call with the lock held)."""
        if len(ids) == 0:
            return
        top = int(ids.max())
        if top >= len(self.codes):
            size = max(top + 1, len(self.codes) * 5 // 4)  # room for the next creates
            self.codes, self.categories = (np.concatenate([array, np.zeros(size - len(array), np.uint8)])
                                           for array in (self.codes, self.categories))
        ids = np.asarray(ids, np.int64)
        self.totals -= pairs(self.categories[ids], self.codes[ids])
        self.totals += pairs(categories, codes)
        self.codes[ids] = codes
        self.categories[ids] = categories


def pairs(categories: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Return how many of the tickets with these category and status codes have each pair."""
    flat = np.asarray(categories, np.intp) * len(STATUSES) + np.asarray(codes, np.intp)
    return np.bincount(flat, minlength=len(CATEGORIES) * len(STATUSES)).reshape(len(CATEGORIES), len(STATUSES))
