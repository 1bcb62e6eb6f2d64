"""The analytics page in a real browser, against the real functions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from .conftest import functions_available

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not functions_available(), reason="the analysis functions are not in this tree"),
]

RECOVERY = 30_000  # ms: the panels ask again every 10 s


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def count_shown(page: Page) -> int:
    return int(page.locator("#analytics-open-count").inner_text().replace(",", ""))


def test_staff_see_the_three_analyses_and_the_period_changes_the_count(open_page, stack):
    now = datetime.now(timezone.utc)
    stack.import_csv(
        [f",Old open problem {n},Building A,,facility,open,{iso(now - timedelta(days=10))}," for n in range(3)]
        + [f",Solved last week,Library,,it,closed,{iso(now - timedelta(days=6))},{iso(now - timedelta(days=5))}"]
    )
    stack.client("user").create_ticket(description="The wifi is down in the canteen")
    page = open_page("staff")
    page.goto("/tickets")
    page.click("#navbar-analytics a")
    expect(page).to_have_url(re.compile(r"/analytics$"))

    count = page.locator("#analytics-open-count")
    page.fill("#analytics-open-amount", "1")
    expect(page.locator("#analytics-open-result")).to_contain_text("in the last 1 day are not closed")
    last_day = count_shown(page)
    assert last_day >= 1
    page.fill("#analytics-open-amount", "30")
    expect(page.locator("#analytics-open-result")).to_contain_text("in the last 30 days")
    assert count_shown(page) >= last_day + 3
    expect(page.locator("#analytics-open-status")).to_contain_text("Open")
    expect(page.locator("#analytics-open-category")).to_contain_text("Facility management")
    page.locator("label", has_text="Hours").first.click()
    expect(page.locator("#analytics-open-result")).to_contain_text("in the last 30 hours")
    page.fill("#analytics-open-amount", "0")
    expect(page.locator("#analytics-open-alert")).to_contain_text("Choose a whole number of hours between 1 and 8,760")
    expect(count).to_have_count(0)

    page.locator("label", has_text="Resolution time by month").click()
    expect(page.locator("#analytics-panel-open")).to_be_hidden()
    expect(page.locator("#analytics-resolution-summary")).to_contain_text("Over the range")
    expect(page.locator("#analytics-resolution-overall")).to_contain_text("hours")
    expect(page.locator("#analytics-resolution-graph .bars path").first).to_be_attached()
    page.locator("#analytics-panel-resolution label", has_text="Days").click()
    expect(page.locator("#analytics-resolution-overall")).to_contain_text("days")
    expect(page.locator("#analytics-resolution-graph .ytitle")).to_have_text("resolution time (days)")

    page.locator("label", has_text="Active tickets by category").click()
    expect(page.locator("#analytics-category-count")).to_contain_text("active tickets in all")
    expect(page.locator("#analytics-category-graph .bars path")).to_have_count(3)


def test_a_stopped_function_is_said_in_words_and_the_page_recovers(open_page, stack):
    function = stack.functions["category_active"]
    page = open_page("staff")
    page.goto("/analytics?view=category")
    expect(page.locator("#analytics-category-count")).to_contain_text("active tickets in all")
    function.stop()
    try:
        page.click("#analytics-refresh-now")
        alert = page.locator("#analytics-category-alert")
        expect(alert).to_contain_text("The active-by-category analysis is unavailable right now.")
        expect(alert).to_contain_text("It will be tried again automatically.")
        page.locator("label", has_text="Open tickets in a period").click()
        expect(page.locator("#analytics-open-count")).to_be_visible()  # the other panels keep working
        page.locator("label", has_text="Active tickets by category").click()
    finally:
        function.start()
    expect(page.locator("#analytics-category-alert")).to_be_empty(timeout=RECOVERY)
    expect(page.locator("#analytics-category-count")).to_contain_text("active tickets in all")
