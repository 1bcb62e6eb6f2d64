"""The DuckDB connection's lifecycle: open once per process, a cursor per thread, serialized writes."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from .schema import migrate

LOCK_WAIT_SECONDS = 15.0


class DatabaseLocked(RuntimeError):
    """Another process holds the database file."""


def open_database(path: str, memory_limit: str, wait: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open *path* read-write, waiting a little for a previous store process to let go of it."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        try:
            connection = duckdb.connect(path, config={"memory_limit": memory_limit})
            connection.execute("SET TimeZone = 'UTC'")
            return connection
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise DatabaseLocked(
                    f"The database file {path} is in use by another process; "
                    "only one ticket store may open it at a time."
                ) from error
            time.sleep(0.25)


class Database:
    """One DuckDB database: cursors for readers, one writer at a time, id counters."""

    def __init__(self, path: str, memory_limit: str = "512MB") -> None:
        self.path = path
        self.connection = open_database(path, memory_limit)
        self.schema_version = migrate(self.connection)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._next_ids = {
            table: self.connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
            for table in ("tickets", "messages", "events")
        }

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Return this thread's cursor (DuckDB connections must not be shared across threads)."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._local.cursor = self.connection.cursor()
        return cursor

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run the block as one committed write; writes are serialized so they never conflict."""
        with self._write_lock:
            cursor = self.cursor()
            saved_ids = dict(self._next_ids)
            cursor.execute("BEGIN TRANSACTION")
            try:
                yield cursor
                cursor.execute("COMMIT")
            except BaseException:
                self._next_ids = saved_ids
                try:
                    cursor.execute("ROLLBACK")
                except duckdb.Error:
                    pass
                raise

    def reserve_ids(self, table: str, count: int = 1) -> int:
        """Return the first of *count* new ids for *table*; call inside a transaction."""
        first = self._next_ids[table]
        self._next_ids[table] = first + count
        return first

    def close(self) -> None:
        """Close the database (checkpointing it)."""
        self.connection.close()
