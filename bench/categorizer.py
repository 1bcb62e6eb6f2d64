"""Benchmark the ticket categorizer: load time, latency per ticket (in-process and over HTTP), bulk, refit.

    python bench/categorizer.py [--tickets 1000] [--bulk 20000]   (or python -m bench.categorizer)

`python -m bench` takes the latency rows (`measure_categorizer`) into its table.
"""
from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable as a script too, as docs/categorizer.md shows

from bench.report import Row  # noqa: E402
from bench.timing import p95  # noqa: E402
from ticket_store.categorizer.training import load_training_tickets  # noqa: E402

LOAD = ("import time; t = time.perf_counter(); from ticket_store.categorizer import load_categorizer; "
        "load_categorizer(); print(time.perf_counter() - t)")


def load_seconds(runs: int) -> list[float]:
    """Return the time to import and load the categorizer in fresh interpreters, as the store does."""
    return [float(subprocess.run([sys.executable, "-c", LOAD], cwd=ROOT, check=True, capture_output=True,
                                 text=True).stdout) for _ in range(runs)]


def sample_tickets(count: int, seed: int = 7) -> list[str]:
    """Return *count* ticket texts made by joining parts of training tickets (never seen whole)."""
    texts = [ticket.text for ticket in load_training_tickets()]
    rng = random.Random(seed)
    return [f"{rng.choice(texts)} {rng.choice(texts)[: rng.randint(0, 120)]}".strip() for _ in range(count)]


def latencies(categorize, texts: list[str], warmup: int = 20) -> list[float]:
    """Return the milliseconds *categorize* took for each text, after a few untimed calls."""
    for text in texts[:warmup]:
        categorize(text)
    samples = []
    for text in texts:
        started = time.perf_counter()
        categorize(text)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure_categorizer(store_url: str, repeat: int, loads: int = 1) -> list[Row]:
    """Time POST /categorize (what the new-ticket page calls while typing), the model in-process, and its load."""
    from ticket_store.categorizer import load_categorizer

    texts = sample_tickets(repeat)
    session = requests.Session()

    def over_http(text: str) -> None:
        session.post(f"{store_url}/api/v1/categorize", json={"text": text}, timeout=30).raise_for_status()

    categorizer = load_categorizer()
    rows = [
        Row.latency("categorizer.http", "categorizer", "categorizer: POST /categorize (with explanation)",
                    latencies(over_http, texts)),
        Row.latency("categorizer.in_process", "categorizer", "categorizer: one ticket in-process (with explanation)",
                    latencies(categorizer.categorize, texts)),
    ]
    if loads:
        seconds = load_seconds(loads)
        rows.append(Row("categorizer.load", "categorizer", "categorizer: load in a fresh interpreter",
                        value=statistics.median(seconds), unit="s"))
    return rows


def main() -> None:
    """Run the measurements and print a table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1000, help="single-ticket calls to time")
    parser.add_argument("--bulk", type=int, default=20000, help="tickets in the bulk run")
    parser.add_argument("--loads", type=int, default=3, help="fresh-interpreter loads to time")
    arguments = parser.parse_args()

    from ticket_store.categorizer import load_categorizer

    loads = load_seconds(arguments.loads)
    categorizer = load_categorizer()
    singles = latencies(categorizer.categorize, sample_tickets(arguments.tickets), warmup=50)
    bulk = sample_tickets(arguments.bulk, seed=11)
    started = time.perf_counter()
    categorizer.categorize_many(bulk)
    bulk_seconds = time.perf_counter() - started
    started = time.perf_counter()
    categorizer.learn([("The zorbulator in the basement hums again", "facility")])
    categorizer.wait()
    refit_seconds = time.perf_counter() - started

    rows = [
        ("model load (fresh interpreter, median)", f"{statistics.median(loads):.2f} s", "goal ≤ 3 s"),
        ("latency per ticket p50", f"{statistics.median(singles):.2f} ms", "goal ≤ 15 ms"),
        ("latency per ticket p95", f"{p95(singles):.2f} ms", ""),
        (f"bulk categorize_many ({arguments.bulk} tickets)", f"{arguments.bulk / bulk_seconds:,.0f} tickets/s",
         f"{bulk_seconds:.1f} s"),
        ("refit after a correction (background)", f"{refit_seconds:.2f} s", "requests keep the old model meanwhile"),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'value':>18}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>18}  {note}")


if __name__ == "__main__":
    main()
