"""Hostile input in a real browser: markup and script in every text field stay text; long texts fit."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

# Each payload would run script or add markup if a page ever put ticket text into HTML unescaped.
PAYLOADS = {
    "title": '<img src=x onerror="window.__owned=\'title\'">',
    "description": '<script>window.__owned="description"</script><b id="injected">bold</b> **not bold** {{7*7}}',
    "location": '"><svg onload="window.__owned=\'location\'"></svg>',
    "reporter": "<iframe src=\"javascript:window.parent.__owned='reporter'\"></iframe>",
    "message": "[link](javascript:window.__owned='message') <a href=\"javascript:window.__owned='a'\">x</a>",
    "edited": "</textarea><img src=x onerror=\"window.__owned='edit'\">",
    "name": "<img src=x onerror=\"window.__owned='name'\">",
}


def assert_not_owned(page: Page) -> None:
    assert page.evaluate("window.__owned === undefined"), page.evaluate("window.__owned")
    assert page.locator("#injected, iframe, svg[onload], img[src='x']").count() == 0


def assert_fits(page: Page) -> None:
    """Nothing pushes the page wider than the window (no sideways scrolling)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow} px wider than the window"


def test_markup_and_script_in_every_text_field_render_as_text(open_page):
    user = open_page("user", name=PAYLOADS["name"])
    user.goto("/tickets/new")
    for field in ("description", "title", "location", "reporter"):
        user.fill(f"#new-{field}", PAYLOADS[field])
    expect(user.locator("#new-preview-category")).not_to_be_empty()
    user.click("#new-submit")
    expect(user).to_have_url(re.compile(r"/tickets/\d+$"))
    number = user.url.rsplit("/", 1)[1]
    expect(user.locator("#ticket-heading")).to_contain_text(PAYLOADS["title"])
    expect(user.locator("#ticket-description")).to_have_text(PAYLOADS["description"])
    expect(user.locator("#ticket-details")).to_contain_text(PAYLOADS["location"])
    expect(user.locator("#ticket-details")).to_contain_text(PAYLOADS["reporter"])
    user.click("#ticket-edit-open")
    user.fill("#ticket-edit-location", PAYLOADS["edited"])
    user.click("#ticket-edit-save")
    expect(user.locator("#ticket-details")).to_contain_text(PAYLOADS["edited"])
    expect(user.locator("#ticket-history")).to_contain_text(PAYLOADS["edited"], timeout=15_000)
    user.fill("#ticket-message-body", PAYLOADS["message"])
    user.click("#ticket-message-send")
    expect(user.locator("#ticket-thread")).to_contain_text(PAYLOADS["message"])
    expect(user.locator("#ticket-thread")).to_contain_text(PAYLOADS["name"])
    assert user.locator("#ticket-thread a[href^='javascript']").count() == 0
    assert_not_owned(user)

    staff = open_page("staff")
    staff.goto("/tickets")
    row = staff.locator(".tickets-grid .ag-row", has_text="window.__owned")
    expect(row.first).to_be_visible()
    staff.fill("#tickets-search", PAYLOADS["location"])
    expect(staff.locator("#tickets-search")).to_have_value(PAYLOADS["location"])
    staff.goto(f"/tickets/{number}")
    expect(staff.locator("#ticket-thread")).to_contain_text(PAYLOADS["message"])
    staff.wait_for_timeout(1000)
    for page in (user, staff):
        assert_not_owned(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_very_long_texts_do_not_break_the_layout(open_page, stack, viewport):
    unbroken = "W" * 10_000  # no space to wrap at
    user = stack.client("user")
    ticket = user.create_ticket(description=unbroken, title="T" * 120, location="L" * 200, reporter="R" * 80)
    for body in ("M" * 10_000, ("word " * 2000).strip()):
        user.post_message(ticket["id"], body, author_name="N" * 80)
    page = open_page("staff", viewport=viewport)
    page.goto(f"/tickets/{ticket['id']}")
    expect(page.locator("#ticket-description")).to_contain_text("WWWW")
    expect(page.locator("#ticket-thread")).to_contain_text("MMMM")
    assert_fits(page)
    transition = page.locator("#ticket-transition")
    expect(transition).to_be_visible()
    assert transition.bounding_box()["x"] >= 0
    page.goto("/tickets")
    page.fill("#tickets-search", "TTTTTTTT")
    expect(page.locator(".tickets-grid .ag-row").first).to_be_visible()
    assert_fits(page)
