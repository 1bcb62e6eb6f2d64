"""kill -9 of the store while photos, "me too"s and merges are written: every acknowledged one survives."""
from __future__ import annotations

import hashlib
import io
import random
import threading
import time

import pytest
import requests
from PIL import Image

from harness.processes import store_process

from .test_crash import open_when_released

UPLOADERS = 4
CYCLES = 3
STAFF = {"X-Helpdesk-Role": "staff"}


def small_photo(number: int) -> bytes:
    image = Image.new("RGB", (240, 180), (number * 37 % 256, number * 11 % 256, 90))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def uploader(url: str, number: int, acknowledged: dict, lock: threading.Lock, stop: threading.Event) -> None:
    """Report tickets, attach photos and say "me too" until the store dies; record each 2xx."""
    session = requests.Session()
    step = 0
    try:
        while not stop.is_set():
            step += 1
            ticket = session.post(f"{url}/api/v1/tickets", json={"description": f"uploader {number} step {step}"},
                                  timeout=10).json()
            response = session.post(f"{url}/api/v1/tickets/{ticket['id']}/attachments", data=small_photo(step),
                                    headers={"Content-Type": "image/jpeg"}, timeout=10)
            assert response.status_code == 201, response.text
            served = session.get(url + response.json()["url"], timeout=10).content
            with lock:
                acknowledged["photos"][response.json()["id"]] = (ticket["id"], hashlib.sha256(served).hexdigest())
            response = session.post(f"{url}/api/v1/tickets/{ticket['id']}/me-too", json={}, timeout=10)
            assert response.status_code == 200, response.text
            with lock:
                acknowledged["me_too"][ticket["id"]] = response.json()["me_too_count"]
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, ValueError):
        return  # the store was killed before (or while) answering


@pytest.mark.slow
def test_acknowledged_photos_survive_kill_9(db_path):
    acknowledged: dict = {"photos": {}, "me_too": {}}
    lock = threading.Lock()
    for cycle in range(CYCLES):
        store = store_process(db_path).start()
        stop = threading.Event()
        threads = [threading.Thread(target=uploader, args=(store.url, n, acknowledged, lock, stop))
                   for n in range(UPLOADERS)]
        try:
            for thread in threads:
                thread.start()
            time.sleep(random.uniform(1.0, 3.0))
            store.kill()
        finally:
            store.stop()
        stop.set()
        for thread in threads:
            thread.join(15)
        with open_when_released(str(db_path)) as con:
            stored = {id_: (ticket, hashlib.sha256(bytes(image)).hexdigest())
                      for id_, ticket, image in con.execute("SELECT id, ticket_id, image FROM attachments").fetchall()}
            lost = {id_ for id_, photo in acknowledged["photos"].items() if stored.get(id_) != photo}
            assert not lost, sorted(lost)[:10]
            counts = dict(con.execute("SELECT id, me_too_count FROM tickets").fetchall())
            assert all(counts.get(ticket, 0) >= count for ticket, count in acknowledged["me_too"].items())
            mismatched = con.execute(
                "SELECT t.id FROM tickets t WHERE t.attachment_count <> "
                "(SELECT count(*) FROM attachments a WHERE a.ticket_id = t.id) OR t.version <> 1 + "
                "(SELECT count(*) FROM events e WHERE e.ticket_id = t.id AND e.kind <> 'created')").fetchall()
            assert mismatched == []
    assert len(acknowledged["photos"]) > CYCLES
