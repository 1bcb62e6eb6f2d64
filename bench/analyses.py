"""Measure the three analysis functions end to end at N tickets, beside DuckDB answering in-process.

    python -m bench.analyses --tickets 1000000

End to end is an HTTP request to the function (a real gunicorn process), the function's
request to the store (another), the store's DuckDB query, and both answers back. In-process
is the same question asked of the same database file opened read-only in this process after
the store has stopped: the store's own SQL, and beside it the plain SQL one would write
first (converting every ticket's timestamp for local months).
"""
from __future__ import annotations

import argparse
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
    zone = ZoneInfo(args.timezone)

    work = Path(tempfile.mkdtemp(prefix="helpdesk-bench-"))
    database = work / "helpdesk.duckdb"
    start = time.perf_counter()
    csv_path = write_tickets_csv(work / "tickets.csv", args.tickets)
    print(f"generated {args.tickets:,} tickets as CSV in {time.perf_counter() - start:.1f} s")

    store = store_process(database).start()
    servers = {}
    try:
        print(f"imported them through POST /api/v1/import in {import_tickets(store.url, csv_path):.1f} s")
        now = datetime.now(UTC).replace(microsecond=0)
        stamp = now.isoformat().replace("+00:00", "Z")
        for name in ("open_since", "resolution_time", "category_active"):
            servers[name] = function_process(name, store.url, HELPDESK_TIMEZONE=args.timezone).start()
        questions = [
            ("open_since", {"days": 7}), ("open_since", {"days": 365}),
            ("resolution_time", {}), ("category_active", {}),
        ]
        session = requests.Session()
        end_to_end: dict[str, list[float]] = {}
        answers: dict[str, Any] = {}
        for name, params in questions:
            label = name + "".join(f" {key}={value}" for key, value in params.items())
            url, query = servers[name].url, {**params, "now": stamp}

            def ask(url: str = url, query: dict = query, label: str = label) -> None:
                response = session.get(url, params=query, timeout=60)
                response.raise_for_status()
                answers[label] = response.json()

            end_to_end[label] = timed(ask, args.repeat)
    finally:
        for server in servers.values():
            server.stop()
        store.stop()

    db = ReadOnlyDatabase(database)
    cursor = db.cursor()
    at = now.replace(tzinfo=None)
    edges = local_month_edges(now, zone)
    same_sql = {
        "open_since days=7": lambda: analytics.not_closed_counts(db, at - timedelta(days=7), at),
        "open_since days=365": lambda: analytics.not_closed_counts(db, at - timedelta(days=365), at),
        "resolution_time": lambda: analytics.resolution_by_bucket(db, edges, at),
        "category_active": lambda: analytics.active_by_category(db, at),
    }
    not_closed_plain = ("SELECT status, category, count(*) FROM tickets WHERE opened_at BETWEEN ? AND ? "
                        "AND status <> 'closed' GROUP BY ALL")
    figures = ("count(*), count(resolution), avg(resolution), quantile_cont(resolution, 0.5) FROM (SELECT opened_at, "
               "CASE WHEN closed_at <= $at THEN epoch_us(closed_at) - epoch_us(opened_at) END AS resolution "
               "FROM tickets WHERE opened_at >= $first AND opened_at < $last)")
    months = {"at": at, "first": edges[0], "last": edges[-1]}
    references = {
        "open_since days=7, current statuses only":
            lambda: cursor.execute(not_closed_plain, [at - timedelta(days=7), at]).fetchall(),
        "open_since days=365, current statuses only":
            lambda: cursor.execute(not_closed_plain, [at - timedelta(days=365), at]).fetchall(),
        "resolution_time by UTC calendar months (date_trunc)": lambda: cursor.execute(
            f"SELECT date_trunc('month', opened_at) AS month, {figures} GROUP BY GROUPING SETS ((month), ())",
            months).fetchall(),
        f"resolution_time by local months, converting every timestamp to {args.timezone}": lambda: cursor.execute(
            f"SELECT date_trunc('month', timezone('{args.timezone}', opened_at::TIMESTAMPTZ)) AS month, {figures} "
            "GROUP BY GROUPING SETS ((month), ())", months).fetchall(),
        "category_active, current statuses only": lambda: cursor.execute(
            "SELECT category, count(*) FROM tickets WHERE status = 'active' GROUP BY category").fetchall(),
    }
    check_answers(answers, same_sql)

    print(f"\nAnalysis functions with {args.tickets:,} tickets ({args.timezone}; {args.repeat} requests each; "
          f"milliseconds)\n")
    print("| question | end to end p50 | end to end p95 | DuckDB in-process p50 (same SQL) | ratio | target met |")
    print("|---|---|---|---|---|---|")
    for label, samples in end_to_end.items():
        raw = timed(same_sql[label], args.repeat)
        verdict = "yes" if p50(samples) <= max(2 * p50(raw), p50(raw) + 10) else "NO"
        print(f"| {label} | {p50(samples):.1f} | {p95(samples):.1f} | {p50(raw):.1f} | "
              f"{p50(samples) / p50(raw):.2f}× | {verdict} |")
    print("\nTarget: end to end p50 ≤ 2 × the in-process p50, or within 10 ms of it.\n")
    print("| reference query, DuckDB in-process | p50 |\n|---|---|")
    for label, query in references.items():
        print(f"| {label} | {p50(timed(query, max(5, args.repeat // 5))):.1f} |")


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
