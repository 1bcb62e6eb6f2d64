"""The DuckDB connection's lifecycle: open once per process, a cursor per thread, grouped writes."""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Generic, Iterator, TypeVar

import duckdb

from .rules import Refusal
from .schema import migrate

LOCK_WAIT_SECONDS = 15.0
INSERT_CHUNK = 64  # rows per INSERT statement when a group commit adds many
T = TypeVar("T")


class DatabaseUnavailable(RuntimeError):
    """The store cannot open its database file; the message says why, in words."""


class DatabaseLocked(DatabaseUnavailable):
    """Another process holds the database file."""


class DatabaseDamaged(DatabaseUnavailable):
    """The database file is not a DuckDB database, is damaged, or cannot be read."""


class DatabaseUnusable(DatabaseUnavailable):
    """This process may not write the database's folder or file."""


def check_writable(path: str) -> None:
    """Raise DatabaseUnusable unless this process can write the database file, its log and its folder."""
    file = Path(path)
    folder = file.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnusable(f"The database folder {folder} cannot be created: {error.strerror}.") from error
    me = os.geteuid()
    for target, kind, needed in ((folder, "folder", os.W_OK | os.X_OK), (file, "file", os.R_OK | os.W_OK),
                                 (Path(f"{path}.wal"), "file", os.R_OK | os.W_OK)):
        if (kind == "file" and not target.exists()) or os.access(target, needed, effective_ids=True):
            continue
        if os.statvfs(target).f_flag & os.ST_RDONLY:
            raise DatabaseUnusable(f"The database folder {folder} is read-only; the ticket store needs to write "
                                   f"{file.name} there: mount it read-write.")
        owner = target.stat().st_uid
        if owner != me:
            raise DatabaseUnusable(f"The database {kind} {target} is owned by another user (uid {owner}) and not "
                                   f"writable by this process (uid {me}); give it to uid {me} or run the store as "
                                   f"uid {owner}.")
        raise DatabaseUnusable(f"The database {kind} {target} is not writable by this process (uid {me}); "
                               "allow its owner to read and write it.")


