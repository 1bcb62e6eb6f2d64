"""The DuckDB connection's lifecycle: open once per process, a cursor per thread, grouped writes."""
from __future__ import annotations

import logging
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
INSERT_CHUNK = 64  # rows per INSERT … VALUES statement
# From this many rows of a table, one INSERT of column lists: 48 search rows 1.5 ms → 0.6, and already
# two tickets (28 columns) 1.70 → 1.58 ms, four 1.97 → 1.61; a single row is quicker as VALUES (1.41 against 1.64).
UNNEST_FROM = 2
#: How long a group commit waits for writes announced and not queued yet (PostgreSQL's commit_delay,
#: with the announced requests as its commit_siblings). 8 clients creating at 1M (python -m bench.store):
#: none 267/s; 3 ms 293/s, and 300-303/s once a create wrote one statement fewer; 6 ms 302-317/s.
GATHER_SECONDS = 0.006
T = TypeVar("T")
log = logging.getLogger(__name__)


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
            # Only the blocks in use must be there: a checkpoint cuts free blocks off the file's end,
            # which total_blocks still counts (a healthy 10M-ticket file is shorter than that).
            [(block_size, blocks)] = connection.execute(
                "SELECT block_size, used_blocks FROM pragma_database_size()").fetchall()
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


class StorageFull(RuntimeError):
    """A write could not be stored because the disk holding the database is full; nothing was changed."""


class DatabaseFailed(RuntimeError):
    """DuckDB gave up on the database and it could not be reopened yet."""


STORAGE_FULL = "The disk holding the ticket database is full, so nothing was changed; writes work again once there is space."


def is_disk_full(error: BaseException) -> bool:
    """Return True when *error* says the disk (or the user's quota) is full."""
    text = str(error)
    return "No space left on device" in text or "Disk quota exceeded" in text


def is_invalidated(error: BaseException) -> bool:
    """Return True when DuckDB has marked the database unusable until it is reopened."""
    return isinstance(error, duckdb.FatalException) or "database has been invalidated" in str(error)


def free_bytes(path: str) -> int:
    """Return the bytes an unprivileged process may still write on the file system holding *path*."""
    stats = os.statvfs(Path(path).resolve().parent)
    return stats.f_bavail * stats.f_frsize


