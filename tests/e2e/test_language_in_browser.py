"""Staff see a ticket's language on its page and filter the list by it in a real browser."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

FIRST_ROWS = ".tickets-grid .ag-center-cols-container .ag-row"


def test_staff_filter_the_list_by_language_and_see_it_on_the_ticket(open_page, stack):
    word = "lang" + uuid.uuid4().hex[:6]
    user = stack.client("user")
    italian = user.create_ticket(description=f"Il termosifone della sala lettura è gelido da lunedì {word}",
                                 title="Termosifone")
    user.create_ticket(description=f"The radiator in the reading room has been cold since Monday {word}",
                       title="Radiator")
    page = open_page("staff")
    page.goto("/tickets")
    page.fill("#tickets-search", word)
    expect(page.locator(FIRST_ROWS)).to_have_count(2)
    page.select_option("#tickets-language", "it")
    expect(page.locator(FIRST_ROWS)).to_have_count(1)
    expect(page.locator(FIRST_ROWS).first.locator("[col-id=title]")).to_have_text("Termosifone")
    expect(page).to_have_url(re.compile(rf"/tickets\?q={word}&language=it$"))
    page.reload()
    expect(page.locator("#tickets-language")).to_have_value("it")
    expect(page.locator(FIRST_ROWS)).to_have_count(1)

    page.goto(f"/tickets/{italian['id']}")
    expect(page.locator("#ticket-language")).to_have_text("Italian")
    reader = open_page("user")
    reader.goto(f"/tickets/{italian['id']}")
    expect(reader.locator("#ticket-heading")).to_contain_text("Termosifone")
    expect(reader.locator("#ticket-language")).to_have_count(0)
    reader.goto("/tickets")
    expect(reader.locator("#tickets-language")).to_be_hidden()
