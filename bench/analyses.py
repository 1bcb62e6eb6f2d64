"""Measure the three analysis functions end to end at N tickets, beside DuckDB answering in-process.

    python -m bench.analyses --tickets 1000000

End to end is an HTTP request to the function (a real waitress process), the function's
request to the store (another), the store's DuckDB query, and both answers back. In-process
is the store's own SQL for the same question, run in this process on a read-only copy of
the same database file; the two are timed alternately so that both see the same load.
Beside them, reference queries: the plain SQL one would write first (current statuses
only; calendar months in UTC; local months by converting every ticket's timestamp).
"""
from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

import duckdb
import requests

from ticket_store import analytics

from .report import Row
from .stack import Bench, ReadOnlyDatabase
from .timing import interleaved, p50, timed

UTC = timezone.utc


def local_month_edges(now: datetime, zone: ZoneInfo, months: int = 12) -> list[datetime]:
    """Return the UTC instants (naive) at which the *months* local months up to now's month begin, and the end."""
    local = now.astimezone(zone)
    last = local.year * 12 + local.month - 1
    return [datetime(month // 12, month % 12 + 1, 1, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
            for month in range(last - months + 1, last + 2)]


def questions(db: ReadOnlyDatabase, now: datetime, zone: ZoneInfo) -> dict[str, tuple[str, str, dict, Callable]]:
    """Return key: (label, function, parameters, the store's SQL for the same question in-process)."""
    at, edges = now.replace(tzinfo=None), local_month_edges(now, zone)
    return {
        "analyses.open_since_7d": ("open_since days=7", "open_since", {"days": 7},
                                   lambda: analytics.not_closed_counts(db, at - timedelta(days=7), at)),
        "analyses.open_since_365d": ("open_since days=365", "open_since", {"days": 365},
                                     lambda: analytics.not_closed_counts(db, at - timedelta(days=365), at)),
        "analyses.resolution_time": ("resolution_time (12 local months, average and median, overall)",
                                     "resolution_time", {}, lambda: analytics.resolution_by_bucket(db, edges, at)),
        "analyses.category_active": ("category_active", "category_active", {},
                                     lambda: analytics.active_by_category(db, at)),
        "analyses.service_levels": ("service_levels (12 local months, by priority, at risk and breached now)",
                                    "service_levels", {}, lambda: analytics.first_response_by_bucket(db, edges, at)),
    }


def measure_analyses(function_urls: dict[str, str], store_url: str, db: ReadOnlyDatabase, repeat: int,
                     zone_name: str) -> list[Row]:
    """Time each function end to end, alternating with its SQL in-process; then HTTP alone and reference SQL."""
    zone = ZoneInfo(zone_name)
    now = datetime.now(UTC).replace(microsecond=0)
    session = requests.Session()
    rows, answers = [], {}
    for key, (label, name, params, same_sql) in questions(db, now, zone).items():

        def ask(url: str = function_urls[name], query: dict = {**params, "now": now.isoformat()},
                key: str = key) -> None:
            response = session.get(url, params=query, timeout=120)
            response.raise_for_status()
            answers[key] = response.json()

        end_to_end, alternating = interleaved(ask, same_sql, repeat)
        check_answer(key, answers[key], same_sql())
        back_to_back = timed(same_sql, repeat)
        row = Row.latency(key, "analyses", label, end_to_end, duckdb_p50_ms=p50(alternating),
                          extra={"duckdb_back_to_back_p50_ms": p50(back_to_back)})
        row.ratio = row.p50_ms / row.duckdb_p50_ms
        rows.append(row)
    refusal, health = interleaved(
        lambda: session.get(function_urls["category_active"], params={"unknown": 1}, timeout=10),
        lambda: session.get(store_url + "/api/v1/health", timeout=10), repeat)
    rows += [Row.latency("http.function_refusal", "http", "HTTP alone: a function refusing a parameter (no store)",
                         refusal),
             Row.latency("http.store_health", "http", "HTTP alone: the store's health", health)]
    for key, (label, query) in reference_queries(db.cursor(), now.replace(tzinfo=None),
                                                 local_month_edges(now, zone), zone_name).items():
        samples = timed(query, max(5, repeat // 5))
        rows.append(Row(key, "reference", f"plain SQL in-process: {label}", duckdb_p50_ms=p50(samples),
                        samples=len(samples)))
    return rows


def reference_queries(cursor: duckdb.DuckDBPyConnection, at: datetime, edges: list[datetime],
                      zone: str) -> dict[str, tuple[str, Callable[[], Any]]]:
    """Return the plain SQL one would write first for each question, for comparison."""
    not_closed = ("SELECT status, category, count(*) FROM tickets WHERE opened_at BETWEEN ? AND ? "
                  "AND status <> 'closed' GROUP BY ALL")
    figures = ("count(*), count(resolution), avg(resolution), quantile_cont(resolution, 0.5) FROM (SELECT opened_at, "
               "CASE WHEN closed_at <= $at THEN epoch_us(closed_at) - epoch_us(opened_at) END AS resolution "
               "FROM tickets WHERE opened_at >= $first AND opened_at < $last)")
    months = {"at": at, "first": edges[0], "last": edges[-1]}
    return {
        "reference.open_since_7d": ("open_since days=7, current statuses only", lambda: cursor.execute(
            not_closed, [at - timedelta(days=7), at]).fetchall()),
        "reference.open_since_365d": ("open_since days=365, current statuses only", lambda: cursor.execute(
            not_closed, [at - timedelta(days=365), at]).fetchall()),
        "reference.resolution_utc_months": ("resolution_time by UTC calendar months (date_trunc)",
                                            lambda: cursor.execute(
            f"SELECT date_trunc('month', opened_at) AS month, {figures} GROUP BY GROUPING SETS ((month), ())",
            months).fetchall()),
        "reference.resolution_converted": (f"resolution_time by local months, converting every timestamp to {zone}",
                                           lambda: cursor.execute(
            f"SELECT date_trunc('month', timezone('{zone}', opened_at::TIMESTAMPTZ)) AS month, {figures} "
            "GROUP BY GROUPING SETS ((month), ())", months).fetchall()),
        "reference.category_active": ("category_active, current statuses only", lambda: cursor.execute(
            "SELECT category, count(*) FROM tickets WHERE status = 'active' GROUP BY category").fetchall()),
    }


def check_answer(key: str, answer: dict[str, Any], expected: Any) -> None:
    """Refuse to report times for an answer that differs from the in-process one."""
    if key.startswith("analyses.open_since"):
        assert answer["count"] == expected["count"], (key, answer, expected)
    elif key == "analyses.resolution_time":
        assert [month["opened"] for month in answer["months"]] == [
            bucket["opened"] for bucket in expected["buckets"]], (key, answer, expected)
    elif key == "analyses.service_levels":
        assert [month["responded"] for month in answer["months"]] == [
            bucket["responded"] for bucket in expected["buckets"]], (key, answer, expected)
        assert answer["now"] == expected["now"], (key, answer["now"], expected["now"])
    else:
        assert answer["total_active"] == sum(expected.values()), (key, answer, expected)


def main() -> None:
    from .report import judge, size_table

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--timezone", default="Europe/Rome")
    args = parser.parse_args()
    with Bench(args.tickets, web=False, timezone=args.timezone) as bench:
        urls = {name: server.url for name, server in bench.functions.items()}
        rows = measure_analyses(urls, bench.store.url, bench.reference, args.repeat, args.timezone)
    judge(rows, args.tickets)
    print(size_table(bench.result(rows)))


if __name__ == "__main__":
    main()
