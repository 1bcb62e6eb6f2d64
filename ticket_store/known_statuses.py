"""Each ticket's status, held in memory and brought up to date from the history before it is read.

A search counts its matches per status. Scanning the tickets for the status of 20,000 matches
costs a pass over every ticket (4 ms at 1M tickets, 10× that at 10M); an array indexed by ticket
id answers in microseconds. Every write that sets a status (a create, a status change, a bulk
change, a merge, an import) records an event in its own transaction, and writes commit one at a
time in the order of their event ids (db.Database's write lock). So the events after the last
one read name every ticket whose status may have changed since, and re-reading those tickets
brings the array up to date.
"""
from __future__ import annotations

import threading
from typing import Protocol

import duckdb
import numpy as np

STATUSES = ("", "open", "active", "closed")  # the codes' meanings: 0 is a ticket not read yet
CODES = {status: code for code, status in enumerate(STATUSES) if status}
CODE_SQL = f"CASE status {' '.join(f'WHEN {status!r} THEN {code}' for status, code in CODES.items())} ELSE 0 END::UTINYINT"
READ_CHUNK = 1_000_000  # ids read at once when every status is read (at 10M tickets, 200 MB less at the peak)
REREAD_ALL = 2_000  # more events than this since the last read: read every ticket's status again instead


class EventIds(Protocol):
    """What KnownStatuses reads of the database (db.Database)."""

    def next_id(self, table: str) -> int: ...


class KnownStatuses:
    """The status code of every ticket by id (STATUSES), and how many tickets have each, as of the newest event read."""

    def __init__(self, db: EventIds) -> None:
        self.db = db
        self.codes = np.zeros(0, np.uint8)
        self.totals = np.zeros(len(STATUSES), np.int64)  # tickets per code
        self.last_event: int | None = None  # None: nothing read yet
        self.lock = threading.Lock()

    def current(self, cursor: duckdb.DuckDBPyConnection) -> np.ndarray:
        """Return the codes by ticket id, brought up to the events *cursor* sees."""
        with self.lock:
            # At most this many events were committed since the last read (none: nothing was read yet).
            events = None if self.last_event is None else self.db.next_id("events") - 1 - self.last_event
            if events is not None and events <= 0:
                return self.codes  # no event was committed since (nor is one under way)
            if events is None or events > REREAD_ALL:  # after an import, say, reading all costs less than listing
                self.read_all(cursor)
                return self.codes
            changed = cursor.execute("SELECT max(id), list(DISTINCT ticket_id) FROM events WHERE id > ?",
                                     [self.last_event]).fetchone()
            if changed[0] is None:
                return self.codes
            rows = cursor.execute(f"SELECT id, {CODE_SQL} AS code FROM tickets "
                                  f"WHERE id IN ({', '.join('?' * len(changed[1]))})", changed[1]).fetchnumpy()
            self.set(rows["id"], rows["code"])
            self.last_event = max(self.last_event, changed[0])
            return self.codes

    def counts(self, cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
        """Return how many tickets have each status, brought up to the events *cursor* sees."""
        self.current(cursor)
        totals = self.totals.copy()
        return {status: int(totals[code]) for status, code in CODES.items()}

    def read_all(self, cursor: duckdb.DuckDBPyConnection) -> None:
        """Read every ticket's status, and the newest event (call with the lock held)."""
        last_event = cursor.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        top = cursor.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0]
        self.codes = np.zeros(top + 1, np.uint8)
        self.totals[:] = 0
        for start in range(0, top + 1, READ_CHUNK):  # a range of ids at a time: its row groups only
            rows = cursor.execute(f"SELECT id, {CODE_SQL} AS code FROM tickets WHERE id >= ? AND id < ?",
                                  [start, start + READ_CHUNK]).fetchnumpy()
            self.set(rows["id"], rows["code"])
        self.last_event = last_event

    def set(self, ids: np.ndarray, codes: np.ndarray) -> None:
        """Set the codes of *ids*, growing the array for new tickets (call with the lock held)."""
        if len(ids) == 0:
            return
        top = int(ids.max())
        if top >= len(self.codes):
            grown = np.zeros(max(top + 1, len(self.codes) * 5 // 4), np.uint8)  # room for the next creates
            grown[:len(self.codes)] = self.codes
            self.codes = grown
        ids = np.asarray(ids, np.int64)
        self.totals -= np.bincount(self.codes[ids], minlength=len(STATUSES))
        self.totals += np.bincount(codes, minlength=len(STATUSES))
        self.codes[ids] = codes
