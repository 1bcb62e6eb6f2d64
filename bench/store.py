"""Measure the ticket store at N tickets: import, list, get, create, memory. Prints a table.

    python -m bench.store --tickets 1000000
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

from tests.servers import store_process

from .dataset import write_tickets_csv

STAFF = {"X-Helpdesk-Role": "staff"}


def timed(call, repeat: int) -> list[float]:
    """Return the milliseconds each of *repeat* calls took."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def row(name: str, samples: list[float], extra: str = "") -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"| {name} | {statistics.median(ordered):.1f} | {p95:.1f} | {extra} |"


def store_memory_mb(store) -> float:
    """Return the resident memory of the store's processes (arbiter and worker) in MB."""
    parent = psutil.Process(store.process.pid)
    return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="helpdesk-bench-"))
    csv_path = write_tickets_csv(work / "tickets.csv", args.tickets)
    store = store_process(work / "helpdesk.duckdb").start()
    session = requests.Session()
    api = store.url + "/api/v1"
    lines = []
    try:
        start = time.perf_counter()
        with open(csv_path, "rb") as body:
            response = session.post(f"{api}/import", data=body, headers={**STAFF, "Content-Type": "text/csv"},
                                    timeout=600)
        response.raise_for_status()
        seconds = time.perf_counter() - start
        lines.append(f"| import {args.tickets:,} tickets (CSV, one request) | {seconds * 1000:.0f} | | "
                     f"{args.tickets / seconds:,.0f} tickets/s |")
        top = args.tickets

        for offset in (0, 1_000, 10_000):
            samples = timed(lambda: session.get(f"{api}/tickets", params={
                "status": "open,active", "sort": "-opened_at", "limit": 50, "offset": offset},
                headers=STAFF, timeout=30).raise_for_status(), args.repeat // 4)
            lines.append(row(f"list page: 50 open+active, newest first, offset {offset:,}", samples))
        samples = timed(lambda: session.get(f"{api}/tickets", params={"category": "it", "limit": 50},
                                            headers=STAFF, timeout=30).raise_for_status(), args.repeat // 4)
        lines.append(row("list page: category filter, all statuses", samples))
        samples = timed(lambda: session.get(f"{api}/tickets", params={"q": "projector hall", "limit": 50},
                                            headers=STAFF, timeout=30).raise_for_status(), args.repeat // 8)
        lines.append(row("text search (two words)", samples))
        samples = timed(lambda: session.get(f"{api}/tickets/{random.randint(1, top)}", headers=STAFF,
                                            timeout=30).raise_for_status(), args.repeat)
        lines.append(row("get ticket by id", samples))
        samples = timed(lambda: session.post(f"{api}/tickets", json={
            "description": "The heating in room 2.14 is off again", "location": "Building B"},
            timeout=30).raise_for_status(), args.repeat)
        lines.append(row("create ticket (one client)", samples))

        def client(_: int) -> list[float]:
            own = requests.Session()
            return timed(lambda: own.post(f"{api}/tickets", json={"description": "Wi-Fi down in the library"},
                                          timeout=30).raise_for_status(), 100)

        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            samples = [ms for batch in pool.map(client, range(8)) for ms in batch]
        rate = len(samples) / (time.perf_counter() - start)
        lines.append(row("create ticket (8 concurrent clients)", samples, f"{rate:,.0f} creates/s"))
        message_target = random.randint(1, top)
        samples = timed(lambda: session.post(f"{api}/tickets/{message_target}/messages", json={"body": "Any news?"},
                                             headers=STAFF, timeout=30), args.repeat // 2)
        lines.append(row("post message", samples))
        memory = store_memory_mb(store)
    finally:
        store.stop()
    size = (work / "helpdesk.duckdb").stat().st_size / 1e6
    print(f"\nTicket store with {args.tickets:,} tickets\n")
    print("| operation | p50 ms | p95 ms | throughput |\n|---|---|---|---|")
    print("\n".join(lines))
    print(f"| database file | | | {size:,.0f} MB |\n| store memory (RSS) | | | {memory:,.0f} MB |")


if __name__ == "__main__":
    main()
