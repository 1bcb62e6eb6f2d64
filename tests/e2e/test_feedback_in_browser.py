"""Honest feedback on the forms: no console errors on a quick submit, each error said once in the
form's words, a preview that waits for enough text and does not read a long text as an outage."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_submitting_right_after_typing_throws_nothing(open_page):
    page = open_page("user")
    for attempt in range(6):
        page.goto("/tickets/new")
        page.fill("#new-description", f"The door of room 1.0{attempt} does not close any more")
        page.fill("#new-title", f"Door {attempt}")
        page.click("#new-submit")
        expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
        page.wait_for_timeout(700)  # longer than the preview's pause: a late timer would throw now
    # the open_page fixture fails the test on any console or page error


def test_a_long_description_is_previewed_not_called_an_outage(open_page):
    page = open_page("user")
    page.goto("/tickets/new")
    page.fill("#new-title", "Projector")
    page.fill("#new-description", ("The projector in hall B2 shows no picture. " * 240)[:9990])
    preview = page.locator("#new-preview")
    expect(page.locator("#new-preview-category")).to_be_visible()
    expect(preview).not_to_contain_text("unavailable")


def test_the_preview_waits_for_enough_text_and_is_never_certain(open_page):
    page = open_page("user")
    page.goto("/tickets/new")
    page.fill("#new-description", "the lift in bui")
    expect(page.locator("#new-preview")).to_contain_text("Keep describing")
    expect(page.locator("#new-preview-category")).to_have_count(0)
    page.fill("#new-description", "the lift in building C is stuck between floors")
    expect(page.locator("#new-preview-category")).to_be_visible()
    expect(page.locator("#new-preview-sure")).not_to_contain_text("100 %")


def test_an_error_is_said_once_in_the_forms_words(open_page, stack):
    page = open_page("user")
    page.goto("/tickets/new")
    page.fill("#new-description", "   ")
    page.click("#new-submit")
    expect(page.locator("#new-description-feedback")).to_have_text("Description must not be empty.")
    expect(page.locator("#new-error")).to_have_count(0)

    created = stack.client("user").create_ticket(description="A ticket for an empty message")
    page.goto(f"/tickets/{created['id']}")
    page.fill("#ticket-message-body", "   ")
    page.click("#ticket-message-send")
    expect(page.locator("#ticket-message-feedback")).to_have_text("The message must not be empty.")


def test_an_imported_ticket_is_not_called_corrected_and_times_are_relative(open_page, stack):
    stack.import_csv([",Imported radiator problem imp8,Building A,,facility,open,2024-01-10T09:00:00Z,"])
    (ticket,) = stack.client("staff").list_tickets(query="imp8")["items"]
    page = open_page("staff")
    page.goto(f"/tickets/{ticket['id']}")
    detail = page.locator("#ticket-category-detail")
    expect(detail).to_contain_text("set by helpdesk staff")
    expect(detail).not_to_contain_text("corrected")
    expect(page.locator("#ticket-opened")).to_contain_text("2024-01-10 10:00 CET")  # campus time
    expect(page.locator("#ticket-opened")).to_contain_text("ago")
    history_time = page.locator("#ticket-history time").first
    expect(history_time).to_have_text("just now")
    expect(history_time).to_have_attribute("title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d CES?T$"))


def test_the_conflict_box_shows_every_field_the_other_person_changed(open_page, stack):
    user = stack.client("user")
    created = user.create_ticket(description="The tap drips in kitchen 3 cnf01")
    page = open_page("user")
    page.goto(f"/tickets/{created['id']}")
    page.click("#ticket-edit-open")
    page.fill("#ticket-edit-description", "The tap drips a lot in kitchen 3 cnf01")
    user.update_ticket(created["id"], created["version"], {"location": "Kitchen 4", "description": "Theirs cnf01"})
    page.click("#ticket-edit-save")
    box = page.locator("#ticket-edit-current")
    expect(box.locator("tr", has_text="Location")).to_contain_text("Kitchen 4")
    expect(box.locator("tr", has_text="Description")).to_contain_text("Theirs cnf01")
    expect(box.locator("tr", has_text="Description")).to_contain_text("The tap drips a lot")
