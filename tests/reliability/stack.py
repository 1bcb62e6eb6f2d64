"""A whole stack a test may break (stop and restart services), and watched browser pages on it.

The browser tests that use these live in tests/e2e (they share its one Chromium); they import the
fixtures below into their module.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests

from ..servers import Running, function_process, store_process, web_process

FUNCTIONS = ("open_since", "resolution_time", "category_active")
FUNCTION_URL_VARIABLES = {name: f"HELPDESK_{name.upper()}_URL" for name in FUNCTIONS}
TRACE_MARKERS = ("Traceback (most recent call last)", 'File "/')


@dataclass
class Watched:
    """What went wrong in the browser while a test ran: console errors, page errors, dialogs."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def page_error(self, error: Exception) -> None:
        self.errors.append(f"page error: {error}")


@dataclass
class Stack:
    """The five services as real processes, started for one test that may stop and restart them."""

    db_path: Path
    token: str | None
    store: Running
    functions: dict[str, Running] = field(default_factory=dict)
    web: Running | None = None

    def processes(self) -> list[Running]:
        return [self.store, *self.functions.values(), *([self.web] if self.web else [])]

    def headers(self, role: str = "staff") -> dict[str, str]:
        return {"X-Helpdesk-Role": role, **({"Authorization": f"Bearer {self.token}"} if self.token else {})}

    def create_ticket(self, description: str, **fields: str) -> dict:
        response = requests.post(f"{self.store.url}/api/v1/tickets", json={"description": description, **fields},
                                 headers=self.headers("user"), timeout=10)
        response.raise_for_status()
        return response.json()

    def restart_store(self) -> None:
        """Start the store again on the same port and database file."""
        self.store = store_process(self.db_path, port=self.store.port,
                                   **({"HELPDESK_API_TOKEN": self.token} if self.token else {})).start()

    def logs_without_traces(self) -> dict[str, str]:
        """Return the log of each service that printed a stack trace or the token."""
        bad = {}
        for process in self.processes():
            log = process.log.read_text(errors="replace")
            if any(marker in log for marker in TRACE_MARKERS) or (self.token and self.token in log):
                bad[process.name] = log[-3000:]
        return bad

    def stop(self) -> None:
        for process in reversed(self.processes()):
            process.stop()


def start_stack(db_path: Path, token: str | None = None, web: bool = True) -> Stack:
    """Start the store, the three functions and (optionally) the web app on free ports."""
    env = {"HELPDESK_API_TOKEN": token} if token else {}
    stack = Stack(db_path, token, store_process(db_path, **env).start())
    try:
        for name in FUNCTIONS:
            stack.functions[name] = function_process(name, stack.store.url, **env).start()
        if web:
            urls = {"HELPDESK_STORE_URL": stack.store.url,
                    **{FUNCTION_URL_VARIABLES[name]: process.url for name, process in stack.functions.items()}}
            stack.web = web_process(urls, **env).start(timeout=60)
    except BaseException:
        stack.stop()
        raise
    return stack


@pytest.fixture
def whole_stack(tmp_path) -> Iterator[Stack]:
    stack = start_stack(tmp_path / "helpdesk.duckdb")
    yield stack
    stack.stop()


@pytest.fixture
def watched_page(browser) -> Iterator[Callable]:
    """Return a factory of pages on a stack's web app; fail on console errors or dialogs.

    *browser* is the one Chromium of tests/e2e/conftest.py (two Playwright instances cannot share a thread).
    """
    contexts, watched = [], Watched()

    def open_page(stack: Stack, role: str = "staff", viewport: dict | None = None):
        context = browser.new_context(base_url=stack.web.url, viewport=viewport or {"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        context.add_init_script(
            f"window.localStorage.setItem('shell-session', {json.dumps(json.dumps({'role': role}))});")
        page = context.new_page()
        page.on("console", watched.console)
        page.on("pageerror", watched.page_error)
        page.on("dialog", lambda dialog: (watched.dialogs.append(dialog.message), dialog.dismiss()))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not watched.dialogs, f"the page opened dialogs (script ran from ticket text?): {watched.dialogs}"
    assert not watched.errors, "browser console errors:\n" + "\n".join(watched.errors)
