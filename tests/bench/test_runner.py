"""The benchmark runner: one small run end to end, and the report's targets and tables."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import Row, growth_table, judge, markdown
from bench.stack import demo_available
from bench.web import Timings, web_rows

ROOT = Path(__file__).resolve().parent.parent.parent
EVERY_ROW = {
    "load.import",
    "store.list.first_page", "store.list.user_first_page", "store.list.deep_offset", "store.list.category",
    "store.list.sort_title", "store.list.sla_due", "store.bulk.500", "analyses.service_levels", "store.search.one_word", "store.search.two_words", "store.search.prefix", "store.search.relevance",
    "store.search.many_words", "store.get", "resources.search_index",
    "analyses.open_since_7d", "analyses.open_since_365d", "analyses.resolution_time", "analyses.category_active",
    "http.function_refusal", "http.store_health",
    "reference.open_since_7d", "reference.open_since_365d", "reference.resolution_utc_months",
    "reference.resolution_converted", "reference.category_active",
    "categorizer.http", "categorizer.in_process", "categorizer.load",
    "store.create.one", "store.create.eight", "store.message",
    "store.similar", "store.photo_upload", "store.ticket_thumbnails",
    "resources.database", "resources.store_memory", "resources.import_memory",
}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bench")
    # Without the browser, which alone takes longer than the rest (tests/e2e drives it).
    command = [sys.executable, "-m", "bench", "--tickets", "2000", "--repeat", "6", "--no-web",
               "--demo-messages", "20", "--out", str(out), "--name", "smoke"]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    report = json.loads((out / "smoke.json").read_text())
    report["markdown"] = (out / "smoke.md").read_text()
    report["stdout"] = finished.stdout
    return report


def test_small_run_has_every_row_with_numbers(small_run):
    [result] = small_run["results"]
    assert result["tickets"] == 2000 and result["skipped"] == []
    rows = {row["key"]: row for row in result["rows"]}
    expected = EVERY_ROW | ({"load.demo"} if demo_available() else set())
    assert expected <= set(rows), expected - set(rows)
    for row in rows.values():
        figures = [row[name] for name in ("p50_ms", "value", "throughput", "duckdb_p50_ms")]
        # A size may rightly be zero (memory a warm cache added); a time or rate never is.
        assert any(figure is not None and (figure > 0 or row.get("unit") == "MB" and figure >= 0)
                   for figure in figures), row
        if row["p50_ms"] is not None:
            assert 0 < row["p50_ms"] <= row["p95_ms"], row
    for key in ("analyses.resolution_time", "store.list.first_page"):
        assert rows[key]["ratio"] == pytest.approx(rows[key]["p50_ms"] / rows[key]["duckdb_p50_ms"])
    assert rows["store.create.eight"]["throughput"] > 0 and rows["store.create.eight"]["note"]
    assert all(rows[key]["met"] in (True, False) for key in ("store.get", "analyses.category_active"))


def test_small_run_writes_markdown_with_machine_load_and_verdicts(small_run):
    text = small_run["markdown"]
    assert small_run["machine"]["cores"] and "Load average" in text and "### 2,000 tickets" in text
    assert small_run["results"][0]["load_during"]["max"] is not None
    assert "| get ticket by id |" in text and ("| met |" in text or "| **missed** |" in text)
    assert "### 2,000 tickets" in small_run["stdout"]


def row(key: str, **figures) -> dict:
    return vars(Row(key, key.split(".")[0], key, **figures))


def test_targets_are_judged_from_the_right_figures():
    rows = [Row("store.get", "store", "get", p50_ms=5.0), Row("store.list.x", "store", "list", p50_ms=31.0),
            Row("store.create.eight", "store", "create", throughput=299.0),
            Row("analyses.a", "analyses", "a", p50_ms=25.0, duckdb_p50_ms=16.0),
            Row("analyses.b", "analyses", "b", p50_ms=9.0, duckdb_p50_ms=0.5),
            Row("load.demo", "load", "demo", value=80.0, extra={"tickets": 1_000_000}),
            Row("resources.database", "resources", "db", value=90.0)]
    judge(rows, 1_000_000)
    assert [row.met for row in rows] == [True, False, False, True, True, True, None]
    small = [Row("load.demo", "load", "demo", value=80.0, extra={"tickets": 10_000})]
    judge(small, 10_000)
    assert small[0].met is None and small[0].target  # the demo target is stated for a million only


def test_growth_table_lists_each_operation_across_sizes():
    results = [{"tickets": size, "rows": [row("store.get", p50_ms=p50), row("resources.database", value=mb, unit="MB")]}
               for size, p50, mb in ((10_000, 2.0, 3.0), (1_000_000, 3.0, 90.0))]
    table = growth_table(results)
    assert "| 10,000 | 1,000,000 |" in table
    assert "| store.get | 2.0 | 3.0 | 1.5× |" in table and "| resources.database (MB) | 3.0 | 90.0 | 30.0× |" in table
    report = {"finished": "now", "command": "python -m bench", "started": "now",
              "machine": {"cpu": "x", "cores": 2, "memory_gib": 1, "system": "s", "python": "3", "duckdb": "2"},
              "results": [{**result, "loader": "csv", "load_before": [1, 1, 1], "load_after": [1, 1, 1],
                           "seconds": 1, "skipped": []} for result in results]}
    assert "How cost grows" in markdown(report)


def test_web_rows_give_each_page_its_renders_and_callbacks():
    timings = Timings(first_render={"ticket list": [900.0, 1100.0, 1000.0], "analytics": [1600.0]},
                      revisit={"ticket list": [400.0, 500.0, 450.0], "analytics": [800.0]},
                      callbacks={"ticket list: tickets-grid": [30.0, 50.0], "ticket list: tickets-alert": [10.0],
                                 "analytics: analytics-open-result": [20.0]})
    rows = {row.key: row for row in web_rows(timings)}
    assert set(rows) == {"web.render.ticket_list", "web.revisit.ticket_list", "web.render.analytics",
                         "web.revisit.analytics", "web.callbacks.ticket_list", "web.callbacks.analytics"}
    assert rows["web.render.ticket_list"].p50_ms == 1000.0 and rows["web.revisit.ticket_list"].p50_ms == 450.0
    assert rows["web.callbacks.ticket_list"].samples == 3
    assert set(rows["web.callbacks.ticket_list"].extra["callbacks"]) == {"tickets-grid", "tickets-alert"}
    judge(list(rows.values()), 1_000_000)
    assert rows["web.render.ticket_list"].met is True and rows["web.render.analytics"].met is False
    assert rows["web.revisit.analytics"].met is None


def test_pages_that_never_showed_are_missed_with_a_note():
    timings = Timings(first_render={"analytics": [1200.0], "ticket": []}, revisit={"analytics": [], "ticket": []},
                      timeouts={"analytics": 1, "ticket": 2})
    rows = {row.key: row for row in web_rows(timings)}
    judge(list(rows.values()), 1_000_000)
    assert rows["web.render.analytics"].met is True and "1 of the visits" in rows["web.render.analytics"].note
    assert rows["web.render.ticket"].met is False and rows["web.render.ticket"].p50_ms is None
