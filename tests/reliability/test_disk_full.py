"""A full disk: writes answer 507 in words, reads keep working, writes recover without a restart (SPEC §7.5)."""
from __future__ import annotations

import os
import random
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

from harness.processes import store_process

STAFF = {"X-Helpdesk-Role": "staff"}
DISK_MIB = 30
WORDS = ("printer", "radiator", "wifi", "projector", "door", "leak", "badge", "laptop", "heating", "window", "lamp",
         "locker", "cable", "screen", "parking", "library", "canteen", "lift", "socket", "shower")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 30 MiB tmpfs file system of its own (needs root, as CI runs)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a 30 MiB tmpfs needs root (CI runs as root); the disk-full behaviour is not tested here")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MIB}m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); the disk-full behaviour is not tested")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def description(rng: random.Random) -> str:
    """A long description that does not compress much."""
    return " ".join(rng.choice(WORDS) + str(rng.randrange(10**6)) for _ in range(900))[:9_000]


def free_mib(path: Path) -> float:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize / 2**20


def fill_with_filler(disk: Path, leave_mib: float) -> Path:
    """Write a filler file leaving about *leave_mib* MiB free; return it."""
    filler = disk / "filler"
    with open(filler, "wb") as file:
        file.write(b"\0" * int(max(free_mib(disk) - leave_mib, 0) * 2**20))
    return filler


def create(url: str, text: str) -> requests.Response:
    return requests.post(f"{url}/api/v1/tickets", json={"description": text, "title": "Full disk"}, timeout=60)


