"""A consistent copy of the running store's database (POST /api/v1/backup), taken without stopping it.

The copy is one DuckDB transaction: its snapshot is fixed while the write lock is held (so no group
commit is half-way), then the lock is let go and the copy runs while writers carry on. It therefore
holds every write acknowledged before the backup began, and no part of any later one.
"""
from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

from flask import Blueprint, Response, current_app, g, send_file

from . import rules
from .db import Database

backup_api = Blueprint("backup", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)


def take_backup(db: Database, target: str) -> dict[str, float]:
    """Copy the database into the new file *target*; return how long writes waited and the copy took (s)."""
    cursor = db.connection.cursor()
    name = cursor.execute("SELECT current_database()").fetchone()[0]
    cursor.execute("ATTACH ? AS helpdesk_backup", [target])
    try:
        started = time.perf_counter()
        with db._write_lock:  # no commit is under way while the snapshot is fixed
            cursor.execute("BEGIN TRANSACTION")
            cursor.execute("SELECT count(*) FROM tickets").fetchone()  # the first read fixes the snapshot
        paused = time.perf_counter() - started
        try:
            cursor.execute(f'COPY FROM DATABASE "{name}" TO helpdesk_backup')
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
    finally:
        cursor.execute("DETACH helpdesk_backup")
        cursor.close()
    return {"writes_paused": paused, "copy": time.perf_counter() - started}


@backup_api.post("/backup")
def backup() -> Response:
    """Answer a consistent copy of the database file (staff only)."""
    rules.permit(g.role, "back_up")
    db: Database = current_app.extensions["ticket_store"].db
    folder = Path(db.path).resolve().parent
    handle, path = tempfile.mkstemp(prefix=".helpdesk-backup-", suffix=".duckdb", dir=folder)
    os.close(handle)
    os.remove(path)  # DuckDB creates the file itself
    try:
        timings = take_backup(db, path)
        file = open(path, "rb")
    finally:
        for leftover in (path, path + ".wal"):
            if os.path.exists(leftover):
                os.remove(leftover)  # an open handle keeps the data readable until the response is sent
    log.info("backup of %s: writes waited %.3f s, the copy took %.1f s", db.path, timings["writes_paused"],
             timings["copy"])
    response = send_file(file, mimetype="application/vnd.duckdb", as_attachment=True,
                         download_name="helpdesk-backup.duckdb")
    response.headers["X-Helpdesk-Writes-Paused"] = f"{timings['writes_paused']:.3f}"
    return response
