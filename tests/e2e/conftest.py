"""Real-browser fixtures: the real services on free ports, headless Chromium, console watching.

Every page a test opens is watched: a browser console error or an uncaught page error
fails the test, and so does a service process that died while it ran.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterator

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from dash_app.settings import Settings
from dash_app.store_client import StoreClient
from harness import stack as harness_stack
from harness.browser import Watched, chromium_missing, launch_chromium
from harness.processes import ROOT
from harness.stack import FUNCTIONS, start_stack

TIMEZONE = "Europe/Rome"
#: Every service of the test stack requires this token, so the web app must send it everywhere.
API_TOKEN = "e2e-service-token"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def functions_available() -> bool:
    """Return whether this tree has the analysis functions to start."""
    return all((ROOT / "functions" / name / "main.py").exists() for name in FUNCTIONS)


@dataclass
class Stack(harness_stack.Stack):
    """The running services of one test session, with what the tests arrange their data with."""

    def client(self, role: str) -> StoreClient:
        """Return a store client for arranging a test's data directly over the API."""
        return StoreClient(
            role,
            Settings(
                store_url=self.store.url,
                open_since_url="",
                resolution_time_url="",
                category_active_url="",
                timezone=TIMEZONE,
                api_token=API_TOKEN,
            ),
        )

    def import_csv(self, rows: list[str]) -> None:
        """Load historical tickets (CSV lines in the import's columns) straight into the store."""
        headers = {"X-Helpdesk-Role": "staff", "Content-Type": "text/csv"}
        headers["Authorization"] = f"Bearer {API_TOKEN}"
        body = "title,description,location,reporter,category,status,opened_at,closed_at\n" + "\n".join(rows) + "\n"
        response = requests.post(f"{self.store.url}/api/v1/import", data=body.encode(), headers=headers, timeout=30)
        response.raise_for_status()

    def check_alive(self) -> None:
        """Fail with the process output when a service died."""
        for process in self.dead():
            pytest.fail(f"the {process.name} process died:\n{process.output()}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The store, the three functions (when present) and the web app, as real processes."""
    started = start_stack(tmp_path_factory.mktemp("e2e") / "helpdesk.duckdb", API_TOKEN,
                          functions=functions_available(), HELPDESK_TIMEZONE=TIMEZONE)
    try:
        yield Stack(**vars(started))
    finally:
        started.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if missing := chromium_missing():
        pytest.fail(missing)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Browser, stack: Stack) -> Iterator[Callable[..., Page]]:
    """Return a factory of pages, each in its own browser with the chosen role remembered."""
    contexts: list[BrowserContext] = []
    watched = Watched()

    def open_page(role: str | None = "user", name: str | None = None, viewport: dict[str, int] = DESKTOP) -> Page:
        context = browser.new_context(base_url=stack.web.url, viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", watched.console)
        page.on("pageerror", watched.page_error)
        page.on("dialog", watched.refuse_dialog)
        if role is not None:
            session = {"role": role, **({"name": name} if name else {})}
            # Remember the role the way the entry page does, before the app first loads.
            context.add_init_script(
                "try { if (!window.localStorage.getItem('shell-session')) {"
                f" window.localStorage.setItem('shell-session', {json.dumps(json.dumps(session))}); }}"
                " } catch (error) {}"
            )
        return page

    yield open_page
    for context in contexts:
        context.close()
    stack.check_alive()
    assert not watched.dialogs, f"the page opened dialogs (script ran from ticket text?): {watched.dialogs}"
    assert not watched.errors, "severe browser console errors:\n" + "\n".join(watched.errors)


@pytest.fixture
def whole_stack(tmp_path) -> Iterator[harness_stack.Stack]:
    """A stack of its own (no token) for one test that may stop and restart its services."""
    stack = start_stack(tmp_path / "helpdesk.duckdb")
    yield stack
    stack.stop()


@pytest.fixture
def watched_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Return a factory of pages on a whole_stack's web app; fail on console errors or dialogs."""
    contexts, watched = [], Watched()

    def open_page(stack: harness_stack.Stack, role: str = "staff", viewport: dict | None = None) -> Page:
        context = browser.new_context(base_url=stack.web.url, viewport=viewport or {"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        context.add_init_script(
            f"window.localStorage.setItem('shell-session', {json.dumps(json.dumps({'role': role}))});")
        page = context.new_page()
        page.on("console", watched.console)
        page.on("pageerror", watched.page_error)
        page.on("dialog", watched.refuse_dialog)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not watched.dialogs, f"the page opened dialogs (script ran from ticket text?): {watched.dialogs}"
    assert not watched.errors, "browser console errors:\n" + "\n".join(watched.errors)