def open_database(path: str, memory_limit: str, wait: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open *path* read-write, waiting a little for a previous store process to let go of it.

    Only a lock held by another process counts as "in use"; a directory, an empty file (a new
    helpdesk is started by a missing file, never by an empty one, which is more often a failed
    copy), a damaged or truncated file, or one the store may not read is refused with its reason.
    """
    file = Path(path)
    if file.is_dir():
        raise DatabaseDamaged(f"The database path {path} is a directory, not a database file; "
                              "set HELPDESK_DB_PATH to a file inside it, such as helpdesk.duckdb.")
    check_writable(path)
    if file.is_file() and file.stat().st_size == 0:
        raise DatabaseDamaged(f"The database file {path} is empty (0 bytes), so it holds no helpdesk; "
                              "restore a backup over it, or delete it to start a new, empty helpdesk.")
    deadline = time.monotonic() + wait
    while True:
        try:
            connection = duckdb.connect(path, config={"memory_limit": memory_limit})
            connection.execute("SET TimeZone = 'UTC'")
            # A cut-off file opens (its header is intact) and fails only when a missing block is read.
            block_size, blocks = connection.execute(
                "SELECT block_size, total_blocks FROM pragma_database_size()").fetchone()
            if Path(path).stat().st_size < block_size * blocks:
                connection.close()
                raise duckdb.IOException(f"Could not read enough bytes: the file is shorter than its {blocks} blocks")
            return connection
        except duckdb.IOException as error:
            reason = str(error)
            if "lock on file" not in reason.lower():  # "Could not set lock on file …: Conflicting lock …"
                if "not a valid DuckDB database" in reason or "read enough bytes" in reason:
                    raise DatabaseDamaged(
                        f"The database file {path} is not a DuckDB database or is damaged (truncated?); "
                        "restore a backup over it (campus-helpdesk restore FILE)."
                    ) from error
                raise DatabaseDamaged(f"The database file {path} cannot be opened: "
                                      f"{reason.removeprefix('IO Error: ')}") from error
            if time.monotonic() > deadline:
                raise DatabaseLocked(
                    f"The database file {path} is in use by another process; "
                    "only one ticket store may open it at a time."
                ) from error
            time.sleep(0.25)
        except duckdb.Error as error:  # a checksum mismatch, a file of a newer DuckDB, …
            raise DatabaseDamaged(f"The database file {path} is damaged or cannot be read by this DuckDB "
                                  f"({error}); restore a backup over it (campus-helpdesk restore FILE).") from error


class PendingWrite(Generic[T]):
    """One request's write, waiting for (or done by) a group commit."""

    def __init__(self, job: Callable[[duckdb.DuckDBPyConnection], T]) -> None:
        self.job = job
        self.done = False
        self.result: Any = None
        self.error: Exception | None = None

    def run(self, cursor: duckdb.DuckDBPyConnection) -> None:
        """Run the job; keep a refusal (the rules'), re-raise anything unexpected."""
        self.result, self.error = None, None
        try:
            self.result = self.job(cursor)
        except Refusal as refusal:
            self.error = refusal

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.result


class Database:
    """One DuckDB database: cursors for readers, one transaction at a time for writers, id counters."""

    def __init__(self, path: str, memory_limit: str = "512MB", lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        self.path = path
        self.connection = open_database(path, memory_limit, lock_wait)
        self.schema_version = migrate(self.connection)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: list[PendingWrite] = []
        self._deferred: list[tuple[str, str, tuple]] = []
        self._next_ids = {
            table: self.connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
            for table in ("tickets", "messages", "events", "attachments", "me_toos", "notices")
        }

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Return this thread's cursor (DuckDB connections must not be shared across threads)."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._local.cursor = self.connection.cursor()
        return cursor

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run the block as one committed write of its own (bulk imports)."""
        with self._write_lock, self._begin() as cursor:
            yield cursor

    def write(self, job: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run *job* in a transaction and return its result once committed.

        Writes that arrive while a commit is under way are committed together (group commit:
        one fsync for many requests). A job may refuse (raise a Refusal) only before its first
        write, so a refusal leaves the shared transaction clean.
        """
        pending = PendingWrite(job)
        with self._queue_lock:
            self._queue.append(pending)
        with self._write_lock:
            if not pending.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._commit(batch)
        return pending.outcome()

    def insert_later(self, table: str, columns: str, row: tuple) -> None:
        """Add *row* to *table* at the end of this write's transaction (call inside a write).

        The rows of a group commit go in with one INSERT per table, about a third of the cost
        of one INSERT per row. A job that reads rows of a table written this way calls
        insert_deferred_now first.
        """
        self._deferred.append((table, columns, row))

    def insert_deferred_now(self, cursor: duckdb.DuckDBPyConnection) -> None:
        """Insert the rows the group's earlier jobs deferred (call before the job defers rows of its own)."""
        self._insert_deferred(cursor)

    def _run(self, pending: PendingWrite, cursor: duckdb.DuckDBPyConnection) -> None:
        """Run one job; a refused job leaves no deferred rows behind."""
        mark = len(self._deferred)
        pending.run(cursor)
        if pending.error is not None:
            del self._deferred[mark:]

    def _insert_deferred(self, cursor: duckdb.DuckDBPyConnection) -> None:
        """Insert the rows the transaction's jobs deferred, many per statement."""
        groups: dict[tuple[str, str], list[tuple]] = {}
        for table, columns, row in self._deferred:
            groups.setdefault((table, columns), []).append(row)
        self._deferred = []
        for (table, columns), rows in groups.items():
            for start in range(0, len(rows), INSERT_CHUNK):
                chunk = rows[start:start + INSERT_CHUNK]
                one = f"({', '.join('?' * len(chunk[0]))})"
                cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}",
                               [value for row in chunk for value in row])

    def _commit(self, batch: list[PendingWrite]) -> None:
        """Commit *batch* in one transaction; if that fails, give each job a transaction of its own."""
        try:
            with self._begin() as cursor:
                for pending in batch:
                    self._run(pending, cursor)
        except Exception as error:
            if len(batch) == 1:
                batch[0].error = error
            else:
                self._commit_one_by_one(batch)
        for pending in batch:
            pending.done = True

    def _commit_one_by_one(self, batch: list[PendingWrite]) -> None:
        """Give each job a transaction of its own, so one failure does not fail the others."""
        for pending in batch:
            try:
                with self._begin() as cursor:
                    self._run(pending, cursor)
            except Exception as error:
                pending.error = error

    @contextmanager
    def _begin(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a cursor inside BEGIN … COMMIT; roll back (ids included) on any error."""
        cursor = self.cursor()
        saved_ids = dict(self._next_ids)
        cursor.execute("BEGIN TRANSACTION")
        try:
            yield cursor
            self._insert_deferred(cursor)
            cursor.execute("COMMIT")
        except BaseException:
            self._deferred = []
            self._next_ids = saved_ids
            try:
                cursor.execute("ROLLBACK")
            except duckdb.Error:
                pass
            raise

    def reserve_ids(self, table: str, count: int = 1) -> int:
        """Return the first of *count* new ids for *table*; call inside a write."""
        first = self._next_ids[table]
        self._next_ids[table] = first + count
        return first

    def close(self) -> None:
        """Close the database (checkpointing it)."""
        self.connection.close()
