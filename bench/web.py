"""Measure the web app in a real browser: each page's first render and each callback's latency.

Against a running stack:

    python -m bench.web --web-url http://127.0.0.1:8050 --store-url http://127.0.0.1:8060

Or on a stack of its own (a fresh database of N tickets, store, functions and web app on
free ports, as `python -m bench` builds them):

    python -m bench.web --start --tickets 5000 [--screenshots docs/screenshots]

`python -m bench` takes the first renders and the callbacks of each page into its table
(`measure_web`).

First render is the time from starting the navigation, in a fresh browser (empty cache),
until the page shows its content (the grid's first row, the ticket's text, the count...).
Callback latency is the browser's own timing of each ``/_dash-update-component``
request while the page is used (search, sort, scroll, preview, refresh, period changes).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import requests
from playwright.sync_api import Browser, Page, Request, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from harness.browser import launch_chromium

from .report import Row

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
#: A ticket takes at most 20 photos; its page shows their thumbnails, never the originals.
PHOTOS_ON_A_TICKET = 20


# ---------------------------------------------------------------- measuring


@dataclass
class Timings:
    """What the bench measured."""

    first_render: dict[str, list[float]] = field(default_factory=dict)
    revisit: dict[str, list[float]] = field(default_factory=dict)
    timeouts: dict[str, int] = field(default_factory=dict)
    callbacks: dict[str, list[float]] = field(default_factory=dict)

    def record_callback(self, page_name: str, request: Request) -> None:
        if "_dash-update-component" not in request.url:
            return
        try:
            output = json.loads(request.post_data or "{}").get("output", "?")
        except ValueError:
            output = "?"
        timing = request.timing
        if timing.get("responseEnd", -1) < 0:
            return
        name = f"{page_name}: {callback_name(output)}"
        self.callbacks.setdefault(name, []).append(timing["responseEnd"])


def callback_name(output: str) -> str:
    """Return a short name for a callback from its output ids."""
    parts = [part.split(".")[0].lstrip(".") for part in output.strip(".").split("...") if part]
    ids = sorted({part for part in parts if part})
    return ", ".join(ids[:2]) + (" …" if len(ids) > 2 else "")


@dataclass
class PageCheck:
    """One page: its address, what shows it is ready, and how a person uses it."""

    name: str
    path: str
    ready: str
    role: str = "staff"
    use: Callable[[Page], None] | None = None


def open_fresh(browser: Browser, base_url: str, role: str, viewport: dict[str, int]) -> tuple[Any, Page]:
    context = browser.new_context(base_url=base_url, viewport=viewport)
    context.add_init_script(
        "try { if (!localStorage.getItem('shell-session')) {"
        f" localStorage.setItem('shell-session', JSON.stringify({{role: '{role}', name: 'Bench'}})); }}"
        " } catch (error) {}"
    )
    context.set_default_timeout(30_000)
    return context, context.new_page()


def measure_first_render(browser: Browser, base_url: str, check: PageCheck,
                         runs: int) -> tuple[list[float], list[float], int]:
    """Return the milliseconds until the page showed its content, in a fresh browser and on a second
    visit, and how many visits gave up after the 30 s timeout."""
    first: list[float] = []
    again: list[float] = []
    timeouts = 0
    for _ in range(runs):
        context, page = open_fresh(browser, base_url, check.role, DESKTOP)
        try:
            for times in (first, again):  # the second visit finds the scripts in the browser's cache
                if times is again:
                    # ... but not what the first visit remembered: forget it on a page of the same
                    # origin where the app is not running (it would write its session back).
                    page.goto("/assets/helpdesk.css")
                    page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
                started = time.perf_counter()
                page.goto(check.path, wait_until="commit")
                page.wait_for_selector(check.ready, state="visible")
                times.append((time.perf_counter() - started) * 1000)
        except PlaywrightTimeoutError:
            timeouts += 1
        finally:
            context.close()
    return first, again, timeouts


def use_pages(browser: Browser, base_url: str, checks: list[PageCheck], timings: Timings) -> None:
    for check in checks:
        if check.use is None:
            continue
        context, page = open_fresh(browser, base_url, check.role, DESKTOP)
        page.goto(check.path)
        page.wait_for_selector(check.ready, state="visible")
        page.wait_for_timeout(500)
        page.on("requestfinished", lambda request, name=check.name: timings.record_callback(name, request))
        check.use(page)
        page.wait_for_timeout(500)
        context.close()


def use_ticket_list(page: Page) -> None:
    for words in ("wifi", "radiator", "library", "printer", ""):
        page.fill("#tickets-search", words)
        page.wait_for_timeout(900)
    for column in ("opened_at", "status", "category", "id"):
        page.locator(f".ag-header-cell[col-id={column}]").click()
        page.wait_for_timeout(700)
    for status in ("open", "active", "closed", "all"):
        page.select_option("#tickets-status", status)
        page.wait_for_timeout(700)
    viewport = page.locator(".tickets-grid .ag-body-viewport")
    for _ in range(5):
        viewport.evaluate("element => element.scrollBy(0, 4000)")
        page.wait_for_timeout(700)


def use_new_ticket(page: Page) -> None:
    text = ""
    for part in ("The projector ", "in lecture hall B2 ", "shows no picture ", "and the wifi is down"):
        text += part
        page.fill("#new-description", text)
        page.wait_for_timeout(900)


def use_ticket(page: Page) -> None:
    for n in range(3):
        page.fill("#ticket-message-body", f"Bench message {n}")
        page.click("#ticket-message-send")
        page.wait_for_timeout(600)
    page.wait_for_timeout(7000)  # two or three automatic refreshes


def use_analytics(page: Page) -> None:
    for amount in ("1", "7", "30", "365"):
        page.fill("#analytics-open-amount", amount)
        page.wait_for_timeout(900)
    page.locator("label", has_text="Resolution time by month").click()
    for months in ("6", "24", "12"):
        page.select_option("#analytics-resolution-range", months)
        page.wait_for_timeout(900)
    page.locator("label", has_text="Active tickets by category").click()
    for _ in range(3):
        page.click("#analytics-refresh-now")
        page.wait_for_timeout(900)


def showcase_ticket(store_url: str) -> int:
    """Create a ticket with a short thread and history, and return its number."""

    def call(method: str, path: str, role: str, **kwargs: Any) -> Any:
        answer = requests.request(
            method, f"{store_url}/api/v1{path}", headers={"X-Helpdesk-Role": role}, timeout=30, **kwargs
        )
        answer.raise_for_status()
        return answer.json()

    ticket = call(
        "POST",
        "/tickets",
        "user",
        json={
            "title": "Projector in lecture hall B2 shows no picture",
            "description": "Since this morning the projector in B2 stays blue whatever laptop we connect.\n"
            "The lecture at 14:00 needs it.",
            "location": "Lecture hall B2, ground floor",
            "reporter": "Ana Ricci",
        },
    )
    call("POST", f"/tickets/{ticket['id']}/messages", "user", json={"body": "Is anyone coming?", "author_name": "Ana"})
    call("POST", f"/tickets/{ticket['id']}/status", "staff", json={"status": "active"})
    call(
        "POST",
        f"/tickets/{ticket['id']}/messages",
        "staff",
        json={"body": "A technician is on the way with a spare adapter.", "author_name": "Bo (helpdesk)"},
    )
    return int(ticket["id"])


def take_screenshots(browser: Browser, base_url: str, ticket_id: int, folder: Path) -> list[Path]:
    """Save each page at desktop and phone width as PNG files in *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    shots = [
        ("entry", "/", "#entry-choose-user", None, None),
        ("tickets", "/tickets", ".tickets-grid .ag-row", "staff", None),
        ("new-ticket", "/tickets/new", "#new-description", "user", use_new_ticket),
        ("ticket", f"/tickets/{ticket_id}", "#ticket-description", "staff", None),
        ("analytics-open", "/analytics?view=open", "#analytics-open-count", "staff", None),
        ("analytics-resolution", "/analytics?view=resolution", "#analytics-resolution-graph .bars path", "staff", None),
        ("analytics-category", "/analytics?view=category", "#analytics-category-graph .bars path", "staff", None),
    ]
    written = []
    for name, path, ready, role, use in shots:
        for suffix, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            context = browser.new_context(base_url=base_url, viewport=viewport, device_scale_factor=1)
            if role:
                context.add_init_script(
                    f"localStorage.setItem('shell-session', JSON.stringify({{role: '{role}', name: 'Ana'}}))"
                )
            page = context.new_page()
            page.goto(path)
            page.wait_for_selector(ready, state="attached", timeout=30_000)
            if use is not None:
                use(page)
            page.wait_for_timeout(1200)
            target = folder / f"{name}-{suffix}.png"
            page.screenshot(path=str(target), full_page=suffix == "phone")
            written.append(target)
            context.close()
    return written


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(timings: Timings) -> str:
    lines = ["| page | first render p50 (ms) | max (ms) | second visit p50 (ms) | runs |", "|---|---:|---:|---:|---:|"]
    for name, values in timings.first_render.items():
        lines.append(f"| {name} | {statistics.median(values):.0f} | {max(values):.0f} "
                     f"| {statistics.median(timings.revisit[name]):.0f} | {len(values)} |")
    lines += ["", "| callback | calls | p50 (ms) | p95 (ms) |", "|---|---:|---:|---:|"]
    for name, values in sorted(timings.callbacks.items()):
        lines.append(f"| {name} | {len(values)} | {statistics.median(values):.0f} | {percentile(values, 0.95):.0f} |")
    return "\n".join(lines)


