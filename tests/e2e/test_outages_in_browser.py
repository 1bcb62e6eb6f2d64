"""Outages: the store or a function stops while everything else runs, then comes back."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from harness.stack import TRACE_MARKERS

pytestmark = pytest.mark.e2e
RECOVERY = 30_000  # ms: the pages retry by themselves (list 5 s, ticket 3 s, analytics 10 s)
SLOW = 15_000  # ms: an answer on a busy two-core machine
STORE_DOWN = "The ticket store cannot be reached right now."
FUNCTION_PARAMS = {"open_since": {"days": 7}, "resolution_time": {}, "category_active": {}, "service_levels": {}}


def assert_no_trace(page: Page) -> None:
    text = page.locator("body").inner_text()
    assert not any(marker in text for marker in TRACE_MARKERS), text[:2000]


def test_store_outage_is_said_in_words_and_everything_recovers_without_restarts(whole_stack, watched_page):
    stack = whole_stack
    ticket = stack.create_ticket("The radiator in seminar room 2.14 is cold", title="Cold seminar room")
    page = watched_page(stack, "staff")
    page.goto(f"/tickets/{ticket['id']}")
    expect(page.locator("#ticket-heading")).to_contain_text("Cold seminar room")
    list_page = watched_page(stack, "staff")
    list_page.goto("/tickets")
    expect(list_page.locator(".tickets-grid .ag-row", has_text="Cold seminar room")).to_have_count(1)

    stack.store.stop()
    for name, function in stack.functions.items():
        answer = requests.get(function.url + "/", params=FUNCTION_PARAMS[name], timeout=15)
        body = answer.json()
        assert answer.status_code == 503 and body["status"] == 503, (name, body)
        assert "store" in body["error"] and body["error"].endswith("."), body

    # Pages already open say so in words and keep the rest of the page.
    expect(page.locator("#ticket-unavailable")).to_contain_text(STORE_DOWN, timeout=RECOVERY)
    expect(page.locator("#ticket-heading")).to_contain_text("Cold seminar room")
    list_page.fill("#tickets-search", "seminar")  # the list asks the store when the person does something
    expect(list_page.locator("#tickets-error")).to_contain_text("The ticket list cannot be loaded.", timeout=RECOVERY)
    expect(list_page.locator("#tickets-error")).to_contain_text(STORE_DOWN)
    # Pages opened during the outage do too.
    fresh = watched_page(stack, "user")
    fresh.goto("/tickets/new")
    fresh.fill("#new-description", "The printer on the second floor is jammed")
    fresh.click("#new-submit")
    expect(fresh.locator("#new-error")).to_contain_text("The ticket was not sent.")
    expect(fresh.locator("#new-description")).to_have_value("The printer on the second floor is jammed")
    analytics = watched_page(stack, "staff")
    analytics.goto("/analytics")
    expect(analytics.locator("#analytics-open-alert")).to_contain_text("unavailable right now", timeout=RECOVERY)
    for shown in (page, list_page, fresh, analytics):
        assert_no_trace(shown)

    stack.restart_store()
    # Nothing is restarted or reloaded: the open pages come back by themselves.
    expect(page.locator("#ticket-unavailable")).to_have_count(0, timeout=RECOVERY)
    expect(list_page.locator("#tickets-error")).to_have_count(0, timeout=RECOVERY)
    expect(list_page.locator(".tickets-grid .ag-row", has_text="Cold seminar room")).to_have_count(1, timeout=SLOW)
    expect(analytics.locator("#analytics-open-alert")).to_be_empty(timeout=RECOVERY)
    expect(analytics.locator("#analytics-open-count")).to_be_visible(timeout=SLOW)
    fresh.click("#new-submit")
    expect(fresh).to_have_url(re.compile(r"/tickets/\d+$"), timeout=RECOVERY)
    for name, function in stack.functions.items():
        assert requests.get(function.url + "/", params=FUNCTION_PARAMS[name], timeout=15).status_code == 200
    assert stack.logs_without_traces() == {}


def test_a_stopped_function_only_takes_down_its_own_panel(whole_stack, watched_page):
    stack = whole_stack
    stack.create_ticket("Eduroam drops every few minutes in the library")
    stack.functions["open_since"].stop()
    page = watched_page(stack, "staff")
    page.goto("/analytics")
    expect(page.locator("#analytics-open-alert")).to_contain_text(
        "The open-tickets analysis is unavailable right now.", timeout=RECOVERY)
    page.locator("label", has_text="Resolution time by month").click()
    expect(page.locator("#analytics-resolution-summary")).to_contain_text("Over the range", timeout=SLOW)
    expect(page.locator("#analytics-resolution-alert")).to_be_empty()
    page.locator("label", has_text="Active tickets by category").click()
    expect(page.locator("#analytics-category-count")).to_contain_text("active tickets in all", timeout=SLOW)
    expect(page.locator("#analytics-category-alert")).to_be_empty()
    tickets = watched_page(stack, "staff")
    tickets.goto("/tickets")
    expect(tickets.locator(".tickets-grid .ag-row", has_text="Eduroam")).to_have_count(1, timeout=SLOW)
    assert_no_trace(page)
    stack.functions["open_since"].start()
    page.locator("label", has_text="Open tickets in a period").click()
    expect(page.locator("#analytics-open-alert")).to_be_empty(timeout=RECOVERY)
    expect(page.locator("#analytics-open-count")).to_be_visible(timeout=SLOW)
    assert stack.logs_without_traces() == {}
