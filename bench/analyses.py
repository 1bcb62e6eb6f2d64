"""Measure the three analysis functions end to end at N tickets, beside DuckDB answering in-process.

    python -m bench.analyses --tickets 1000000

End to end is an HTTP request to the function (a real gunicorn process), the function's
request to the store (another), the store's DuckDB query, and both answers back. In-process
is the store's own SQL for the same question, run in this process on a read-only copy of
the same database file; the two are timed alternately so that both see the same load.
Beside them, reference queries: the plain SQL one would write first (current statuses
only; calendar months in UTC; local months by converting every ticket's timestamp).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

import duckdb
import requests

from tests.servers import function_process, store_process
from ticket_store import analytics

from .dataset import write_tickets_csv

STAFF = {"X-Helpdesk-Role": "staff"}
UTC = timezone.utc


class ReadOnlyDatabase:
    """Just enough of the store's Database for ticket_store.analytics: one read-only connection."""

    def __init__(self, path: Path) -> None:
        self.connection = duckdb.connect(str(path), read_only=True, config={"memory_limit": "512MB"})
        self.connection.execute("SET TimeZone = 'UTC'")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection


def timed(call: Callable[[], Any], repeat: int, warmup: int = 3) -> list[float]:
    """Return the milliseconds each of *repeat* calls took, after *warmup* untimed ones."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def interleaved(first: Callable[[], Any], second: Callable[[], Any], repeat: int,
                warmup: int = 3) -> tuple[list[float], list[float]]:
    """Time *first* and *second* alternately; return the milliseconds of each."""
    for _ in range(warmup):
        first()
        second()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for call, times in zip((first, second), samples):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
    return samples


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def local_month_edges(now: datetime, zone: ZoneInfo, months: int = 12) -> list[datetime]:
    """Return the UTC instants (naive) at which the *months* local months up to now's month begin, and the end."""
    local = now.astimezone(zone)
    last = local.year * 12 + local.month - 1
    return [datetime(month // 12, month % 12 + 1, 1, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
            for month in range(last - months + 1, last + 2)]


def import_tickets(store_url: str, csv_path: Path) -> float:
    """POST the CSV to the store's import; return the seconds it took."""
    start = time.perf_counter()
    with open(csv_path, "rb") as body:
        response = requests.post(f"{store_url}/api/v1/import", data=body,
                                 headers={**STAFF, "Content-Type": "text/csv"}, timeout=1800)
    response.raise_for_status()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--timezone", default="Europe/Rome")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="helpdesk-analyses-bench-"))
    try:
        measure(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # a million tickets take a few hundred MB


def measure(args: argparse.Namespace, work: Path) -> None:
    """Build the database in *work*, time the functions and the in-process queries, print the tables."""
    zone = ZoneInfo(args.timezone)
    database = work / "helpdesk.duckdb"
    start = time.perf_counter()
    csv_path = write_tickets_csv(work / "tickets.csv", args.tickets)
    print(f"generated {args.tickets:,} tickets as CSV in {time.perf_counter() - start:.1f} s")
    store = store_process(database).start()
    try:
        print(f"imported them through POST /api/v1/import in {import_tickets(store.url, csv_path):.1f} s")
    finally:
        store.stop()  # checkpoints the file, so a copy of it holds every ticket
    shutil.copyfile(database, work / "reference.duckdb")
    db = ReadOnlyDatabase(work / "reference.duckdb")

    now = datetime.now(UTC).replace(microsecond=0)
    at, edges = now.replace(tzinfo=None), local_month_edges(now, zone)
    questions = {  # label: (function, parameters, the store's SQL for it in-process)
        "open_since days=7": ("open_since", {"days": 7},
                              lambda: analytics.not_closed_counts(db, at - timedelta(days=7), at)),
        "open_since days=365": ("open_since", {"days": 365},
                                lambda: analytics.not_closed_counts(db, at - timedelta(days=365), at)),
        "resolution_time": ("resolution_time", {}, lambda: analytics.resolution_by_bucket(db, edges, at)),
        "category_active": ("category_active", {}, lambda: analytics.active_by_category(db, at)),
    }
    store = store_process(database).start()
    servers = {}
    answers: dict[str, Any] = {}
    samples: dict[str, tuple[list[float], list[float]]] = {}
    try:
        for name in ("open_since", "resolution_time", "category_active"):
            servers[name] = function_process(name, store.url, HELPDESK_TIMEZONE=args.timezone).start()
        session = requests.Session()
        for label, (name, params, same_sql) in questions.items():

            def ask(url: str = servers[name].url, query: dict = {**params, "now": now.isoformat()},
                    label: str = label) -> None:
                response = session.get(url, params=query, timeout=60)
                response.raise_for_status()
                answers[label] = response.json()

            # Alternately, so that both see the same load on a shared machine.
            samples[label] = interleaved(ask, same_sql, args.repeat)
        floor = interleaved(lambda: session.get(servers["category_active"].url, params={"unknown": 1}, timeout=10),
                            lambda: session.get(store.url + "/api/v1/health", timeout=10), args.repeat)
    finally:
        for server in servers.values():
            server.stop()
        store.stop()
    check_answers(answers, {label: same_sql for label, (_, _, same_sql) in questions.items()})

    def verdict(end_to_end: list[float], raw: list[float]) -> str:
        return "yes" if p50(end_to_end) <= max(2 * p50(raw), p50(raw) + 10) else "NO"

    print(f"\nAnalysis functions with {args.tickets:,} tickets ({args.timezone}; {args.repeat} requests each; "
          f"milliseconds)\n")
    print("| question | end to end p50 | end to end p95 | in-process p50, alternating | ratio | target met "
          "| in-process p50, back to back | target met |")
    print("|---|---|---|---|---|---|---|---|")
    for label, (end_to_end, alternating) in samples.items():
        back_to_back = timed(questions[label][2], args.repeat)
        print(f"| {label} | {p50(end_to_end):.1f} | {p95(end_to_end):.1f} | {p50(alternating):.1f} "
              f"| {p50(end_to_end) / p50(alternating):.2f}× | {verdict(end_to_end, alternating)} "
              f"| {p50(back_to_back):.1f} | {verdict(end_to_end, back_to_back)} |")
    print("\nTarget: end to end p50 ≤ 2 × the in-process p50, or within 10 ms of it. In-process runs the store's "
          "own SQL on a copy of the file,\nalternating with the requests (same load) and then back to back "
          "(warm caches, busy threads).\n")
    print(f"HTTP alone: a function refusing a parameter (one hop, no store) p50 {p50(floor[0]):.1f} ms; "
          f"the store's health p50 {p50(floor[1]):.1f} ms.\n")
    print("| reference query, DuckDB in-process, back to back | p50 |\n|---|---|")
    for label, query in reference_queries(db.cursor(), at, edges, args.timezone).items():
        print(f"| {label} | {p50(timed(query, max(5, args.repeat // 5))):.1f} |")


def reference_queries(cursor: duckdb.DuckDBPyConnection, at: datetime, edges: list[datetime],
                      zone: str) -> dict[str, Callable[[], Any]]:
    """Return the plain SQL one would write first for each question, for comparison."""
    not_closed = ("SELECT status, category, count(*) FROM tickets WHERE opened_at BETWEEN ? AND ? "
                  "AND status <> 'closed' GROUP BY ALL")
    figures = ("count(*), count(resolution), avg(resolution), quantile_cont(resolution, 0.5) FROM (SELECT opened_at, "
               "CASE WHEN closed_at <= $at THEN epoch_us(closed_at) - epoch_us(opened_at) END AS resolution "
               "FROM tickets WHERE opened_at >= $first AND opened_at < $last)")
    months = {"at": at, "first": edges[0], "last": edges[-1]}
    return {
        "open_since days=7, current statuses only":
            lambda: cursor.execute(not_closed, [at - timedelta(days=7), at]).fetchall(),
        "open_since days=365, current statuses only":
            lambda: cursor.execute(not_closed, [at - timedelta(days=365), at]).fetchall(),
        "resolution_time by UTC calendar months (date_trunc)": lambda: cursor.execute(
            f"SELECT date_trunc('month', opened_at) AS month, {figures} GROUP BY GROUPING SETS ((month), ())",
            months).fetchall(),
        f"resolution_time by local months, converting every timestamp to {zone}": lambda: cursor.execute(
            f"SELECT date_trunc('month', timezone('{zone}', opened_at::TIMESTAMPTZ)) AS month, {figures} "
            "GROUP BY GROUPING SETS ((month), ())", months).fetchall(),
        "category_active, current statuses only": lambda: cursor.execute(
            "SELECT category, count(*) FROM tickets WHERE status = 'active' GROUP BY category").fetchall(),
    }


def check_answers(answers: dict[str, Any], same_sql: dict[str, Callable[[], Any]]) -> None:
    """Refuse to report times for answers that differ from the in-process ones."""
    for label in ("open_since days=7", "open_since days=365"):
        assert answers[label]["count"] == same_sql[label]()["count"], label
    expected = same_sql["resolution_time"]()
    assert [month["opened"] for month in answers["resolution_time"]["months"]] == [
        bucket["opened"] for bucket in expected["buckets"]]
    assert answers["category_active"]["total_active"] == sum(same_sql["category_active"]().values())


if __name__ == "__main__":
    main()
