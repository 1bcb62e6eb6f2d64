"""Staff pieces in a real browser: take it, internal note against reply, bulk changes, the service-levels panel."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

LIVE = 12_000  # ms


@pytest.fixture
def word() -> str:
    return "w" + uuid.uuid4().hex[:8]


def test_staff_take_a_ticket_and_set_its_priority(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"The lift in building C is stuck {word}")
    page: Page = open_page("staff", name="Ana Staff")
    page.goto(f"/tickets/{created['id']}")
    expect(page.locator("#ticket-assignee")).to_have_text("nobody")
    expect(page.locator("#ticket-sla-badge")).to_have_text("On track")
    page.click("#ticket-take")
    expect(page.locator("#ticket-assignee")).to_have_text("Ana Staff")
    expect(page.locator("#ticket-take")).to_have_text("Yours")
    page.select_option("#ticket-priority-select", "urgent")
    page.click("#ticket-priority-save")
    expect(page.locator("#ticket-triage-done")).to_contain_text("Urgent")
    stored = stack.client("staff").get_ticket(created["id"])
    assert (stored["assignee"], stored["priority"]) == ("Ana Staff", "urgent")
    # A campus user sees no staff card at all.
    user = open_page("user")
    user.goto(f"/tickets/{created['id']}")
    expect(user.locator("#ticket-heading")).to_contain_text(word)
    expect(user.locator("#ticket-triage")).to_be_hidden()


def test_internal_note_and_reply_are_different_actions_and_the_user_sees_only_the_reply(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"The printer on floor 2 jams {word}")
    staff: Page = open_page("staff", name="Bo Staff")
    staff.goto(f"/tickets/{created['id']}")
    reply_button, note_button = staff.locator("#ticket-message-send"), staff.locator("#ticket-note-send")
    expect(reply_button).to_have_text("Reply to reporter")
    expect(note_button).to_contain_text("Internal note")
    assert "btn-primary" in reply_button.get_attribute("class")
    assert "btn-warning" in note_button.get_attribute("class")
    expect(staff.locator("#ticket-compose-hint")).to_contain_text("staff only")

    staff.fill("#ticket-message-body", f"secret-{word}: reporter called twice")
    note_button.click()
    note = staff.locator(".thread-message.internal-note")
    expect(note).to_contain_text(f"secret-{word}")
    expect(note).to_contain_text("Internal note · staff only")
    expect(staff.locator("#ticket-message-body")).to_have_value("")
    staff.fill("#ticket-message-body", f"public-{word}: a technician comes today")
    reply_button.click()
    reply = staff.locator(".thread-message.from-staff:not(.internal-note)")
    expect(reply).to_contain_text(f"public-{word}")
    background = note.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background != reply.evaluate("element => getComputedStyle(element).backgroundColor")

    user: Page = open_page("user")
    user.goto(f"/tickets/{created['id']}")
    expect(user.locator("#ticket-thread")).to_contain_text(f"public-{word}")
    expect(user.locator("#ticket-thread")).not_to_contain_text(f"secret-{word}")
    expect(user.locator("#ticket-note-send")).to_be_hidden()
    expect(user.locator("#ticket-message-send")).to_have_text("Send message")
    assert [m["body"].split(":")[0] for m in stack.client("user").list_messages(created["id"])] == [f"public-{word}"]


def test_bulk_move_says_what_changed_and_what_was_refused(open_page, stack, word):
    client = stack.client("staff")
    first = client.create_ticket(description=f"Broken chair one {word}")
    second = client.create_ticket(description=f"Broken chair two {word}")
    third = client.create_ticket(description=f"Broken chair three {word}")
    client.change_status(third["id"], "active")
    page: Page = open_page("staff", name="Cy Staff")
    page.goto("/tickets")
    page.fill("#tickets-search", word)
    rows = page.locator("#tickets-grid .ag-center-cols-container .ag-row")
    expect(rows).to_have_count(3, timeout=LIVE)
    boxes = page.locator("#tickets-grid .ag-row input.ag-checkbox-input")
    expect(boxes).to_have_count(3)
    for index in range(3):
        boxes.nth(index).check()
    page.select_option("#tickets-bulk-action", "status:active")
    page.click("#tickets-bulk-apply")
    alert = page.locator("#tickets-bulk-alert")
    expect(alert).to_contain_text("2 tickets changed")
    expect(alert).to_contain_text("1 refused")
    expect(page.locator(".tickets-bulk-refusal")).to_contain_text(f"#{third['id']}: Ticket #{third['id']} is active")
    assert {client.get_ticket(ticket["id"])["status"] for ticket in (first, second, third)} == {"active"}
    expect(page).to_have_url(re.compile(r"/tickets(\?.*)?$"))

    page.select_option("#tickets-bulk-action", "assignee:me")
    for index in range(3):
        boxes.nth(index).check()
    page.click("#tickets-bulk-apply")
    expect(alert).to_contain_text("3 tickets changed")
    page.click("label[for='_dbcprivate_radioitems_tickets-queue_input_mine']")
    expect(rows).to_have_count(3, timeout=LIVE)
    expect(rows.first).to_contain_text("Cy Staff")


def test_service_levels_panel_links_to_the_tickets_at_risk(open_page, stack):
    page: Page = open_page("staff", name="Di Staff")
    page.goto("/analytics?view=service")
    expect(page.locator("#analytics-service-overall")).to_contain_text("opened", timeout=LIVE)
    expect(page.locator("#analytics-service-at-risk")).to_contain_text("At risk now:")
    expect(page.locator("#analytics-service-graph .bars path").first).to_be_attached(timeout=LIVE)
    expect(page.locator("#analytics-service-graph .ytitle")).to_have_text("hours to the first answer")
    page.click("#analytics-service-breached")
    expect(page).to_have_url(re.compile(r"/tickets\?sla=breached$"))
    expect(page.locator("#tickets-sla")).to_have_value("breached")
    expect(page.locator("#tickets-summary")).not_to_be_empty(timeout=LIVE)  # the list has drawn: its address is written
    expect(page).to_have_url(re.compile(r"/tickets\?sla=breached$"))  # the staff filter stays in the address
    page.select_option("#tickets-priority", "high")
    page.click("#tickets-queue input[value='unassigned']")
    expect(page).to_have_url(re.compile(r"/tickets\?sla=breached&assignee=none&priority=high$"))
    page.reload()
    expect(page.locator("#tickets-priority")).to_have_value("high", timeout=LIVE)
    expect(page.locator("#tickets-sla")).to_have_value("breached")
