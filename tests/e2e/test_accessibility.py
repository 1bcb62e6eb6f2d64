"""Accessibility in a real browser: axe-core on every page, as each role, at desktop and phone width,
and the app used by keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .axe import blocking_violations, describe
from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

PAGES = ["/", "/tickets", "/tickets/new", "ticket", "/analytics"]
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def sample_ticket(stack) -> int:
    user = stack.client("user")
    ticket = user.create_ticket(description="The heating in room 2.14 makes a loud noise", title="Noisy heating")
    user.post_message(ticket["id"], "It started this morning.", "Ana")
    return int(ticket["id"])


def settle(page: Page) -> None:
    """Wait until the page has drawn its content and its callbacks went quiet."""
    page.wait_for_selector("#_pages_content > *")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ["user", "staff"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(open_page, sample_ticket, path, role, width):
    page = open_page(role, name="Ana", viewport=WIDTHS[width])
    page.goto(f"/tickets/{sample_ticket}" if path == "ticket" else path)
    settle(page)
    if path == "/tickets":
        expect(page.locator(".tickets-grid .ag-center-cols-container .ag-row").first).to_be_visible()
    if path == "ticket":
        expect(page.locator("#ticket-thread")).to_contain_text("It started this morning.")
    violations = blocking_violations(page)
    assert not violations, describe(violations)


def test_every_page_has_a_language_and_a_main_landmark(open_page):
    page = open_page("user")
    for path in ("/", "/tickets", "/tickets/new"):
        page.goto(path)
        settle(page)
        assert page.evaluate("document.documentElement.lang") == "en"
        expect(page.locator("main")).to_have_count(1)


def test_enter_in_the_entry_name_field_chooses_the_user_role(open_page):
    page = open_page(role=None)
    page.goto("/")
    page.fill("#entry-name", "Ana Ricci")
    page.press("#entry-name", "Enter")
    expect(page).to_have_url(re.compile(r"/tickets$"))
    assert page.evaluate("JSON.parse(localStorage.getItem('shell-session')).name") == "Ana Ricci"


def test_a_grid_row_opens_with_enter(open_page, stack):
    created = stack.client("user").create_ticket(description="Keyboard users open tickets too kbd01")
    page = open_page("staff")
    page.goto("/tickets")
    page.fill("#tickets-search", "kbd01")
    row = page.locator(".tickets-grid .ag-center-cols-container .ag-row", has_text="kbd01")
    # The newest ticket is in the list before the search's answer too: wait for that answer, so that the
    # grid is not redrawn between the focus and the key.
    expect(page).to_have_url(re.compile(r"[?&]q=kbd01"))
    settle(page)
    expect(row).to_have_count(1)
    cell = row.locator("[col-id=title]")
    cell.focus()
    expect(cell).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/tickets/{created['id']}$"))


def test_keyboard_focus_is_visible(open_page):
    page = open_page("user")
    page.goto("/tickets")
    settle(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.boxShadow]; })()"
    )
    assert outline[0] != "none" or outline[1] != "none", outline


def test_status_is_said_in_words_not_only_colour(open_page, stack):
    created = stack.client("user").create_ticket(description="Words not colours wnc01")
    page = open_page("staff")
    page.goto("/tickets")
    page.fill("#tickets-search", "wnc01")
    row = page.locator(".tickets-grid .ag-center-cols-container .ag-row", has_text="wnc01")
    expect(row.locator("[col-id=status]")).to_have_text("Open")
    page.goto(f"/tickets/{created['id']}")
    expect(page.locator("#ticket-status")).to_have_text("Open")
