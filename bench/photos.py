"""Measure reporting once over HTTP: similar tickets while typing, a 4 MB photo's upload, a ticket's 20 thumbnails.

    python -m bench.photos --tickets 1000000

Builds a database of N tickets through the bulk import (8 % open, 8 % active), starts the store
as a real process and prints one row per operation (p50 and p95 over --repeat requests).
"""
from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import numpy as np
import requests
from PIL import Image

from harness.processes import store_process

from .dataset import write_tickets_csv
from .report import Row
from .timing import p50, p95, timed

STAFF = {"X-Helpdesk-Role": "staff"}
#: What people type, cut where a keystroke would send the request.
TYPING = ["the printer says paper j", "eduroam keeps dropping in the main lib", "radiator is cold in building",
          "projector shows no signal in lecture hall 3", "water leaking from the ceil", "canteen queue took",
          "I cannot log in to the learning platf", "lift is stuck", "shuttle bus never came this morning",
          "door card reader rejects my card at dorm block C"]


def camera_photo(megabytes: float = 4.0, seed: int = 3) -> bytes:
    """Return a JPEG of a 12 MP camera's size (4000 × 3000) of about *megabytes* MB, with EXIF."""
    rng = np.random.default_rng(seed)
    gradient = np.linspace(0, 200, 4000, dtype=np.float32)[None, :, None]
    pixels = (rng.random((3000, 4000, 3), dtype=np.float32) * 40 + gradient).astype(np.uint8)
    exif = Image.Exif()
    exif[0x010F] = "CampusPhone"
    for quality in (70, 80, 88, 92, 95):
        out = io.BytesIO()
        Image.fromarray(pixels).save(out, "JPEG", quality=quality, exif=exif)
        if len(out.getvalue()) >= megabytes * 1_000_000:
            break
    return out.getvalue()


def measure_photos(api: str, repeat: int, settle: float = 30.0) -> list[Row]:
    """Return the rows of similar tickets, photo upload and a ticket page's thumbnails."""
    session = requests.Session()
    rows = []
    session.get(f"{api}/tickets/similar", params={"text": TYPING[0]}).raise_for_status()
    time.sleep(settle)  # the first question starts the word index's build; until it is built, questions scan
    prefixes = iter(TYPING * (repeat // len(TYPING) + 3))
    samples = timed(lambda: session.get(f"{api}/tickets/similar", params={"text": next(prefixes), "limit": 5})
                    .raise_for_status(), repeat)
    rows.append(Row("store.similar", "store", "similar tickets while typing (open and active, top 5)",
                    p50(samples), p95(samples), len(samples)))
    ticket = session.post(f"{api}/tickets", json={"description": "Broken window in the stairwell"}).json()
    photo = camera_photo()
    uploads = [0]

    def upload() -> None:
        uploads[0] += 1
        target = ticket["id"] if uploads[0] <= 20 else session.post(
            f"{api}/tickets", json={"description": "Another broken window"}).json()["id"]
        response = session.post(f"{api}/tickets/{target}/attachments", data=photo,
                                headers={"Content-Type": "image/jpeg"})
        response.raise_for_status()

    samples = timed(upload, max(20, repeat // 10), warmup=0)  # the first 20 fill one ticket, the most it takes
    rows.append(Row("store.photo_upload", "store", f"upload a {len(photo) / 1e6:.1f} MB 12 MP camera JPEG "
                    "(decode, strip, re-encode, thumbnail, commit)", p50(samples), p95(samples), len(samples)))
    photos = session.get(f"{api}/tickets/{ticket['id']}/attachments", headers=STAFF).json()["items"][:20]
    sizes = []

    def thumbnails() -> None:
        listed = session.get(f"{api}/tickets/{ticket['id']}/attachments", headers=STAFF).json()["items"]
        fetched = [session.get(api.removesuffix("/api/v1") + item["thumbnail_url"]) for item in listed]
        for answer in fetched:
            answer.raise_for_status()
        sizes[:] = [len(answer.content) for answer in fetched]

    samples = timed(thumbnails, max(5, repeat // 10))
    rows.append(Row("store.ticket_thumbnails", "store", f"a ticket's {len(photos)} photos: list and every "
                    f"thumbnail ({sum(sizes) / 1024:.0f} KiB in all)", p50(samples), p95(samples), len(samples)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.photos", description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--settle", type=float, default=30.0, help="seconds for the word index to build")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "helpdesk.duckdb"
        csv_path = write_tickets_csv(Path(folder) / "tickets.csv", args.tickets)
        server = store_process(db_path).start(timeout=120)
        try:
            api = server.url + "/api/v1"
            started = time.perf_counter()
            with csv_path.open("rb") as body:
                requests.post(f"{api}/import", data=body, headers={**STAFF, "Content-Type": "text/csv"},
                              timeout=3600).raise_for_status()
            print(f"{args.tickets:,} tickets imported in {time.perf_counter() - started:.0f} s")
            for row in measure_photos(api, args.repeat, args.settle):
                print(f"{row.operation:<100} p50 {row.p50_ms:8.1f} ms   p95 {row.p95_ms:8.1f} ms   n={row.samples}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
