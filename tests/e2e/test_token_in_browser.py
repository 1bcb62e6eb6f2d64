"""The service token stays between the servers: the browser never receives it and no log prints it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from harness.stack import TRACE_MARKERS
from .conftest import API_TOKEN

pytestmark = pytest.mark.e2e


def test_the_browser_never_receives_the_token_and_no_log_prints_it(open_page, stack):
    """The whole stack runs with HELPDESK_API_TOKEN (see conftest); walk every page and read every answer."""
    bodies: list[str] = []

    def keep(response) -> None:  # type: ignore[no-untyped-def]
        if response.request.resource_type in ("document", "fetch", "xhr", "script"):
            bodies.append(response.text())

    user = open_page("user")
    user.on("response", keep)
    user.goto("/tickets/new")
    user.fill("#new-description", "The projector in lecture hall 4 shows no signal")
    expect(user.locator("#new-preview-category")).to_have_text("Technical IT")
    user.click("#new-submit")
    expect(user).to_have_url(re.compile(r"/tickets/\d+$"))
    user.fill("#ticket-message-body", "It is urgent: the exam starts at ten.")
    user.click("#ticket-message-send")
    expect(user.locator("#ticket-thread")).to_contain_text("It is urgent")
    staff = open_page("staff")
    staff.on("response", keep)
    staff.goto("/tickets")
    expect(staff.locator(".tickets-grid .ag-row").first).to_be_visible()
    staff.goto("/analytics")
    expect(staff.locator("#analytics-open-count")).to_be_visible()
    assert len(bodies) > 10 and not [body[:200] for body in bodies if API_TOKEN in body]
    for process in stack.processes():
        log = process.log.read_text(errors="replace")
        assert API_TOKEN not in log, f"the {process.name} log prints the token"
        assert not any(marker in log for marker in TRACE_MARKERS), f"the {process.name} log has a stack trace"
