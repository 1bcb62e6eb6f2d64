"""Measure what each page makes the browser download before it shows its content, and how long that takes.

    python -m bench.web_assets --start --tickets 20000 --runs 7

For each page, in a fresh browser (empty cache) *runs* times: the bytes of script it fetched
(over the wire and unpacked, from the Performance resource timing), its stylesheets, the first
paint and first contentful paint, and the time until its content shows (the grid's first row on
the list). Medians per page. `python -m bench` takes these rows into its table (`measure_assets`).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

from harness.browser import launch_chromium

from .report import Row, load_average
from .web import DESKTOP, PageCheck, open_fresh, pages, slug

#: What the page fetched, by kind, in bytes: over the wire (compressed) and as the browser parses it.
RESOURCES_JS = """() => {
  const sums = {js: [0, 0, 0], css: [0, 0, 0], callbacks: 0};
  for (const entry of performance.getEntriesByType('resource')) {
    const path = new URL(entry.name).pathname;
    const kind = path.endsWith('.js') ? 'js' : path.endsWith('.css') ? 'css' : null;
    if (path.includes('_dash-update-component')) sums.callbacks += 1;
    if (!kind) continue;
    sums[kind][0] += entry.transferSize; sums[kind][1] += entry.decodedBodySize; sums[kind][2] += 1;
  }
  const paint = {};
  for (const entry of performance.getEntriesByType('paint')) paint[entry.name] = entry.startTime;
  return {sums, paint};
}"""


@dataclass
class PageAssets:
    """One page's visits: what it fetched and when it showed."""

    js_wire: list[int] = field(default_factory=list)
    js_bytes: list[int] = field(default_factory=list)
    js_files: list[int] = field(default_factory=list)
    css_bytes: list[int] = field(default_factory=list)
    callbacks: list[int] = field(default_factory=list)
    first_paint: list[float] = field(default_factory=list)
    first_contentful: list[float] = field(default_factory=list)
    ready: list[float] = field(default_factory=list)


def visit(browser: Browser, base_url: str, check: PageCheck, into: PageAssets) -> None:
    """Open *check*'s page once in a fresh browser and note what it fetched until its content showed."""
    context, page = open_fresh(browser, base_url, check.role, DESKTOP)
    try:
        started = time.perf_counter()
        page.goto(check.path, wait_until="commit")
        page.wait_for_selector(check.ready, state="visible")
        into.ready.append((time.perf_counter() - started) * 1000)
        seen: dict[str, Any] = page.evaluate(RESOURCES_JS)
    finally:
        context.close()
    wire, parsed, files = seen["sums"]["js"]
    into.js_wire.append(wire)
    into.js_bytes.append(parsed)
    into.js_files.append(files)
    into.css_bytes.append(seen["sums"]["css"][1])
    into.callbacks.append(seen["sums"]["callbacks"])
    into.first_paint.append(seen["paint"].get("first-paint", float("nan")))
    into.first_contentful.append(seen["paint"].get("first-contentful-paint", float("nan")))


def run(web_url: str, store_url: str, runs: int) -> dict[str, PageAssets]:
    """Visit every page *runs* times (after one warming visit each) and return what they fetched."""
    measured: dict[str, PageAssets] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            checks = pages(store_url)
            for check in checks:
                visit(browser, web_url, check, PageAssets())
            for _ in range(runs):  # the pages in turn, so a burst of load elsewhere spreads over all of them
                for check in checks:
                    visit(browser, web_url, check, measured.setdefault(check.name, PageAssets()))
        finally:
            browser.close()
    return measured


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(measured: dict[str, PageAssets], load: str) -> str:
    """Return the medians as a Markdown table."""
    lines = [f"load average {load}", "",
             "| page | JS wire (KB) | JS parsed (KB) | JS files | CSS (KB) | callbacks before ready "
             "| first paint (ms) | first contentful (ms) | content shown p50 (ms) | max (ms) | runs |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, seen in measured.items():
        lines.append(f"| {name} | {median(seen.js_wire) / 1e3:.0f} | {median(seen.js_bytes) / 1e3:.0f} "
                     f"| {median(seen.js_files):.0f} | {median(seen.css_bytes) / 1e3:.0f} "
                     f"| {median(seen.callbacks):.0f} | {median(seen.first_paint):.0f} "
                     f"| {median(seen.first_contentful):.0f} | {median(seen.ready):.0f} | {max(seen.ready):.0f} "
                     f"| {len(seen.ready)} |")
    return "\n".join(lines)


def asset_rows(measured: dict[str, PageAssets]) -> list[Row]:
    """Return the benchmark's rows: per page, the script it loads and the time until its content shows."""
    rows = []
    for name, seen in measured.items():
        rows.append(Row(f"web.js.{slug(name)}", "web", f"script fetched before the content shows: {name}",
                        value=round(median(seen.js_bytes) / 1e3), unit="KB",
                        extra={"wire_kb": round(median(seen.js_wire) / 1e3), "files": median(seen.js_files),
                               "css_kb": round(median(seen.css_bytes) / 1e3),
                               "callbacks_before_ready": median(seen.callbacks)}))
        rows.append(Row.latency(f"web.paint.{slug(name)}", "web", f"first contentful paint: {name}",
                                seen.first_contentful))
    return rows


def measure_assets(web_url: str, store_url: str, runs: int) -> list[Row]:
    """Return the rows of script bytes and first paints per page (for `python -m bench`)."""
    return asset_rows(run(web_url, store_url, runs))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--web-url", default=os.environ.get("HELPDESK_WEB_URL", "http://127.0.0.1:8050"))
    parser.add_argument("--store-url", default=os.environ.get("HELPDESK_STORE_URL", "http://127.0.0.1:8060"))
    parser.add_argument("--start", action="store_true", help="build a database and start a stack of its own")
    parser.add_argument("--tickets", type=int, default=20000, help="tickets to load with --start")
    parser.add_argument("--runs", type=int, default=7, help="fresh-browser visits per page")
    parser.add_argument("--json", type=Path, help="write the measurements here as JSON")
    options = parser.parse_args(argv)

    if options.start:
        from .stack import Bench

        with Bench(options.tickets, functions=True, timezone=os.environ.get("HELPDESK_TIMEZONE", "Europe/Rome"),
                   demo_messages=200) as bench:
            if bench.web is None:
                raise SystemExit("The web app is not in this tree (dash_app/app.py).")
            before = load_average()
            measured = run(bench.web.url, bench.store.url, options.runs)
    else:
        before = load_average()
        measured = run(options.web_url.rstrip("/"), options.store_url.rstrip("/"), options.runs)
    print(report(measured, f"{before} before, {load_average()} after"))
    if options.json:
        options.json.write_text(json.dumps({name: vars(seen) for name, seen in measured.items()}, indent=1))


if __name__ == "__main__":
    main()
