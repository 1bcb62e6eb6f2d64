"""The service-level clocks of every ticket not closed, held in memory and brought up to date from the history.

The staff's queue lists the open and active tickets at risk or breached, soonest due first, with
counts. In SQL that is a pass over every ticket's closed_at and due times (at 10M tickets, 65 ms:
the tickets not closed lie all over the history). Here the due times, risk times and first
response of each ticket not closed are arrays (at 10M, 320,000 tickets: 15 MB), and the queue is
a few vector operations. Every write of a ticket records an event in its own transaction (see
known_tickets), so the events after the last one read name every ticket to read again.
"""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import duckdb
import numpy as np

from .known_tickets import CATEGORY_CODES, CODES, STATUSES, EventIds, KnownTickets, events_since

CLOCKS = ("response_due_at", "resolution_due_at", "response_risk_at", "resolution_risk_at", "first_response_at")
NEVER = np.iinfo(np.int64).max  # a clock that is NULL: no instant reaches it
CLOCKS_SQL = "SELECT id, " + ", ".join(f"coalesce(epoch_us({clock}), {NEVER}) AS {clock}" for clock in CLOCKS) + \
    " FROM tickets WHERE closed_at IS NULL"
SORTS = ("response_due_at", "resolution_due_at")  # the orders a queue can take from here


def microseconds(moment: datetime) -> int:
    """Return a naive UTC timestamp as microseconds since 1970 (DuckDB's epoch_us)."""
    delta = moment.replace(tzinfo=timezone.utc) - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class KnownClocks:
    """The ids and service-level clocks (CLOCKS, as microseconds) of the tickets not closed, as of the newest event read."""

    def __init__(self, db: EventIds) -> None:
        self.db = db
        self.ids = np.zeros(0, np.int64)
        self.clocks = {clock: np.zeros(0, np.int64) for clock in CLOCKS}
        self.last_event: int | None = None  # None: nothing read yet
        self.lock = threading.Lock()

    def current(self, cursor: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Return (ids, clocks) of the tickets not closed, brought up to the events *cursor* sees."""
        with self.lock:
            since = events_since(self.db, cursor, self.last_event)
            if since is not None:
                last_event, changed = since
                if changed is None:
                    self.ids, self.clocks = split(cursor.execute(CLOCKS_SQL).fetchnumpy())
                else:
                    ids, clocks = split(cursor.execute(
                        f"{CLOCKS_SQL} AND id IN ({', '.join('?' * len(changed))})", changed).fetchnumpy())
                    keep = ~np.isin(self.ids, changed)
                    self.ids = np.concatenate([self.ids[keep], ids])
                    self.clocks = {clock: np.concatenate([self.clocks[clock][keep], clocks[clock]]) for clock in CLOCKS}
                self.last_event = last_event
            return self.ids, self.clocks

    def queue(self, cursor: duckdb.DuckDBPyConnection, known: KnownTickets, now: datetime, statuses: list[str],
              categories: list[str] | None, slas: list[str] | None, sort: str, offset: int,
              limit: int) -> tuple[list[int], dict[str, int]] | None:
        """Return a page of the tickets not closed with *statuses*, *categories* and *slas* (None: any), sorted
        by a due time (SORTS, '-' for descending), and how many there are per status (None: a status unknown)."""
        ids, clocks = self.current(cursor)
        codes = known.current(cursor)  # read after the clocks: it knows every ticket they hold
        if len(ids) and (ids.max() >= len(codes) or not codes[ids].all()):
            return None
        found_codes = codes[ids]
        keep = np.isin(found_codes, [CODES[status] for status in statuses])
        if categories:
            keep &= np.isin(known.categories[ids], [CATEGORY_CODES[category] for category in categories])
        if slas:
            keep &= np.isin(sla_states(clocks, microseconds(now)), [SLA_CODES[state] for state in slas])
        ids, found_codes = ids[keep], found_codes[keep]
        counts = np.bincount(found_codes, minlength=len(STATUSES))
        by_status = {status: int(counts[CODES[status]]) for status in statuses}
        key = clocks[sort.removeprefix("-")][keep]
        missing = key == NEVER  # NULL: last either way, as SQL's NULLS LAST
        sign = -1 if sort.startswith("-") else 1
        key = sign * np.where(missing, 0, key)
        wanted = offset + limit
        if wanted < len(ids):  # only the first *wanted* by key (and every tie at the bound) need sorting
            ranked = np.where(missing, NEVER, key)
            near = ranked <= np.partition(ranked, wanted - 1)[wanted - 1]
            ids, key, missing = ids[near], key[near], missing[near]
        order = np.lexsort((sign * ids, key, missing))
        return ids[order][offset:offset + limit].tolist(), by_status


SLA_CODES = {"ok": 0, "at_risk": 1, "breached": 2}


def sla_states(clocks: dict[str, np.ndarray], at: int) -> np.ndarray:
    """Return the SLA code (SLA_CODES) at *at* of tickets not closed, as service_levels.sla_state_sql decides it."""
    responded = clocks["first_response_at"]
    breached = (np.where(responded == NEVER, at, responded) >= clocks["response_due_at"]) | (
        at >= clocks["resolution_due_at"])
    at_risk = (at >= clocks["resolution_risk_at"]) | ((responded == NEVER) & (at >= clocks["response_risk_at"]))
    return np.where(breached, 2, np.where(at_risk, 1, 0))


def split(rows: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Return (ids, clocks) of fetched clock rows."""
    return np.asarray(rows["id"], np.int64), {clock: np.asarray(rows[clock], np.int64) for clock in CLOCKS}
