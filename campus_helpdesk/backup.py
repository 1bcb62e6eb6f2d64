"""`campus-helpdesk backup` and `restore`: a copy of the running store's database, and putting one back.

The backup comes from the running store (only it may open the file); it is written next to FILE
and renamed into place once complete and on disk, so FILE is never half a backup. A restore checks
the backup first, refuses while a store holds the database, keeps the file it replaces beside it,
and renames the backup into place (one atomic step).
"""
from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import click
import duckdb

from .store_client import BULK_TIMEOUT, StoreClient

REQUIRED_TABLES = ("tickets", "messages", "events", "schema_migrations")
CHUNK = 1024 * 1024


class BackupError(click.ClickException):
    """A backup or restore could not be done; the message says why, in words."""


def fsync_folder(folder: Path) -> None:
    """Make a rename inside *folder* durable."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def download_backup(client: StoreClient, file: Path, progress: Callable[[int, int | None], None]) -> int:
    """Write the running store's backup to *file* (temp file, fsync, rename); return its size in bytes."""
    response = client.request("POST", "/backup", stream=True, timeout=BULK_TIMEOUT)
    total = int(response.headers.get("Content-Length") or 0) or None
    partial = file.with_name(f".{file.name}.part")
    written = 0
    try:
        with open(partial, "wb") as target:
            for chunk in response.iter_content(CHUNK):
                target.write(chunk)
                written += len(chunk)
                progress(written, total)
            target.flush()
            os.fsync(target.fileno())
        if total is not None and written != total:
            raise BackupError(f"The store's answer broke off after {written:,} of {total:,} bytes; "
                              f"{file} was not written. Try again.")
        check_backup(partial)
        partial.replace(file)
        fsync_folder(file.parent)
    except OSError as error:
        raise BackupError(f"Cannot write {file}: {error.strerror}.") from None
    finally:
        partial.unlink(missing_ok=True)
    return written


def check_backup(file: Path) -> dict[str, int]:
    """Open *file* as a helpdesk database, read every row (DuckDB checks each block), return its counts.

    Raises BackupError when it is not a DuckDB database, lacks the helpdesk's tables, or has a schema
    version this store does not know.
    """
    from ticket_store.schema import MIGRATIONS

    try:
        with duckdb.connect(str(file), read_only=True) as con:
            tables = {name for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
            missing = [name for name in REQUIRED_TABLES if name not in tables]
            if missing:
                raise BackupError(f"{file} is a DuckDB database but not a helpdesk backup: it has no "
                                  f"{', '.join(missing)} table.")
            version = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0
            known = max(number for number, _ in MIGRATIONS)
            if not 1 <= version <= known:
                raise BackupError(f"{file} has schema version {version}; this campus-helpdesk knows versions "
                                  f"1 to {known} (a newer campus-helpdesk made it?).")
            counts = {name: con.execute(f'SELECT count(*), sum(hash(t)) FROM "{name}" t').fetchone()[0]
                      for name in sorted(tables)}
    except duckdb.Error as error:
        raise BackupError(f"{file} is not a usable DuckDB database ({str(error).splitlines()[0]}).") from None
    return {"schema_version": version, **counts}


def restore_backup(backup: Path, db_path: Path, say: Callable[[str], None]) -> dict[str, int]:
    """Put *backup* in place of the database at *db_path* (the store must be stopped); return its counts."""
    say(f"Checking {backup} …")
    counts = check_backup(backup)
    folder = db_path.parent if str(db_path.parent) else Path(".")
    if not folder.is_dir():
        raise BackupError(f"Cannot restore to {db_path}: the folder {folder} does not exist.")
    if db_path.is_dir():
        raise BackupError(f"Cannot restore to {db_path}: it is a directory, not a database file.")
    wal = db_path.with_name(db_path.name + ".wal")
    if db_path.exists():
        try:  # opening it takes DuckDB's lock, which a running store holds; closing it folds its .wal in
            with duckdb.connect(str(db_path)) as con:
                con.execute("CHECKPOINT")
        except duckdb.IOException as error:
            if "lock on file" in str(error).lower():
                raise BackupError(f"A ticket store is running on {db_path}; stop it first (the restore replaces "
                                  "the file it has open).") from None
        except duckdb.Error:
            pass  # a damaged database is what a restore is for: it is kept aside below
    partial = db_path.with_name(f".{db_path.name}.restore-part")
    try:
        say(f"Copying {backup} next to {db_path} …")
        with open(backup, "rb") as source, open(partial, "wb") as target:
            shutil.copyfileobj(source, target, CHUNK)
            target.flush()
            os.fsync(target.fileno())
        if db_path.exists():
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
            os.link(db_path, aside)
            if wal.exists():
                wal.replace(aside.with_name(aside.name + ".wal"))
            say(f"The database it replaces is kept as {aside}.")
        partial.replace(db_path)
        fsync_folder(folder)
    except OSError as error:
        raise BackupError(f"Cannot restore to {db_path}: {error.strerror}.") from None
    finally:
        partial.unlink(missing_ok=True)
    return counts
