"""Every page says in words when the ticket store is down, and says when it is back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

WAIT = 20_000  # ms: pages check the store every 5 s


def test_list_and_new_ticket_pages_say_the_store_is_down_and_back(open_page, stack):
    stack.client("user").create_ticket(description="A ticket that is on the list before the outage")
    listing = open_page("staff")
    listing.goto("/tickets")
    expect(listing.locator(".tickets-grid .ag-center-cols-container .ag-row").first).to_be_visible()
    expect(listing.locator("#tickets-range")).to_contain_text(" of ")
    form = open_page("user")
    form.goto("/tickets/new")
    expect(form.locator("#new-description")).to_be_visible()
    stack.store.stop()
    try:
        for page in (listing, form):
            expect(page.locator("#store-down")).to_contain_text("cannot be reached right now", timeout=WAIT)
            expect(page.locator("#store-down")).to_contain_text("may be out of date")
    finally:
        stack.store.start()
    for page in (listing, form):
        expect(page.locator("#store-back")).to_contain_text("The ticket store is back", timeout=WAIT)
        expect(page.locator("#store-down")).to_have_count(0)


def test_the_list_says_which_rows_it_shows(open_page, stack):
    for n in range(3):
        stack.client("user").create_ticket(description=f"Counted row {n} rng4017")
    page = open_page("user")
    page.goto("/tickets?q=rng4017")
    expect(page.locator("#tickets-range")).to_have_text("1–3 of 3")
