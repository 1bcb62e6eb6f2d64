"""Benchmark the ticket categorizer: load time, latency per ticket, bulk throughput, refit time.

    python bench/categorizer.py [--tickets 1000] [--bulk 20000]
"""
from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ticket_store.categorizer.training import load_training_tickets  # noqa: E402

LOAD = "import time; t = time.perf_counter(); from ticket_store.categorizer import load_categorizer; load_categorizer(); print(time.perf_counter() - t)"


def load_seconds(runs: int) -> list[float]:
    """Return the time to import and load the categorizer in fresh interpreters, as the store does."""
    return [float(subprocess.run([sys.executable, "-c", LOAD], cwd=ROOT, check=True, capture_output=True, text=True).stdout) for _ in range(runs)]


def sample_tickets(count: int, seed: int = 7) -> list[str]:
    """Return *count* ticket texts made by joining parts of training tickets (never seen whole)."""
    texts = [ticket.text for ticket in load_training_tickets()]
    rng = random.Random(seed)
    return [f"{rng.choice(texts)} {rng.choice(texts)[: rng.randint(0, 120)]}".strip() for _ in range(count)]


def percentile(values: list[float], share: float) -> float:
    """Return the *share* quantile of *values*."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    """Run the measurements and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1000, help="single-ticket calls to time")
    parser.add_argument("--bulk", type=int, default=20000, help="tickets in the bulk run")
    parser.add_argument("--loads", type=int, default=3, help="fresh-interpreter loads to time")
    arguments = parser.parse_args()

    from ticket_store.categorizer import load_categorizer

    loads = load_seconds(arguments.loads)
    categorizer = load_categorizer()
    singles = sample_tickets(arguments.tickets)
    for text in singles[:50]:
        categorizer.categorize(text)
    latencies = []
    for text in singles:
        started = time.perf_counter()
        categorizer.categorize(text)
        latencies.append((time.perf_counter() - started) * 1000)
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
        ("latency per ticket p50", f"{percentile(latencies, 0.5):.2f} ms", "goal ≤ 15 ms"),
        ("latency per ticket p95", f"{percentile(latencies, 0.95):.2f} ms", ""),
        (f"bulk categorize_many ({arguments.bulk} tickets)", f"{arguments.bulk / bulk_seconds:,.0f} tickets/s", f"{bulk_seconds:.1f} s"),
        ("refit after a correction (background)", f"{refit_seconds:.2f} s", "requests keep the old model meanwhile"),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'value':>18}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>18}  {note}")


if __name__ == "__main__":
    main()
