"""The ticket pages in a real browser, against the real store and web app."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from .conftest import PHONE

pytestmark = pytest.mark.e2e

LIVE = 12_000  # ms: the ticket page refreshes every 3 s


@pytest.fixture
def word() -> str:
    return "w" + uuid.uuid4().hex[:8]


def test_user_creates_a_ticket_and_sees_its_category(open_page, stack, word):
    page: Page = open_page(role=None)
    page.goto("/")
    page.fill("#entry-name", "Ana Ricci")
    page.click("#entry-choose-user")
    expect(page).to_have_url(re.compile(r"/tickets$"))
    page.click("#tickets-new")
    expect(page).to_have_url(re.compile(r"/tickets/new$"))
    expect(page.locator("#new-reporter")).to_have_value("Ana Ricci")
    page.fill("#new-description", f"My laptop cannot connect to the eduroam wifi in the library {word}")
    expect(page.locator("#new-preview-category")).to_have_text("Technical IT")
    page.click("#new-submit")
    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    number = page.url.rsplit("/", 1)[1]
    expect(page.locator("#ticket-heading")).to_contain_text(f"#{number}")
    expect(page.locator("#ticket-category")).to_have_text("Technical IT")
    expect(page.locator("#ticket-status")).to_have_text("Open")
    expect(page.locator("#ticket-reporter")).to_have_text("Ana Ricci")
    expect(page.locator("#ticket-opened")).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d CES?T"))
    expect(page.locator("#ticket-staff-actions")).to_be_hidden()
    assert stack.client("user").get_ticket(int(number))["reporter"] == "Ana Ricci"


def test_store_validation_is_shown_next_to_the_field(open_page):
    page = open_page("user")
    page.goto("/tickets/new")
    page.fill("#new-description", "   ")
    page.click("#new-submit")
    expect(page.locator("#new-description-feedback")).to_have_text("Description must not be empty.")
    expect(page).to_have_url(re.compile(r"/tickets/new$"))


def test_user_edits_a_ticket(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"The projector shows no picture {word}")
    page = open_page("user")
    page.goto(f"/tickets/{created['id']}")
    page.click("#ticket-edit-open")
    expect(page.locator("#ticket-edit-description")).to_have_value(created["description"])
    page.fill("#ticket-edit-title", "Projector in B2 is dead")
    page.fill("#ticket-edit-location", "Lecture hall B2")
    page.click("#ticket-edit-save")
    expect(page.locator("#ticket-heading")).to_contain_text("Projector in B2 is dead")
    expect(page.locator("#ticket-location")).to_have_text("Lecture hall B2")
    expect(page.locator("#ticket-history")).to_contain_text("Edited", timeout=LIVE)
    stored = stack.client("user").get_ticket(created["id"])
    assert (stored["title"], stored["location"], stored["version"]) == ("Projector in B2 is dead", "Lecture hall B2", 2)


def test_a_fast_typist_loses_no_text_while_the_page_refreshes(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"The projector shows no picture {word}")
    page = open_page("user")
    page.goto(f"/tickets/{created['id']}")
    page.click("#ticket-edit-open")
    # No wait for the form's text: the keys go in as soon as the field takes them.
    title = f"Projector in lecture hall B2 shows nothing at all {word}"
    description = "It stays blue.\nCables checked, remote has new batteries; still nothing. " * 4
    page.locator("#ticket-edit-title").press("ControlOrMeta+a")
    page.keyboard.type(title)
    # A staff reply arrives while the description is typed (10 ms a key, past the page's 3 s refresh).
    stack.client("staff").post_message(created["id"], f"Looking at it now {word}")
    page.locator("#ticket-edit-description").press("ControlOrMeta+a")
    page.keyboard.type(description, delay=10)
    expect(page.locator("#ticket-thread")).to_contain_text(f"Looking at it now {word}")
    page.click("#ticket-edit-save")  # at once, after the last key
    expect(page.locator("#ticket-heading")).to_contain_text(title)
    stored = stack.client("user").get_ticket(created["id"])
    assert (stored["title"], stored["description"]) == (title, description.strip())
    message = "Thanks, the lecture starts at 10:15 so please hurry! " * 3
    page.locator("#ticket-message-body").press_sequentially(message)
    page.click("#ticket-message-send")
    expect(page.locator("#ticket-thread")).to_contain_text(message.strip())
    assert stack.client("user").list_messages(created["id"])[-1]["body"] == message.strip()


def test_stale_edit_is_refused_with_a_message(open_page, stack, word):
    user = stack.client("user")
    created = user.create_ticket(description=f"Heating is off in room 3.12 {word}")
    page = open_page("user")
    page.goto(f"/tickets/{created['id']}")
    page.click("#ticket-edit-open")
    # Type once the form holds the ticket's text, as a person would (typing sooner merged the two once).
    expect(page.locator("#ticket-edit-description")).to_have_value(created["description"])
    page.fill("#ticket-edit-description", "My version of the text")
    user.update_ticket(created["id"], created["version"], {"description": "Someone else's version"})
    page.click("#ticket-edit-save")
    stale = page.locator("#ticket-edit-stale")
    expect(stale).to_contain_text("Someone else changed this ticket")
    expect(page.locator("#ticket-edit-current")).to_contain_text("Someone else's version")
    expect(page.locator("#ticket-description")).to_have_text("Someone else's version")
    expect(page.locator("#ticket-edit-description")).to_have_value("My version of the text")
    assert user.get_ticket(created["id"])["description"] == "Someone else's version"


def test_staff_see_the_ticket_and_move_it_open_active_closed(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"Broken window in the gym {word}")
    page = open_page("staff", name="Bo")
    page.goto("/tickets")
    page.fill("#tickets-search", word)
    row = page.locator(".tickets-grid .ag-row", has_text=word)
    expect(row).to_have_count(1)
    expect(page.locator("#tickets-summary")).to_contain_text("Open 1")
    row.locator("[col-id=title]").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{created['id']}$"))

    transition = page.locator("#ticket-transition")
    expect(transition).to_have_text("Start work (mark active)")
    transition.click()
    expect(page.locator("#ticket-status")).to_have_text("Active")
    expect(transition).to_have_text("Close ticket")
    transition.click()
    expect(page.locator("#ticket-close-modal")).to_contain_text("A closed ticket is final")
    page.click("#ticket-close-confirm")
    expect(page.locator("#ticket-status")).to_have_text("Closed")
    expect(page.locator("#ticket-closed")).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d"))
    expect(page.locator("#ticket-staff-actions")).to_be_hidden()
    expect(page.locator("#ticket-message-form")).to_be_hidden()
    expect(page.locator("#ticket-edit-box")).to_be_hidden()
    expect(page.locator("#ticket-history")).to_contain_text("Status changed: Active → Closed", timeout=LIVE)
    assert stack.client("staff").get_ticket(created["id"])["status"] == "closed"


def test_staff_correct_the_category(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"The coffee machine is rude {word}")
    page = open_page("staff")
    page.goto(f"/tickets/{created['id']}")
    page.select_option("#ticket-category-select", "facility")
    page.click("#ticket-category-save")
    expect(page.locator("#ticket-category")).to_have_text("Facility management")
    expect(page.locator("#ticket-category-detail")).to_contain_text("corrected by helpdesk staff")
    assert stack.client("staff").get_ticket(created["id"])["category_source"] == "staff"


def test_messages_appear_on_the_other_side_without_reload(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"Lift stuck on floor 2 {word}")
    user = open_page("user", name="Ana")
    staff = open_page("staff", name="Bo")
    user.goto(f"/tickets/{created['id']}")
    staff.goto(f"/tickets/{created['id']}")
    expect(staff.locator("#ticket-thread")).to_contain_text("No messages yet")

    user.fill("#ticket-message-body", "Is anyone coming?")
    user.click("#ticket-message-send")
    expect(user.locator("#ticket-thread")).to_contain_text("Is anyone coming?")
    expect(user.locator("#ticket-message-body")).to_have_value("")
    expect(staff.locator("#ticket-thread")).to_contain_text("Is anyone coming?", timeout=LIVE)
    expect(staff.locator("#ticket-thread")).to_contain_text("Campus user · Ana")

    staff.fill("#ticket-message-body", "A technician is on the way.")
    staff.click("#ticket-message-send")
    expect(user.locator("#ticket-thread")).to_contain_text("A technician is on the way.", timeout=LIVE)
    messages = user.locator(".thread-message")
    expect(messages).to_have_count(2)
    expect(messages.last).to_contain_text("Helpdesk staff · Bo")


def test_user_cannot_see_a_closed_ticket(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"Closed matter {word}")
    staff = stack.client("staff")
    staff.change_status(created["id"], "active")
    staff.change_status(created["id"], "closed")
    page = open_page("user")
    page.goto(f"/tickets/{created['id']}")
    expect(page.locator("#ticket-missing")).to_contain_text("closed tickets are visible to helpdesk staff only")
    expect(page.locator("#ticket-main")).to_be_hidden()
    page.goto("/tickets")
    expect(page.locator("#tickets-status option:not([value=''])")).to_have_text(["Open and active", "Open", "Active"])
    page.fill("#tickets-search", word)
    expect(page.locator("#tickets-empty")).to_contain_text("No tickets match these filters")


def test_user_is_sent_from_the_analytics_to_the_entry_page(open_page):
    page = open_page("user")
    page.goto("/tickets")
    expect(page.locator("#navbar-analytics")).to_be_hidden()
    page.goto("/analytics")
    expect(page).to_have_url(re.compile(r"/\?reason=staff-only"))
    expect(page.locator("#entry-reason")).to_have_text(
        "The analytics are for helpdesk staff only. Choose “Helpdesk staff” below to open them."
    )
    page.click("#entry-choose-staff")
    expect(page).to_have_url(re.compile(r"/analytics$"))
    expect(page.locator("#analytics-content")).to_be_visible()


def test_role_switch_in_the_navbar_hides_staff_controls(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"Switching roles {word}")
    page = open_page("staff")
    page.goto(f"/tickets/{created['id']}")
    expect(page.locator("#ticket-staff-actions")).to_be_visible()
    page.locator("label[for^='_dbcprivate_radioitems_navbar-role_input_user']").click()
    expect(page.locator("#ticket-staff-actions")).to_be_hidden()
    expect(page.locator("#navbar-analytics")).to_be_hidden()
    assert page.evaluate("JSON.parse(localStorage.getItem('shell-session')).role") == "user"


def test_html_in_a_ticket_renders_as_text(open_page, stack, word):
    payload = f'<script>alert("x")</script><img src=x onerror=alert(1)> <b>{word}</b>'
    created = stack.client("user").create_ticket(description=payload, title=f"<i>{word}</i>")
    stack.client("user").post_message(created["id"], "<img src=y onerror=alert(2)>", "<b>Eve</b>")
    page = open_page("staff")
    page.goto(f"/tickets/{created['id']}")
    expect(page.locator("#ticket-description")).to_have_text(payload)
    expect(page.locator("#ticket-heading")).to_contain_text(f"<i>{word}</i>")
    expect(page.locator("#ticket-thread")).to_contain_text("<img src=y onerror=alert(2)>")
    expect(page.locator("#ticket-thread")).to_contain_text("<b>Eve</b>")
    assert page.locator("#ticket-main img, #ticket-main script, #ticket-main b, #ticket-main i").count() == 0
    page.goto("/tickets")
    page.fill("#tickets-search", word)
    expect(page.locator(".tickets-grid .ag-row", has_text=f"<i>{word}</i>")).to_have_count(1)
    assert page.locator(".tickets-grid img").count() == 0


def test_a_search_that_settles_before_the_page_is_ready_still_applies(open_page, stack, word):
    for place in ("north", "south"):
        stack.client("user").create_ticket(description=f"The door sticks at the {place} gate {word}")
    stack.client("user").create_ticket(description="The door sticks at the east gate")
    page = open_page("staff")

    # The status choices for the role arrive late (the rows do not wait for them), so the search
    # settles before the page's first filter check runs.
    page.add_init_script("""
        const send = window.fetch;
        window.fetch = function (resource, options) {
            const body = (options && typeof options.body === 'string') ? options.body : '';
            if (!body.includes('tickets-staff-filters')) { return send(resource, options); }
            return new Promise(function (wait) { setTimeout(wait, 3000); }).then(function () {
                return send(resource, options);
            });
        };
    """)
    page.goto("/tickets")
    rows = page.locator(".tickets-grid .ag-center-cols-container .ag-row")
    expect(rows.first).to_be_visible()
    page.fill("#tickets-search", word)
    expect(rows).to_have_count(2, timeout=15_000)
    expect(page.locator("#tickets-summary")).to_contain_text("2 tickets")


def test_list_filters_sort_and_empty_state(open_page, stack, word):
    user = stack.client("user")
    first = user.create_ticket(description=f"The wifi drops in hall A {word}")
    second = user.create_ticket(description=f"The radiator leaks in hall A {word}")
    stack.client("staff").change_status(second["id"], "active")
    page = open_page("staff")
    page.goto("/tickets")
    page.fill("#tickets-search", word)
    rows = page.locator(".tickets-grid .ag-center-cols-container .ag-row")
    expect(rows).to_have_count(2)
    expect(page.locator("#tickets-summary")).to_contain_text("Open 1")
    expect(page.locator("#tickets-summary")).to_contain_text("Active 1")
    expect(page.locator(".tickets-grid .ag-pinned-left-cols-container .ag-row").first).to_have_text(f"#{second['id']}")
    page.locator(".ag-header-cell[col-id=id]").click()  # newest first → oldest first
    expect(page.locator(".tickets-grid .ag-pinned-left-cols-container .ag-row").first).to_have_text(f"#{first['id']}")
    page.select_option("#tickets-status", "active")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("radiator")
    page.select_option("#tickets-category", "it")
    expect(page.locator("#tickets-empty")).to_contain_text("No tickets match these filters")


def test_store_down_is_said_in_words_and_the_page_recovers(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"Outage test {word}")
    page = open_page("user")
    page.goto(f"/tickets/{created['id']}")
    expect(page.locator("#ticket-description")).to_contain_text(word)
    stack.store.stop()
    try:
        expect(page.locator("#ticket-unavailable")).to_contain_text("cannot be reached", timeout=LIVE)
        expect(page.locator("#ticket-description")).to_contain_text(word)  # what was shown stays
        page.fill("#ticket-message-body", "Hello?")
        page.click("#ticket-message-send")
        expect(page.locator("#ticket-message-error")).to_contain_text("Your message was not sent")
        page.click("text=← All tickets")
        expect(page.locator("#tickets-error")).to_contain_text("The ticket list cannot be loaded")
    finally:
        stack.store.start()
    expect(page.locator("#tickets-error")).to_have_count(0, timeout=LIVE)
    page.fill("#tickets-search", word)
    expect(page.locator(".tickets-grid .ag-row", has_text=word)).to_have_count(1)


@pytest.mark.parametrize("path", ["/", "/tickets", "/tickets/new", "/tickets/1", "/analytics?view=resolution"])
def test_pages_fit_a_phone_screen(open_page, stack, path):
    if path == "/tickets/1":
        path = f"/tickets/{stack.client('user').create_ticket(description='A phone-sized look')['id']}"
    page = open_page("staff", viewport=PHONE)
    page.goto(path)
    page.wait_for_selector("#_pages_content > *")
    page.wait_for_timeout(800)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator("#navbar-role")).to_be_visible()
