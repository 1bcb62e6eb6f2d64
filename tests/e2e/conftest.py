"""Real-browser fixtures: the real services on free ports, headless Chromium, console watching.

Every page a test opens is watched: a browser console error or an uncaught page error
fails the test, and so does a service process that died while it ran.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from dash_app.settings import Settings
from dash_app.store_client import StoreClient

from ..servers import ROOT, Running, function_process, store_process, web_process

CHROMIUM = os.environ.get("HELPDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FUNCTIONS = ("open_since", "resolution_time", "category_active")
FUNCTION_URL_VARIABLES = {
    "open_since": "HELPDESK_OPEN_SINCE_URL",
    "resolution_time": "HELPDESK_RESOLUTION_TIME_URL",
    "category_active": "HELPDESK_CATEGORY_ACTIVE_URL",
}
TIMEZONE = "Europe/Rome"
#: Every service of the test stack requires this token, so the web app must send it everywhere.
API_TOKEN = "e2e-service-token"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def functions_available() -> bool:
    """Return whether this tree has the analysis functions to start."""
    return all((ROOT / "functions" / name / "main.py").exists() for name in FUNCTIONS)


@dataclass
class Stack:
    """The running services of one test session."""

    store: Running
    web: Running
    functions: dict[str, Running] = field(default_factory=dict)

    def processes(self) -> list[Running]:
        return [self.store, self.web, *self.functions.values()]

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
        for process in self.processes():
            if process.process is not None and process.process.poll() is not None:
                pytest.fail(f"the {process.name} process died:\n{process.output()}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The store, the three functions (when present) and the web app, as real processes."""
    started: list[Running] = []
    try:
        store = store_process(tmp_path_factory.mktemp("e2e") / "helpdesk.duckdb", HELPDESK_API_TOKEN=API_TOKEN).start()
        started.append(store)
        functions: dict[str, Running] = {}
        if functions_available():
            for name in FUNCTIONS:
                functions[name] = function_process(
                    name, store.url, HELPDESK_TIMEZONE=TIMEZONE, HELPDESK_API_TOKEN=API_TOKEN
                ).start()
                started.append(functions[name])
        urls = {"HELPDESK_STORE_URL": store.url}
        urls.update({FUNCTION_URL_VARIABLES[name]: process.url for name, process in functions.items()})
        web = web_process(urls, HELPDESK_TIMEZONE=TIMEZONE, HELPDESK_API_TOKEN=API_TOKEN).start(timeout=60)
        started.append(web)
        yield Stack(store=store, web=web, functions=functions)
    finally:
        for process in reversed(started):
            process.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium chromium-driver")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watched:
    """What went wrong in the browser while a test ran."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def page_error(self, error: Exception) -> None:
        self.errors.append(f"page error: {error}")


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

        def refuse_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
            watched.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", refuse_dialog)
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
