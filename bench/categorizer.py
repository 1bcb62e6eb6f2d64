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

LOAD = ("import resource, time; before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
        "t = time.perf_counter(); from ticket_store.categorizer import load_categorizer; "
        "c = load_categorizer(); seconds = time.perf_counter() - t; "
        "c.categorize('The heating in room 3 is off'); "
        "print(seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)")
DATA = ROOT / "ticket_store" / "categorizer" / "data"


def load_runs(runs: int) -> list[tuple[float, float]]:
    """Return (seconds to import and load, MB of peak memory added) in fresh interpreters, as the store starts."""
    found = []
    for _ in range(runs):
        printed = subprocess.run([sys.executable, "-c", LOAD], cwd=ROOT, check=True, capture_output=True, text=True)
        seconds, megabytes = printed.stdout.split()
        found.append((float(seconds), float(megabytes)))
    return found


def load_seconds(runs: int) -> list[float]:
    """Return the time to import and load the categorizer in fresh interpreters, as the store does."""
    return [seconds for seconds, _ in load_runs(runs)]


def data_megabytes() -> float:
    """Return the size of what the categorizer ships: its model, embedding, tickets and glossary."""
    return sum(path.stat().st_size for path in DATA.iterdir()) / 1e6


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
        runs = load_runs(loads)
        rows.append(Row("categorizer.load", "categorizer", "categorizer: load in a fresh interpreter",
                        value=statistics.median(seconds for seconds, _ in runs), unit="s"))
        rows.append(Row("categorizer.memory", "categorizer", "categorizer: memory added by loading it",
                        value=statistics.median(megabytes for _, megabytes in runs), unit="MB"))
    rows.append(Row("categorizer.data", "categorizer", "categorizer: data it ships", value=data_megabytes(), unit="MB"))
    return rows


def main() -> None:
    """Run the measurements and print a table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1000, help="single-ticket calls to time")
    parser.add_argument("--bulk", type=int, default=20000, help="tickets in the bulk run")
    parser.add_argument("--loads", type=int, default=3, help="fresh-interpreter loads to time")
    arguments = parser.parse_args()

    from ticket_store.categorizer import load_categorizer

    runs = load_runs(arguments.loads)
    loads = [seconds for seconds, _ in runs]
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
        ("model load (fresh interpreter, median)", f"{statistics.median(loads):.2f} s", "goal ≤ 2 s"),
        ("memory added by loading (peak RSS)", f"{statistics.median(m for _, m in runs):.0f} MB", "goal ≤ 300 MB"),
        ("data shipped (model, embedding, tickets, glossary)", f"{data_megabytes():.1f} MB", "goal ≤ 150 MB added"),
        ("latency per ticket p50", f"{statistics.median(singles):.2f} ms", "goal ≤ 5 ms"),
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
