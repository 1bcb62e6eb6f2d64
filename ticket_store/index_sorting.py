"""The search index sorted by term as one run again, in the background, once imports have left it in many.

Each import adds its postings sorted by term, one run per import: at 10M tickets (100 imports) a
term's rows lie in 100 of 2,259 row groups, and reading a word's postings costs 4.4–5.9 ms; sorted
as one run they lie in 1–4 row groups (1.5–3.7 ms). The sorted copy is made from a snapshot in a
transaction of its own (43 s at 10M), so requests and writes go on meanwhile; then one short write
gives the tickets the events since the snapshot name their rows from the live index, and the copy
takes the index's place. Every write that changes a ticket's postings (a create, an edit, an import)
records an event in its own transaction, so those events name every ticket whose rows may differ.
The sort waits for a quiet moment (no event for quiet_seconds, at most longest_wait): on two cores the
copy slows the writes beside it (the 10M demo's 2,000 messages after its imports: 14 s → 87 s).
"""
from __future__ import annotations

import logging
import threading
import time

import duckdb

from .db import Database, DatabaseFailed, StorageFull

SORTED_COPY = "ticket_terms_sorted"
#: How the log says that a sort starts and that one ended (the bench waits for them).
SORTING, SORTED = "sorting the search index", "sorted the search index"
log = logging.getLogger(__name__)


class IndexSorting:
    """Sorts the search index (ticket_terms) by term again when the rows added since the last sort are many."""

    unsorted_share = 0.5  # sort once the rows added since the last sort are half as many as the sorted ones
    unsorted_at_least = 2_000_000  # and at least this many (about 75,000 tickets): a small index stays as it is
    quiet_seconds = 10.0  # how long the store must go without a write (an event) before a sort starts
    longest_wait = 600.0  # a store that never goes quiet for that long is sorted anyway after this

    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock = threading.Lock()
        self.sorting = threading.Lock()  # one sort at a time
        self.timer: threading.Timer | None = None
        self.snapshot: duckdb.DuckDBPyConnection | None = None  # the cursor of a sort under way
        self.closed = False
        self.sorted = threading.Event()  # set after each sort that took the index's place (tests wait on it)
        self.waiting_since: float | None = None  # when the first soon() of the sort to come was called
        self.events_seen = 0  # the next event id when the timer was set: another since means not quiet

    def start(self) -> None:
        """Drop a sorted copy a stopped store left, and sort soon if the index is due."""
        self.db.connection.execute(f"DROP TABLE IF EXISTS {SORTED_COPY}")
        self.soon(delay=1.0)

    def due(self, cursor: duckdb.DuckDBPyConnection) -> bool:
        """Return True when the rows added since the last sort call for another."""
        [(rows, sorted_rows)] = cursor.execute(
            "SELECT (SELECT count(*) FROM ticket_terms), (SELECT rows FROM search_index_sorted)").fetchall()
        return rows - sorted_rows >= max(self.unsorted_at_least, self.unsorted_share * sorted_rows)

    def soon(self, delay: float | None = None) -> None:
        """Sort in the background after *delay* seconds (default quiet_seconds) with no other call and no write,
        if due then."""
        with self.lock:
            if self.closed:
                return
            if self.timer is not None:
                self.timer.cancel()
            self.waiting_since = self.waiting_since or time.monotonic()
            self.events_seen = self.db.next_id("events")
            self.timer = threading.Timer(self.quiet_seconds if delay is None else delay, self.sort_if_due)
            self.timer.name, self.timer.daemon = "index-sorting", True
            self.timer.start()

    def sort_if_due(self) -> None:
        """Sort if due and the store was quiet; a failure is logged, and the index stays as it was (call in the
        background)."""
        with self.lock:
            written = self.db.next_id("events") != self.events_seen
            if written and time.monotonic() - (self.waiting_since or 0.0) < self.longest_wait:
                waiting = True
            else:
                waiting, self.waiting_since = False, None
        if waiting:
            self.soon()  # not quiet yet: look again after quiet_seconds
            return
        try:
            with self.sorting:
                cursor = self.db.connection.cursor()
                try:
                    due = self.due(cursor)
                finally:
                    cursor.close()
                if due:
                    self.sort_now()
        except (duckdb.Error, StorageFull, DatabaseFailed) as error:  # searches still work on the index as it is
            if not self.closed:
                log.warning("the search index could not be sorted; it stays as it was: %s", error)
        except Exception:
            log.exception("the search index could not be sorted; it stays as it was")
        finally:
            self.db.release()

    def sort(self) -> int | None:
        """Rewrite the index sorted by term; return its rows, or None when the store closed meanwhile."""
        with self.sorting:
            return self.sort_now()

    def sort_now(self) -> int | None:
        """sort(), with the sorting lock held."""
        started = time.monotonic()
        cursor = self.db.connection.cursor()  # its own transaction: a snapshot, beside the store's writes
        with self.lock:
            if self.closed:
                cursor.close()
                return None
            self.snapshot = cursor
        try:
            cursor.execute("BEGIN TRANSACTION")
            [(last_event, rows)] = cursor.execute(
                "SELECT coalesce(max(id), 0), (SELECT count(*) FROM ticket_terms) FROM events").fetchall()
            log.info("%s by term: %d rows, in the background", SORTING, rows)
            cursor.execute(f"CREATE OR REPLACE TABLE {SORTED_COPY} AS "
                           "SELECT term, ticket_id, weight FROM ticket_terms ORDER BY term, ticket_id")
            cursor.execute("COMMIT")
        except duckdb.Error:
            if self.closed:
                return None
            raise
        finally:
            with self.lock:
                self.snapshot = None
            cursor.close()
        self.between_copy_and_swap()
        if self.closed:
            return None  # the copy is dropped at the next start
        with self.db.transaction() as write:  # the store's writes wait for the swap: its time is logged
            swapping = time.monotonic()
            self.swap(write, last_event)
            [(rows,)] = write.execute("SELECT count(*) FROM ticket_terms").fetchall()
            write.execute("UPDATE search_index_sorted SET rows = ?", [rows])
        log.info("%s by term: %d rows in %.1f s (writes waited %.3f s for the swap)", SORTED, rows,
                 time.monotonic() - started, time.monotonic() - swapping)
        self.sorted.set()
        return rows

    def between_copy_and_swap(self) -> None:
        """Nothing here: tests write at this point, as requests may."""

    def swap(self, write: duckdb.DuckDBPyConnection, last_event: int) -> None:
        """Give the tickets the events after *last_event* name their live rows in the copy, and put it in place."""
        if self.db.next_id("events") - 1 > last_event:  # written during the copy (else the DELETE's scan is spared)
            changed = f"SELECT ticket_id FROM events WHERE id > {int(last_event)}"
            write.execute(f"DELETE FROM {SORTED_COPY} WHERE ticket_id IN ({changed})")
            write.execute(f"INSERT INTO {SORTED_COPY} SELECT term, ticket_id, weight FROM ticket_terms "
                          f"WHERE ticket_id IN ({changed}) ORDER BY term, ticket_id")
        write.execute("DROP TABLE ticket_terms")
        write.execute(f"ALTER TABLE {SORTED_COPY} RENAME TO ticket_terms")

    def close(self) -> None:
        """Stop: no sort starts any more, and one under way is interrupted (it changed nothing yet)."""
        with self.lock:
            self.closed = True
            if self.timer is not None:
                self.timer.cancel()
            if self.snapshot is not None:
                self.snapshot.interrupt()
        if self.timer is not None and self.timer.is_alive() and self.timer is not threading.current_thread():
            self.timer.join(60)
