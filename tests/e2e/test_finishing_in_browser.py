"""What makes the web app feel finished: names in the history, phone order, confirmations, loading, drafts."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.e2e

PHONE_390 = {"width": 390, "height": 844}
SOUP = "The soup in the canteen was cold again at lunch"
EDUROAM = "I cannot connect to eduroam and the VPN client fails to log in"


@pytest.fixture
def word() -> str:
    return "w" + uuid.uuid4().hex[:8]


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not on screen"
    return found


def test_the_history_names_who_did_it(open_page, stack, word):
    created = stack.client("user").create_ticket(title="Cold soup", description=f"{SOUP} {word}")
    page = open_page("staff", name="Ana")
    page.goto(f"/tickets/{created['id']}")
    page.click("#ticket-transition")
    expect(page.locator("#ticket-status")).to_have_text("Active")
    history = page.locator("#ticket-history-list li")
    expect(history.last).to_contain_text("Status changed: Open → Active")
    expect(history.last).to_contain_text("Ana (helpdesk staff)")
    expect(history.first).not_to_contain_text("Ana")  # created over the API without a name


def test_an_edit_into_another_problem_recategorizes_the_ticket(open_page, stack, word):
    created = stack.client("user").create_ticket(title="Cold soup", description=f"{SOUP} {word}")
    assert created["category"] == "services"
    page = open_page("user", name="Li")
    page.goto(f"/tickets/{created['id']}")
    expect(page.locator("#ticket-category")).to_have_text("Services complaints")
    page.click("#ticket-edit-open")
    page.fill("#ticket-edit-title", "eduroam and VPN")
    page.fill("#ticket-edit-description", f"{EDUROAM} {word}")
    page.click("#ticket-edit-save")
    expect(page.locator("#ticket-category")).to_have_text("Technical IT")
    expect(page.locator("#ticket-category-detail")).to_contain_text("assigned automatically")
    expect(page.locator("#ticket-history-list")).to_contain_text("Category re-checked after the edit: Services complaints → Technical IT")
    expect(page.locator("#ticket-history-list li").last).to_contain_text("Li (campus user)")


def test_on_a_phone_the_category_comes_before_submit(open_page):
    page = open_page("user", viewport=PHONE_390)
    page.goto("/tickets/new")
    page.fill("#new-description", "The radiator in lecture hall B2 is stone cold since Monday morning")
    expect(page.locator("#new-preview-category")).to_be_visible()
    description, preview, submit = box(page, "#new-description"), box(page, "#new-preview"), box(page, "#new-submit")
    assert description["y"] < preview["y"] < submit["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]


def test_on_a_phone_staff_actions_come_before_the_thread(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"The printer on floor 2 jams {word}")
    for number in range(6):
        stack.client("user").post_message(created["id"], f"Still jammed, attempt {number} {word}")
    page = open_page("staff", viewport=PHONE_390)
    page.goto(f"/tickets/{created['id']}")
    expect(page.locator("#ticket-transition")).to_be_visible()
    details, actions = box(page, "#ticket-details"), box(page, "#ticket-staff-actions")
    thread, history = box(page, "#ticket-thread"), box(page, "#ticket-history")
    assert details["y"] < actions["y"] < thread["y"] < history["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]


def test_on_a_wide_screen_staff_actions_and_history_stand_on_the_right(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"The printer on floor 3 jams {word}")
    page = open_page("staff")
    page.goto(f"/tickets/{created['id']}")
    expect(page.locator("#ticket-transition")).to_be_visible()
    details, actions = box(page, "#ticket-details"), box(page, "#ticket-staff-actions")
    thread, history = box(page, "#ticket-thread"), box(page, "#ticket-history")
    assert actions["x"] > details["x"] + details["width"] and history["x"] > thread["x"] + thread["width"]
    assert abs(actions["y"] - details["y"]) < 40 and history["y"] < thread["y"] + thread["height"]


def test_creating_a_ticket_and_changing_its_status_are_confirmed(open_page, stack, word):
    page = open_page("user")
    page.goto("/tickets/new")
    page.fill("#new-description", f"The lift in building C is stuck on the third floor {word}")
    page.click("#new-submit")
    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    number = page.url.rsplit("/", 1)[1]
    expect(page.locator("#shell-toast")).to_be_visible()
    expect(page.locator("#shell-toast")).to_contain_text(f"Ticket #{number} was sent.")
    staff = open_page("staff")
    staff.goto(f"/tickets/{number}")
    staff.click("#ticket-transition")
    expect(staff.locator("#shell-toast")).to_contain_text(f"Ticket #{number} is now Active.")


def test_a_slow_list_says_it_is_loading(open_page, stack, word):
    stack.client("user").create_ticket(description=f"The door of room 1.01 squeaks {word}")
    page = open_page("user")
    held: list[Route] = []
    released = False

    def hold_rows(route: Route) -> None:
        if not released and "getRowsRequest" in (route.request.post_data or ""):
            held.append(route)
        else:
            route.continue_()

    page.route("**/_dash-update-component*", hold_rows)
    page.goto("/tickets")
    expect(page.locator("#tickets-loading")).to_be_visible()
    expect(page.locator("#tickets-loading")).to_contain_text("Loading tickets…")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the list never asked for its rows"
    page.wait_for_timeout(1000)  # still loading while the rows are on their way
    expect(page.locator("#tickets-loading")).to_be_visible()
    released = True
    for route in held:
        route.continue_()
    expect(page.locator("#tickets-loading")).to_be_hidden()
    expect(page.locator(".tickets-grid .ag-row").first).to_be_visible()


def test_a_half_written_ticket_survives_a_reload_until_it_is_sent(open_page, word):
    page = open_page("user")
    page.goto("/tickets/new")
    page.fill("#new-description", f"The window in room 3.12 does not close {word}")
    page.fill("#new-location", "Room 3.12")
    page.wait_for_timeout(300)
    page.reload()
    expect(page.locator("#new-description")).to_have_value(f"The window in room 3.12 does not close {word}")
    expect(page.locator("#new-location")).to_have_value("Room 3.12")
    page.click("#new-submit")
    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    page.goto("/tickets/new")
    expect(page.locator("#new-submit")).to_be_visible()
    page.wait_for_timeout(500)
    expect(page.locator("#new-description")).to_have_value("")
    expect(page.locator("#new-location")).to_have_value("")


def test_a_half_written_message_survives_a_reload_per_ticket_until_it_is_sent(open_page, stack, word):
    first = stack.client("user").create_ticket(description=f"The tap in the kitchen drips {word}")
    second = stack.client("user").create_ticket(description=f"The tap in the lab drips {word}")
    page = open_page("user")
    page.goto(f"/tickets/{first['id']}")
    page.fill("#ticket-message-body", f"It drips faster today {word}")
    page.wait_for_timeout(300)
    page.reload()
    expect(page.locator("#ticket-message-body")).to_have_value(f"It drips faster today {word}")
    page.goto(f"/tickets/{second['id']}")
    expect(page.locator("#ticket-main")).to_be_visible()
    page.wait_for_timeout(500)
    expect(page.locator("#ticket-message-body")).to_have_value("")
    page.goto(f"/tickets/{first['id']}")
    expect(page.locator("#ticket-message-body")).to_have_value(f"It drips faster today {word}")
    page.click("#ticket-message-send")
    expect(page.locator("#ticket-thread")).to_contain_text(f"It drips faster today {word}")
    expect(page.locator("#ticket-message-body")).to_have_value("")
    page.reload()
    expect(page.locator("#ticket-main")).to_be_visible()
    page.wait_for_timeout(500)
    expect(page.locator("#ticket-message-body")).to_have_value("")


def test_the_list_says_how_long_ago_with_the_exact_time_on_hover(open_page, stack, word):
    stack.client("user").create_ticket(description=f"The blinds in room 4.04 are stuck {word}")
    page = open_page("user")
    page.goto(f"/tickets?q={word}")
    cell = page.locator(".tickets-grid .ag-row .ag-cell[col-id='updated_at']").first
    expect(cell).to_have_text(re.compile(r"^(just now|\d+ minutes? ago)$"))
    cell.hover()
    expect(page.locator(".ag-tooltip")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d CES?T$"))