@functools.lru_cache(maxsize=None)
def ticket_with_photos(store_url: str, count: int) -> int:
    """Create a ticket with *count* 12 MP camera photos (the most a ticket takes) and return its number (once a store)."""
    from .photos import camera_photo

    ticket = requests.post(f"{store_url}/api/v1/tickets", timeout=30, json={
        "title": "Water on the floor of the east stairwell", "location": "Building B, east stairwell",
        "description": "Water drips from the ceiling onto the stairs between the first and second floor."}).json()
    photo = camera_photo()
    for _ in range(count):
        requests.post(f"{store_url}/api/v1/tickets/{ticket['id']}/attachments", data=photo, timeout=60,
                      headers={"Content-Type": "image/jpeg"}).raise_for_status()
    return int(ticket["id"])


def pages(store_url: str) -> list[PageCheck]:
    listing = requests.get(
        f"{store_url}/api/v1/tickets",
        params={"limit": 1, "sort": "-id", "status": "open,active"},
        headers={"X-Helpdesk-Role": "staff"},
        timeout=30,
    )
    listing.raise_for_status()
    items = listing.json()["items"]
    if not items:
        raise SystemExit("The store has no tickets; load some first (or use --start --tickets N).")
    newest = items[0]["id"]
    photographed = ticket_with_photos(store_url, PHOTOS_ON_A_TICKET)
    return [
        PageCheck("entry", "/", "#entry-choose-user", role="user"),
        PageCheck("ticket list", "/tickets", ".tickets-grid .ag-center-cols-container .ag-row", use=use_ticket_list),
        PageCheck("new ticket", "/tickets/new", "#new-description", role="user", use=use_new_ticket),
        PageCheck("ticket", f"/tickets/{newest}", "#ticket-description", use=use_ticket),
        PageCheck(f"ticket with {PHOTOS_ON_A_TICKET} photos", f"/tickets/{photographed}",
                  f"#ticket-photos > .ticket-photo-thumbnail:nth-child({PHOTOS_ON_A_TICKET}) img"),
        PageCheck("analytics", "/analytics", "#analytics-open-count", use=use_analytics),
    ]


