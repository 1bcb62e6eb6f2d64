"""Load: 50 simulated campus users and staff for 60 s against the whole stack on loopback (bench/load.py).

The stack runs as in production: waitress servers, a service token, 20,000 tickets of history.
"""
from __future__ import annotations

import pytest

from bench.load import percentile, report_table, run_load, start_stack

USERS = 50
SECONDS = 60


@pytest.mark.slow
def test_fifty_people_for_a_minute_meet_no_errors(record_property, tmp_path):
    stack, running = start_stack(tickets=20_000, token="load-test-token", work=tmp_path)
    try:
        report = run_load(stack, users=USERS, seconds=SECONDS)
    finally:
        for service in reversed(running):
            service.stop()
    table = report_table(report)
    print("\n" + table)
    record_property("load_report", table)
    results = report["results"]
    assert results.total_failures == 0, {kind: items[:3] for kind, items in results.failures.items() if items}
    assert {"list", "view", "create", "message", "edit", "status change"} <= set(results.latencies)
    if stack.function_urls:
        assert any(kind.startswith("analytics") for kind in results.latencies)
    for kind, samples in results.latencies.items():
        assert percentile(samples, 0.95) < 3000, f"{kind}: p95 above 3 s"
    assert report["memory_after_mb"] < report["memory_before_mb"] + 600  # DuckDB may fill its 512 MB limit