@pytest.mark.slow
@pytest.mark.parametrize("leave_mib", [3, 24], ids=["wal-write-fails", "checkpoint-fails"])
def test_full_disk_refuses_writes_in_words_keeps_reads_and_recovers_without_restart(small_disk, leave_mib):
    """3 MiB free: the WAL cannot grow. 24 MiB free: COMMITs reach the WAL but its checkpoint cannot be written,
    so DuckDB gives up on the database; a durable COMMIT is acknowledged and the database is reopened."""
    db = small_disk / "helpdesk.duckdb"
    server = store_process(db).start()
    acknowledged: dict[int, str] = {}
    rng = random.Random(7)
    try:
        filler = fill_with_filler(small_disk, leave_mib)
        refused = None
        for _ in range(4000):
            text = description(rng)
            answer = create(server.url, text)
            if answer.status_code == 201:
                acknowledged[answer.json()["id"]] = text
                continue
            refused = answer
            break
        assert refused is not None, "the disk never filled"
        assert refused.status_code == 507, refused.text
        body = refused.json()
        assert body["status"] == 507 and body["details"] == [] and "disk" in body["error"] and "full" in body["error"]
        assert body["error"].endswith(".")
        assert acknowledged, "no ticket fitted on the disk at all"

        # Reads keep working, and /health says what is wrong.
        some_id = max(acknowledged)
        assert requests.get(f"{server.url}/api/v1/tickets/{some_id}", timeout=10).status_code == 200
        listing = requests.get(f"{server.url}/api/v1/tickets", params={"limit": 5}, headers=STAFF, timeout=10)
        assert listing.status_code == 200 and listing.json()["total"] >= len(acknowledged)
        health = requests.get(f"{server.url}/api/v1/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "degraded", health.text
        assert "full" in health.json()["problem"]
        assert create(server.url, description(rng)).status_code == 507

        # Space returns: writes work again without a restart. (With 24 MiB free the WAL alone reached DuckDB's
        # 16 MiB checkpoint threshold, so the file system is also grown, as an operator would.)
        filler.unlink()
        if leave_mib == 24:
            subprocess.run(["mount", "-o", f"remount,size={2 * DISK_MIB}m", str(small_disk)], check=True)
        freed = time.monotonic()
        answer = create(server.url, "Space is back")
        recovery = time.monotonic() - freed
        assert answer.status_code == 201, answer.text
        acknowledged[answer.json()["id"]] = "Space is back"
        print(f"\n{leave_mib} MiB free: {len(acknowledged)} tickets stored; first write after freeing space "
              f"took {recovery * 1000:.0f} ms")
        assert requests.get(f"{server.url}/api/v1/health", timeout=10).json() == {"status": "ok"}
        for number in range(5):
            answer = create(server.url, f"Written after space returned, number {number}")
            assert answer.status_code == 201, answer.text + server.output()[-3000:]
            acknowledged[answer.json()["id"]] = answer.json()["description"]
    finally:
        server.stop()
    assert "Traceback" not in server.output()

    # Every acknowledged ticket is there after a restart, exactly.
    server = store_process(db).start()
    try:
        for ticket_id, text in acknowledged.items():
            ticket = requests.get(f"{server.url}/api/v1/tickets/{ticket_id}", timeout=10)
            assert ticket.status_code == 200, ticket_id
            assert ticket.json()["description"] == text.strip()
    finally:
        server.stop()


@pytest.mark.slow
def test_a_store_started_on_a_full_disk_reads_and_acknowledges_only_what_it_stored(small_disk):
    """The store restarted while the disk is still full: reads work, each create is 201 and stored, or 507."""
    db = small_disk / "helpdesk.duckdb"
    server = store_process(db).start()
    rng = random.Random(11)
    acknowledged: dict[int, str] = {}
    try:
        fill_with_filler(small_disk, 20)
        while (answer := create(server.url, description(rng))).status_code == 201:
            acknowledged[answer.json()["id"]] = answer.json()["description"]
        assert answer.status_code == 507, answer.text
    finally:
        server.stop()
    server = store_process(db).start()
    try:
        assert requests.get(f"{server.url}/api/v1/tickets/{max(acknowledged)}", timeout=10).status_code == 200
        answers = [create(server.url, description(rng)) for _ in range(3)]
        assert {answer.status_code for answer in answers} <= {201, 507}, [answer.text for answer in answers]
        acknowledged.update({answer.json()["id"]: answer.json()["description"] for answer in answers
                             if answer.status_code == 201})
    finally:
        server.stop()
    (small_disk / "filler").unlink()
    server = store_process(db).start()
    try:
        for ticket_id, text in acknowledged.items():
            assert requests.get(f"{server.url}/api/v1/tickets/{ticket_id}", timeout=10).json()["description"] == text
    finally:
        server.stop()


@pytest.mark.slow
def test_an_import_or_export_on_a_full_disk_is_refused_in_words_and_leaves_no_file(small_disk):
    """The import's body and the export are spooled beside the database: on its full disk, 507 and nothing kept."""
    db = small_disk / "helpdesk.duckdb"
    server = store_process(db).start()
    rng = random.Random(13)
    try:
        for _ in range(80):  # an export of about 0.7 MB
            assert create(server.url, description(rng)).status_code == 201
        rows = "".join(f"Import {n},{description(rng)},Room {n},,it,open,2025-01-05T09:00:00Z,\n" for n in range(600))
        body = ("title,description,location,reporter,category,status,opened_at,closed_at\n" + rows).encode()
        filler = fill_with_filler(small_disk, 0.3)
        imported = requests.post(f"{server.url}/api/v1/import", data=body, headers={**STAFF, "Content-Type": "text/csv"},
                                 timeout=60)
        assert imported.status_code == 507, imported.text
        assert "disk" in imported.json()["error"] and "full" in imported.json()["error"]
        exported = requests.get(f"{server.url}/api/v1/export", headers=STAFF, timeout=60)
        assert exported.status_code == 507, exported.text[:500]
        assert "export" in exported.json()["error"] and "full" in exported.json()["error"]
        assert list(small_disk.glob(".helpdesk.duckdb-spool-*")) == []
        total = requests.get(f"{server.url}/api/v1/tickets", params={"limit": 1}, headers=STAFF, timeout=10)
        assert total.json()["total"] == 80

        filler.unlink()  # and the file system grown, as an operator would: the import needs its body's room twice
        subprocess.run(["mount", "-o", f"remount,size={3 * DISK_MIB}m", str(small_disk)], check=True)
        imported = requests.post(f"{server.url}/api/v1/import", data=body, headers={**STAFF, "Content-Type": "text/csv"},
                                 timeout=60)
        assert imported.status_code == 200 and imported.json() == {"imported": 600}, imported.text
        exported = requests.get(f"{server.url}/api/v1/export", headers=STAFF, timeout=60)
        assert exported.status_code == 200 and exported.text.count("\nImport ") == 600
        assert list(small_disk.glob(".helpdesk.duckdb-spool-*")) == []
    finally:
        server.stop()
    assert "Traceback" not in server.output()