def run(web_url: str, store_url: str, runs: int, screenshots: Path | None, use: bool = True) -> Timings:
    """Time each page's first render *runs* times, then (when *use*) use each page and time its callbacks."""
    timings = Timings()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            checks = pages(store_url)
            # One visit to every page first, so that the web app's workers have built their pages.
            for check in checks:
                measure_first_render(browser, web_url, check, 1)
            for check in checks:
                (timings.first_render[check.name], timings.revisit[check.name],
                 timings.timeouts[check.name]) = measure_first_render(browser, web_url, check, runs)
            if use:
                use_pages(browser, web_url, checks, timings)
            if screenshots is not None:
                for path in take_screenshots(browser, web_url, showcase_ticket(store_url), screenshots):
                    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        finally:
            browser.close()
    return timings


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def measure_web(web_url: str, store_url: str, runs: int, use: bool = True) -> list[Row]:
    """Return a row per page's first render and second visit and, when *use*, one per page for its callbacks."""
    return web_rows(run(web_url, store_url, runs, None, use))


def web_rows(timings: Timings) -> list[Row]:
    """Return the benchmark's rows for what the browser measured."""
    rows = []
    for name, values in timings.first_render.items():
        for key, label, samples in ((f"web.render.{slug(name)}", f"first render in a fresh browser: {name}", values),
                                    (f"web.revisit.{slug(name)}", f"second visit (scripts cached): {name}",
                                     timings.revisit.get(name, []))):
            timeouts = timings.timeouts.get(name, 0)
            row = Row.latency(key, "web", label, samples) if samples else Row(key, "web", label)
            if timeouts:
                row.extra["timeouts"] = timeouts
                row.note = f"{timeouts} of the visits did not show the page within 30 s and are left out"
            rows.append(row)
    by_page: dict[str, dict[str, list[float]]] = {}
    for name, values in timings.callbacks.items():
        page, callback = name.split(": ", 1)
        by_page.setdefault(page, {})[callback] = values
    for page, callbacks in by_page.items():
        values = [value for samples in callbacks.values() for value in samples]
        kinds = f"{len(callbacks)} kind" + ("s" if len(callbacks) > 1 else "")
        rows.append(Row.latency(f"web.callbacks.{slug(page)}", "web",
                                f"callbacks while using the {page} page ({kinds})", values,
                                extra={"callbacks": {name: {"calls": len(samples), "p50_ms": statistics.median(samples),
                                                            "p95_ms": percentile(samples, 0.95)}
                                                     for name, samples in sorted(callbacks.items())}}))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--web-url", default=os.environ.get("HELPDESK_WEB_URL", "http://127.0.0.1:8050"))
    parser.add_argument("--store-url", default=os.environ.get("HELPDESK_STORE_URL", "http://127.0.0.1:8060"))
    parser.add_argument("--start", action="store_true", help="build a database and start a stack of its own")
    parser.add_argument("--tickets", type=int, default=3000, help="tickets to load with --start")
    parser.add_argument("--runs", type=int, default=5, help="fresh-browser visits per page")
    parser.add_argument("--screenshots", type=Path, help="also save screenshots of every page here")
    parser.add_argument("--json", type=Path, help="write the measurements here as JSON")
    options = parser.parse_args(argv)

    if options.start:
        from .stack import Bench

        with Bench(options.tickets, timezone=os.environ.get("HELPDESK_TIMEZONE", "Europe/Rome"),
                   demo_messages=200) as bench:
            if bench.web is None:
                raise SystemExit("The web app is not in this tree (dash_app/app.py).")
            timings = run(bench.web.url, bench.store.url, options.runs, options.screenshots)
    else:
        timings = run(options.web_url.rstrip("/"), options.store_url.rstrip("/"), options.runs, options.screenshots)
    print(report(timings))
    if options.json:
        options.json.write_text(
            json.dumps({"first_render_ms": timings.first_render, "callback_ms": timings.callbacks}, indent=1)
        )


if __name__ == "__main__":
    main()
