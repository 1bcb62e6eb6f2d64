"""Aggregates for the analysis functions: counts, averages and medians computed inside DuckDB.

Every question is asked *as of* an instant: a ticket counts as closed only once its
closed_at has passed, and a ticket is taken to be open rather than active at an instant
when its history shows it was taken up later. Answers for an instant in the past
therefore do not change as tickets move on. Instants are naive UTC timestamps, the way
the database stores them; time zones and local months are the caller's business, so the
database compares plain timestamps and never converts one.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Iterator, TypedDict

import duckdb

from .categorizer import CATEGORIES
from .db import Database
from .service_levels import PRIORITIES, sla_state_sql

MICROSECONDS_PER_HOUR = 3_600_000_000

# Every ticket opened by $at and not closed at $at, with the status it had then. When nothing
# changed after $at, the current statuses are those of then (and every ticket was opened by
# then), so the plain status column answers, which DuckDB filters on its dictionary.
NOTHING_CHANGED_SINCE = "SELECT coalesce(max(updated_at) <= $at, true) FROM tickets"
NOT_CLOSED_NOW = "SELECT status AS state, category, opened_at FROM tickets WHERE status <> 'closed'"
# Otherwise closed means closed by $at, and a ticket taken up (open → active) after $at was
# still open then. Imported tickets have no such history: an imported active or closed
# ticket counts as active at any instant before it closed.
NOT_CLOSED_AT = """
    SELECT CASE WHEN status = 'open' OR id IN (
                    SELECT ticket_id FROM events
                    WHERE kind = 'status_changed' AND occurred_at > $at
                      AND json_extract_string(new, '$.status') = 'active')
                THEN 'open' ELSE 'active' END AS state,
           category, opened_at
    FROM tickets
    WHERE opened_at <= $at AND (closed_at IS NULL OR closed_at > $at)
"""


class NotClosedCounts(TypedDict):
    count: int
    by_status: dict[str, int]
    by_category: dict[str, int]


class Resolution(TypedDict):
    start: datetime
    end: datetime
    opened: int
    closed: int
    avg_resolution_hours: float | None
    median_resolution_hours: float | None


class ResolutionBuckets(TypedDict):
    buckets: list[Resolution]
    overall: Resolution


@contextmanager
def snapshot(db: Database) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield this thread's cursor inside a transaction, so several reads see one state of the database."""
    cursor = db.cursor()
    cursor.execute("BEGIN TRANSACTION")
    try:
        yield cursor
    finally:
        cursor.execute("ROLLBACK")  # nothing was written


def tickets_not_closed_at(cursor: duckdb.DuckDBPyConnection, at: datetime) -> tuple[str, dict[str, datetime]]:
    """Return the SQL and parameters of the tickets not closed at *at* (state, category, opened_at)."""
    unchanged = cursor.execute(NOTHING_CHANGED_SINCE, {"at": at}).fetchone()[0]
    return (NOT_CLOSED_NOW, {}) if unchanged else (NOT_CLOSED_AT, {"at": at})


def not_closed_counts(db: Database, opened_from: datetime, at: datetime) -> NotClosedCounts:
    """Count the tickets opened from *opened_from* to *at* (both included) that were not closed at *at*."""
    with snapshot(db) as cursor:
        tickets, params = tickets_not_closed_at(cursor, at)
        rows = cursor.execute(f"SELECT state, category, count(*) FROM ({tickets}) WHERE opened_at >= $opened_from "
                              "GROUP BY ALL", {**params, "opened_from": opened_from}).fetchall()
    by_status = {"open": 0, "active": 0}
    by_category = dict.fromkeys(CATEGORIES, 0)
    for state, category, count in rows:
        by_status[state] += count
        by_category[category] = by_category.get(category, 0) + count
    return {"count": sum(by_status.values()), "by_status": by_status, "by_category": by_category}


def active_by_category(db: Database, at: datetime) -> dict[str, int]:
    """Return how many tickets were active at *at* in each category, zeros included."""
    with snapshot(db) as cursor:
        tickets, params = tickets_not_closed_at(cursor, at)
        rows = cursor.execute(f"SELECT category, count(*) FROM ({tickets}) WHERE state = 'active' GROUP BY ALL",
                              params).fetchall()
    return {**dict.fromkeys(CATEGORIES, 0), **dict(rows)}


def bucket_of_opened_at(low: int, high: int) -> str:
    """Return SQL for the index i in [low, high) of the bucket [$edge<i>, $edge<i+1>) holding opened_at.

    A balanced tree of comparisons: log2(buckets) per ticket, where a chain of WHENs
    would cost one comparison per bucket (ten years of months: 120).
    """
    if high - low == 1:
        return str(low)
    middle = (low + high) // 2
    return (f"CASE WHEN opened_at < $edge{middle} THEN {bucket_of_opened_at(low, middle)} "
            f"ELSE {bucket_of_opened_at(middle, high)} END")