class Database:
    """One DuckDB database: cursors for readers, one transaction at a time for writers, id counters."""

    def __init__(self, path: str, memory_limit: str = "512MB", lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        self.path = path
        self.memory_limit = memory_limit
        self.connection = open_database(path, memory_limit, lock_wait)
        self.schema_version = migrate(self.connection)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue_changed = threading.Condition(self._queue_lock)
        self._queue: list[PendingWrite] = []
        self._arriving = 0  # writes announced (announce_write) and not queued yet
        self._deferred: list[tuple[str, str, tuple]] = []
        self._next_ids = self._stored_next_ids()
        # Reopening replaces self.connection; every thread's cursor comes from the connection of its generation.
        self._swap_lock = threading.Lock()
        self._generation = 0
        self._failure: str | None = None  # why the database could not be reopened, while it cannot
        self._last_reopen = 0.0
        #: Since when (time.time()) writes meet a full disk; None once a write is stored cleanly again.
        self.storage_full_since: float | None = None
        self._closing: list[Callable[[], None]] = []

    def _stored_next_ids(self) -> dict[str, int]:
        """Return the next id of each table as the database holds it."""
        return {
            table: self.connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchall()[0][0]
            for table in ("tickets", "messages", "events", "outbox", "attachments", "me_toos", "notices")
        }

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Return this thread's cursor (DuckDB connections must not be shared across threads)."""
        if self._failure is not None:
            self.recover()
        local = self._local
        if getattr(local, "generation", None) != self._generation:
            with self._swap_lock:
                local.cursor, local.generation = self.connection.cursor(), self._generation
        return local.cursor

    def release(self) -> None:
        """Close this thread's cursor, so that no result it still holds keeps a transaction open (call when a
        request ends).

        A result read with fetchone() stays open, and with it its transaction: once any UPDATE is
        committed after that transaction began, DuckDB checkpoints no more ("there are other write
        transactions active") and the WAL grows until the store stops. A new cursor costs 5 µs.
        """
        cursor = getattr(self._local, "cursor", None)
        self._local.cursor, self._local.generation = None, None
        if cursor is not None:
            try:
                cursor.close()
            except duckdb.Error:
                pass

    def recover(self) -> None:
        """Reopen the database if DuckDB gave up on it; raise DatabaseFailed while that does not work."""
        with self._write_lock:
            if self._failure is None:
                try:
                    self.connection.execute("SELECT 1").fetchall()
                    return
                except duckdb.Error as error:
                    if not is_invalidated(error):
                        raise
            elif time.monotonic() - self._last_reopen < 1.0:
                raise DatabaseFailed(self._failure)
            self._reopen()

    def _reopen(self) -> None:
        """Close the unusable connection (and every cursor made from it) and open the file again.

        Call with the write lock held. DuckDB hands out the same invalidated instance while any
        connection to it is open, so the old one is closed first; a thread's next cursor() makes
        a cursor of the new connection.
        """
        self._last_reopen = time.monotonic()
        with self._swap_lock:
            try:
                self.connection.close()
            except duckdb.Error:
                pass
            self._generation += 1
            try:
                self.connection = open_database(self.path, self.memory_limit, wait=2.0)
                self._next_ids = self._stored_next_ids()
            except Exception as error:
                self._failure = (f"The ticket database stopped working and could not be reopened yet ({error}); "
                                 "the store tries again with the next request.")
                raise DatabaseFailed(self._failure) from error
            self._failure = None
        log.warning("the database was reopened after DuckDB gave up on it")

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run the block as one committed write of its own (bulk imports)."""
        with self._queue_changed:
            self._arrived()  # no group commit waits for an import's request
        with self._write_lock, self._begin() as cursor:
            yield cursor

    def write(self, job: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run *job* in a transaction and return its result once committed.

        Writes that arrive while a commit is under way are committed together (group commit:
        one fsync for many requests); a commit also waits up to GATHER_SECONDS for the writes of
        requests under way (announce_write), since each commit costs about the same for one write
        as for eight. A job may refuse (raise a Refusal) only before its first write, so a refusal
        leaves the shared transaction clean.
        """
        pending = PendingWrite(job)
        with self._queue_changed:
            self._queue.append(pending)
            self._arrived()
        with self._write_lock:
            if not pending.done:
                with self._queue_changed:
                    deadline = time.monotonic() + GATHER_SECONDS
                    while self._arriving and (left := deadline - time.monotonic()) > 0:
                        self._queue_changed.wait(left)
                    batch, self._queue = self._queue, []
                self._commit(batch)
        return pending.outcome()

    def announce_write(self) -> None:
        """Say that this thread's request will write soon, so that the next group commit waits for it a little."""
        with self._queue_changed:
            if not getattr(self._local, "announced", False):
                self._local.announced = True
                self._arriving += 1

    def withdraw_write(self) -> None:
        """Take back this thread's announcement if its request wrote nothing (call when the request ends)."""
        with self._queue_changed:
            self._arrived()

    def writes_announced(self) -> int:
        """Return how many announced writes have not reached the queue yet."""
        return self._arriving

    def _arrived(self) -> None:
        """Count this thread's announced write as arrived (or withdrawn); call with the queue's lock held."""
        if getattr(self._local, "announced", False):
            self._local.announced = False
            self._arriving -= 1
            self._queue_changed.notify_all()

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
            if len(rows) >= UNNEST_FROM:  # a list a column: the statement's cost no longer grows with its rows
                cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {', '.join(['unnest(?)'] * len(rows[0]))}",
                               [list(column) for column in zip(*rows)])
                continue
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
        """Yield a cursor inside BEGIN … COMMIT; roll back (ids included) on any error.

        A full disk raises StorageFull. When DuckDB gives up on the database during the commit
        (its checkpoint after a durable COMMIT failed), the database is reopened and the commit
        counts if its rows are there.
        """
        if self._failure is not None:
            self._reopen()
        cursor = self.cursor()
        saved_ids = dict(self._next_ids)
        try:
            cursor.execute("BEGIN TRANSACTION")
        except duckdb.Error as error:
            if not is_invalidated(error):
                raise
            self._reopen()
            cursor = self.cursor()
            saved_ids = dict(self._next_ids)
            cursor.execute("BEGIN TRANSACTION")
        committing = False
        try:
            yield cursor
            self._insert_deferred(cursor)
            committing = True
            cursor.execute("COMMIT")
        except BaseException as error:
            reserved_ids = dict(self._next_ids)
            self._deferred = []
            self._next_ids = saved_ids
            try:
                cursor.execute("ROLLBACK")
            except duckdb.Error:
                pass
            if isinstance(error, duckdb.Error) and is_invalidated(error):
                self._reopen()
                if committing and self._committed(error, saved_ids, reserved_ids):
                    log.warning("a COMMIT was stored although DuckDB reported: %s", error)
                    if is_disk_full(error):
                        self.storage_full_since = self.storage_full_since or time.time()
                    return
            if is_disk_full(error):
                self.storage_full_since = self.storage_full_since or time.time()
                raise StorageFull(STORAGE_FULL) from error
            raise
        self.storage_full_since = None

    def _committed(self, error: BaseException, saved_ids: dict[str, int], reserved_ids: dict[str, int]) -> bool:
        """Return True when the failed COMMIT's rows are in the reopened database."""
        if reserved_ids != saved_ids:  # the write added rows: they are there, or they are not
            return self._next_ids == reserved_ids
        return "COMMIT succeeded" in str(error)

    def reserve_ids(self, table: str, count: int = 1) -> int:
        """Return the first of *count* new ids for *table*; call inside a write."""
        first = self._next_ids[table]
        self._next_ids[table] = first + count
        return first

    def next_id(self, table: str) -> int:
        """Return the id the next row of *table* may get: every committed row's id is lower."""
        return self._next_ids[table]

    def when_closing(self, stop: Callable[[], None]) -> None:
        """Call *stop* first when the database is closed (a background job of the store's)."""
        self._closing.append(stop)

    def close(self) -> None:
        """Close the database (checkpointing it), once what runs in the background has stopped."""
        for stop in self._closing:
            stop()
        self.connection.close()
