"""The list's and the analytics' state live in the address: Back, a reload and a shared link keep them."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import functions_available

pytestmark = pytest.mark.e2e

FIRST_ROWS = ".tickets-grid .ag-center-cols-container .ag-row"


def first_titles(page, count: int) -> list[str]:
    return [page.locator(FIRST_ROWS).nth(n).locator("[col-id=title]").inner_text() for n in range(count)]


def test_the_list_keeps_its_filters_search_and_sort_through_back_and_reload(open_page, stack):
    word = "addr" + uuid.uuid4().hex[:6]
    user = stack.client("user")
    for title in ("Beta heater", "Alpha heater", "Gamma heater"):
        user.create_ticket(description=f"The heater is cold {word}", title=title)
    stack.client("staff").change_status(user.create_ticket(description=f"Active one {word}", title="Delta")["id"], "active")
    page = open_page("staff")
    page.goto("/tickets")
    page.select_option("#tickets-status", "open")
    page.fill("#tickets-search", word)
    expect(page.locator(FIRST_ROWS)).to_have_count(3)
    page.locator(".ag-header-cell[col-id=title]").click()  # the first click sorts A→Z
    expect(page.locator(FIRST_ROWS).first.locator("[col-id=title]")).to_have_text("Alpha heater")
    expect(page).to_have_url(re.compile(rf"/tickets\?status=open&q={word}&sort=title$"))

    page.locator(FIRST_ROWS).first.locator("[col-id=title]").click()
    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    page.go_back()
    expect(page.locator("#tickets-search")).to_have_value(word)
    expect(page.locator("#tickets-status")).to_have_value("open")
    expect(page.locator(FIRST_ROWS)).to_have_count(3)
    expect(page.locator(FIRST_ROWS).first.locator("[col-id=title]")).to_have_text("Alpha heater")

    page.reload()
    expect(page.locator("#tickets-search")).to_have_value(word)
    expect(page.locator(FIRST_ROWS)).to_have_count(3)
    assert first_titles(page, 3) == ["Alpha heater", "Beta heater", "Gamma heater"]

    shared = open_page("staff")
    shared.goto(f"/tickets?q={word}&sort=-title&status=open")
    expect(shared.locator(FIRST_ROWS)).to_have_count(3)
    expect(shared.locator(FIRST_ROWS).first.locator("[col-id=title]")).to_have_text("Gamma heater")


@pytest.mark.skipif(not functions_available(), reason="the analysis functions are not in this tree")
def test_the_analysis_and_its_period_survive_a_reload(open_page):
    page = open_page("staff")
    page.goto("/analytics")
    page.fill("#analytics-open-amount", "30")
    page.locator("#analytics-panel-open label", has_text="Hours").click()
    expect(page.locator("#analytics-open-result")).to_contain_text("in the last 30 hours")
    expect(page).to_have_url(re.compile(r"/analytics\?last=30&unit=hours$"))
    page.reload()
    expect(page.locator("#analytics-open-result")).to_contain_text("in the last 30 hours")

    page.locator("label", has_text="Resolution time by month").click()
    page.select_option("#analytics-resolution-range", "6")
    expect(page).to_have_url(re.compile(r"/analytics\?view=resolution&months=6$"))
    page.reload()
    expect(page.locator("#analytics-panel-resolution")).to_be_visible()
    expect(page.locator("#analytics-resolution-range")).to_have_value("6")