def resolution_by_bucket(db: Database, edges: list[datetime], at: datetime) -> ResolutionBuckets:
    """Return per bucket [edges[i], edges[i+1]) the tickets opened in it, how many of them were
    closed at *at*, and their average and median resolution time in hours; and the same over all.

    One scan: the buckets and the overall figures come from one GROUP BY GROUPING SETS.
    """
    last = len(edges) - 1
    # resolution is NULL for tickets not closed by $at, so the aggregates skip them (cheaper than FILTER).
    rows = db.cursor().execute(
        f"""
        SELECT {bucket_of_opened_at(0, last)} AS bucket, count(*) AS opened, count(resolution) AS closed,
               avg(resolution) / {MICROSECONDS_PER_HOUR} AS average,
               quantile_cont(resolution, 0.5) / {MICROSECONDS_PER_HOUR} AS median
        FROM (SELECT opened_at, CASE WHEN closed_at <= $at THEN epoch_us(closed_at) - epoch_us(opened_at) END
                         AS resolution
              FROM tickets WHERE opened_at >= $edge0 AND opened_at < $edge{last} AND opened_at <= $at)
        GROUP BY GROUPING SETS ((bucket), ())
        """,
        {"at": at, **{f"edge{index}": edge for index, edge in enumerate(edges)}},
    ).fetchall()
    figures = {bucket: (opened, closed, average, median) for bucket, opened, closed, average, median in rows}

    def resolution(bucket: int | None, start: datetime, end: datetime) -> Resolution:
        opened, closed, average, median = figures.get(bucket, (0, 0, None, None))
        return {"start": start, "end": end, "opened": opened, "closed": closed,
                "avg_resolution_hours": average, "median_resolution_hours": median}

    return {
        "buckets": [resolution(index, edges[index], edges[index + 1]) for index in range(last)],
        "overall": resolution(None, edges[0], edges[last]),
    }


class FirstResponse(TypedDict):
    start: datetime
    end: datetime
    opened: int
    responded: int
    avg_first_response_hours: float | None
    median_first_response_hours: float | None
    within_target_pct: float | None


class ServiceLevels(TypedDict):
    buckets: list[FirstResponse]
    overall: FirstResponse
    by_priority: dict[str, FirstResponse]
    now: dict[str, int]


def first_response_by_bucket(db: Database, edges: list[datetime], at: datetime) -> ServiceLevels:
    """Return per bucket [edges[i], edges[i+1]) of opening time, per priority and over all: the tickets
    opened, how many had a first public staff response by *at*, the average and median hours to it, and
    the percentage of those answered before their response was due; and how many tickets not closed at
    *at* were then at risk or in breach of a target.

    The figures come from one scan with GROUPING SETS; the counts at *at* from a second one.
    """
    last = len(edges) - 1
    params = {"at": at, **{f"edge{index}": edge for index, edge in enumerate(edges)}}
    with snapshot(db) as cursor:
        rows = cursor.execute(
            f"""
            SELECT grouping(bucket, priority) AS level, bucket, priority, count(*) AS opened,
                   count(response) AS responded,
                   avg(response) / {MICROSECONDS_PER_HOUR} AS average,
                   quantile_cont(response, 0.5) / {MICROSECONDS_PER_HOUR} AS median,
                   100.0 * count(*) FILTER (WHERE on_time) / nullif(count(response), 0) AS within
            FROM (SELECT {bucket_of_opened_at(0, last)} AS bucket, priority,
                         CASE WHEN first_response_at <= $at THEN epoch_us(first_response_at) - epoch_us(opened_at)
                         END AS response,
                         first_response_at <= $at AND first_response_at < response_due_at AS on_time
                  FROM tickets WHERE opened_at >= $edge0 AND opened_at < $edge{last} AND opened_at <= $at)
            GROUP BY GROUPING SETS ((bucket), (priority), ())
            """,
            params,
        ).fetchall()
        # Not closed at $at, so the resolution clock ran at $at; the response clock ran unless answered by then.
        state = sla_state_sql(at, first_response="CASE WHEN first_response_at <= $at THEN first_response_at END",
                              closed="NULL")
        at_risk, breached = cursor.execute(
            f"SELECT count(*) FILTER (WHERE state = 'at_risk'), count(*) FILTER (WHERE state = 'breached') "
            f"FROM (SELECT {state} AS state FROM tickets "
            "WHERE opened_at <= $at AND (closed_at IS NULL OR closed_at > $at))",
            {"at": at},
        ).fetchone()
    by_bucket, by_priority, overall = {}, {}, None
    for level, bucket, priority, *figures in rows:
        if level == 1:
            by_bucket[bucket] = figures
        elif level == 2:
            by_priority[priority] = figures
        else:
            overall = figures

    def first_response(figures: list | None, start: datetime, end: datetime) -> FirstResponse:
        opened, responded, average, median, within = figures or (0, 0, None, None, None)
        return {"start": start, "end": end, "opened": opened, "responded": responded,
                "avg_first_response_hours": average, "median_first_response_hours": median,
                "within_target_pct": within}

    return {
        "buckets": [first_response(by_bucket.get(index), edges[index], edges[index + 1]) for index in range(last)],
        "overall": first_response(overall, edges[0], edges[last]),
        "by_priority": {priority: first_response(by_priority.get(priority), edges[0], edges[last])
                        for priority in PRIORITIES},
        "now": {"at_risk": at_risk, "breached": breached},
    }
