"""A reporter follows their ticket in a real browser: the link after reporting, a fresh browser, rating, My tickets."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

CONTACT = "maya.private@uni.example.edu"


def test_report_follow_in_a_fresh_browser_see_the_reply_and_rate_after_close(open_page, stack):
    reporter: Page = open_page("user", name="Maya")
    reporter.goto("/tickets/new")
    reporter.fill("#new-description", "The lift in building C stops between the second and third floor")
    reporter.fill("#new-contact", CONTACT)
    expect(reporter.locator("#new-preview-category")).not_to_be_empty()  # the preview settled
    reporter.click("#new-submit")
    expect(reporter).to_have_url(re.compile(r"/tickets/\d+$"))
    number = int(reporter.url.rsplit("/", 1)[1])
    link = reporter.locator("#follow-link-text")
    expect(link).to_contain_text("/follow/")
    expect(reporter.locator("#follow-link-qr")).to_be_visible()
    expect(reporter.locator("#follow-link-copy")).to_be_visible()
    follow_link = link.inner_text()
    assert CONTACT not in reporter.content()

    # My tickets in the reporting browser lists it.
    reporter.click("#navbar-mine") if reporter.locator("#navbar-mine").is_visible() else reporter.goto("/mine")
    expect(reporter.locator(".mine-item")).to_contain_text(f"#{number}")
    expect(reporter.locator(".mine-item .mine-status")).to_have_text("Open")

    # A fresh browser context: only the link.
    stranger: Page = open_page(role=None)
    stranger.goto(follow_link)
    expect(stranger.locator("#follow-heading")).to_contain_text(f"#{number}")
    expect(stranger.locator("#follow-status")).to_have_text("Open")
    stack.client("staff").post_message(number, "A technician is on the way", "Marta")
    expect(stranger.locator("#follow-thread")).to_contain_text("A technician is on the way", timeout=15_000)
    stranger.fill("#follow-message-body", "Thank you, it is stuck again now")
    stranger.click("#follow-message-send")
    expect(stranger.locator("#follow-thread")).to_contain_text("it is stuck again now")
    assert CONTACT not in stranger.content()

    # Back in the reporting browser: the staff reply shows as unread until the follow page is opened.
    reporter.goto("/mine")
    expect(reporter.locator(".mine-unread")).to_have_text("1 new reply")

    staff = stack.client("staff")
    staff.change_status(number, "active")
    staff.change_status(number, "closed")
    expect(stranger.locator("#follow-status")).to_have_text("Closed", timeout=15_000)
    expect(stranger.locator("#follow-message-form")).to_be_hidden()
    stranger.locator("label", has_text="4").first.click()
    stranger.fill("#follow-rating-comment", "Quick and friendly")
    stranger.click("#follow-rating-send")
    expect(stranger.locator("#follow-rating-done")).to_contain_text("4 of 5")
    expect(stranger.locator("#follow-rating-box")).to_be_hidden()

    reporter.goto("/mine")
    expect(reporter.locator(".mine-item .mine-status")).to_have_text("Closed")


def test_a_location_code_opens_the_form_with_the_location_filled_in(open_page):
    staff: Page = open_page("staff")
    staff.goto("/location-codes")
    staff.fill("#codes-location", "Building C, lab 2.14")
    staff.click("#codes-make")
    expect(staff.locator("#codes-qr")).to_be_visible()
    target = staff.locator("#codes-target").inner_text()
    assert target.endswith("/tickets/new?location=Building+C%2C+lab+2.14")
    user: Page = open_page("user")
    user.goto(target)
    expect(user.locator("#new-location")).to_have_value("Building C, lab 2.14")
