"""The store's start-up names a database folder it may not write, instead of calling the file in use.

Root may write anything, so the check runs here in a forked child that has become another user,
and the whole store on a read-only mount; the image test proves the same from the image as its user.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from campus_helpdesk.services import WORKER_BOOT_ERROR
from ticket_store.db import DatabaseUnusable, check_writable
from harness.processes import ROOT, free_port, service_env

STORE_USER = 10001
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="running the store as another user needs root (CI is root)")


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """Return a folder every user may reach (pytest's own sit below a folder only root may enter)."""
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-startup-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


def start_store(db_path: Path, *prefix: str) -> subprocess.CompletedProcess:
    """Run `campus-helpdesk store` on *db_path* until it gives up, and return what it said."""
    command = [*prefix, sys.executable, "-m", "campus_helpdesk", "store", "--port", str(free_port())]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env=service_env(HELPDESK_DB_PATH=str(db_path), HELPDESK_DB_LOCK_WAIT="1"))


def refusal_for(db_path: Path, user: int | None) -> str:
    """Return what check_writable says about *db_path* in a child process running as *user* ("" if nothing)."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.close(reader)
            if user is not None:
                os.setgroups([])
                os.setresgid(user, user, user)
                os.setresuid(user, user, user)
            try:
                check_writable(str(db_path))
                message = ""
            except DatabaseUnusable as error:
                message = str(error)
            os.write(writer, message.encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(child, 0)
    return message


def assert_refused(result: subprocess.CompletedProcess, sentence: str) -> None:
    assert result.returncode == WORKER_BOOT_ERROR, result.stderr[-3000:]
    assert f"campus-helpdesk store: {sentence}" in result.stderr, result.stderr[-3000:]
    assert "in use by another process" not in result.stderr and "Traceback" not in result.stderr


@as_root
def test_a_folder_owned_by_another_user_is_named_with_both_uids(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    os.chown(folder, STORE_USER + 1, STORE_USER + 1)
    assert refusal_for(folder / "helpdesk.duckdb", STORE_USER).startswith(
        f"The database folder {folder} is owned by another user (uid {STORE_USER + 1}) and not writable by this "
        f"process (uid {STORE_USER}); ")
    assert refusal_for(folder / "helpdesk.duckdb", STORE_USER + 1) == ""  # its owner may use it


@as_root
def test_a_database_file_owned_by_another_user_is_named(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    db_path = folder / "helpdesk.duckdb"
    duckdb.connect(str(db_path)).close()
    os.chown(folder, STORE_USER, STORE_USER)
    os.chown(db_path, STORE_USER + 1, STORE_USER + 1)
    assert refusal_for(db_path, STORE_USER).startswith(
        f"The database file {db_path} is owned by another user (uid {STORE_USER + 1}) and not writable by this "
        f"process (uid {STORE_USER}); ")


@as_root
def test_a_read_only_folder_holding_the_database_is_called_read_only(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    db_path = folder / "helpdesk.duckdb"
    duckdb.connect(str(db_path)).close()
    # the folder read-only in a mount namespace of the store's own, as a read-only volume would be
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    result = start_store(db_path, "unshare", "--mount", "--", "sh", "-c", script, "sh", str(folder))
    assert_refused(result, f"The database folder {folder} is read-only")
    assert db_path.stat().st_size > 0  # nothing was changed


def test_a_folder_this_user_may_not_write_is_named(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    user = STORE_USER if os.geteuid() == 0 else None
    if user is not None:
        os.chown(folder, user, user)
        folder.chmod(0o555)
    assert refusal_for(folder / "helpdesk.duckdb", user).startswith(
        f"The database folder {folder} is not writable by this process (uid {user or os.geteuid()}); ")
    folder.chmod(0o755)
    assert refusal_for(folder / "helpdesk.duckdb", user) == ""


def test_a_folder_that_cannot_be_created_is_named(tmp_path: Path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    assert refusal_for(blocker / "helpdesk.duckdb", None).startswith(f"The database folder {blocker} cannot be created")
