"""The pages' callback bodies, called as plain functions against a real store."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from dash import no_update
from dash._pages import _path_to_page
from plotly.utils import PlotlyJSONEncoder

from dash_app import shell
from dash_app.analytics_client import AnalyticsClient
from dash_app.pages import entry, new_ticket
from dash_app.pages.analytics import category, common, open_since, resolution
from dash_app.pages.ticket import actions, views
from dash_app.pages.ticket import layout as ticket_layout
from dash_app.pages.tickets import actions as list_actions
from dash_app.pages.tickets import views as list_views
from dash_app.triggers import pressed

from .conftest import settings_for

ROME = ZoneInfo("Europe/Rome")


def rendered(component) -> str:
    """Return a component tree as JSON, to look for the text it shows."""
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


# ---------------------------------------------------------------- shell and entry


@pytest.mark.parametrize(
    ("path", "module"),
    [
        ("", "dash_app.pages.entry"),
        ("tickets", "dash_app.pages.tickets"),
        ("tickets/new", "dash_app.pages.new_ticket"),
        ("tickets/42", "dash_app.pages.ticket"),
        ("analytics", "dash_app.pages.analytics"),
    ],
)
def test_each_address_opens_its_page(path, module):
    assert _path_to_page(path)[0]["module"] == module


def test_switching_role_in_navbar_keeps_the_name():
    session, switch = shell.sync_role({"role": "user", "name": "Ana"}, "staff", "navbar-role")
    assert session == {"role": "staff", "name": "Ana"} and switch is no_update


def test_remembered_role_sets_the_navbar_switch():
    assert shell.sync_role({"role": "staff"}, "user", "shell-session") == (no_update, "staff")
    assert shell.sync_role(None, "user", None) == (no_update, no_update)


def test_analytics_link_only_for_staff():
    assert shell.navbar_for({"role": "user"})[0] == {"display": "none"}
    assert shell.navbar_for({"role": "staff", "name": "Bo"}) == ({"display": "block"}, "as Bo")


def test_a_button_appearing_is_not_a_press():
    appearing = [
        {"prop_id": "entry-choose-user.n_clicks", "value": 0},
        {"prop_id": "entry-choose-staff.n_clicks", "value": 0},
    ]
    assert pressed(appearing) is None
    assert pressed([{"prop_id": "entry-choose-staff.n_clicks", "value": 1}]) == "entry-choose-staff"


def test_choosing_a_role_remembers_it_and_goes_on():
    assert entry.choose_role("entry-choose-staff", "  Bo  ", "/analytics") == (
        {"role": "staff", "name": "Bo"},
        "/analytics",
    )
    assert entry.choose_role("entry-choose-user", "", "/analytics") == ({"role": "user"}, "/tickets")
    assert entry.choose_role(None, "Bo", None) == (no_update, no_update)


def test_enter_in_the_name_field_chooses_the_campus_user_role():
    assert pressed([{"prop_id": "entry-name.n_submit", "value": 1}]) == "entry-name"
    assert pressed([{"prop_id": "entry-name.n_submit", "value": None}]) is None
    assert entry.choose_role("entry-name", "Ana", None) == ({"role": "user", "name": "Ana"}, "/tickets")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "javascript:alert(1)", None, 3])
def test_next_page_stays_inside_the_app(target):
    assert entry.safe_next(target) == "/tickets"


def test_entry_page_explains_a_staff_only_redirect():
    assert "helpdesk staff only" in rendered(entry.layout(reason="staff-only"))
    assert "Welcome" in rendered(entry.layout())


# ---------------------------------------------------------------- ticket list


def test_grid_request_becomes_the_store_query():
    assert list_views.sort_param([{"colId": "opened_at", "sort": "asc"}]) == "opened_at"
    assert list_views.sort_param([{"colId": "title", "sort": "desc"}]) == "-title"
    assert list_views.sort_param([{"colId": "location", "sort": "asc"}]) == "-id"
    assert list_views.sort_param(None) == "-id"
    assert list_views.page_window({"startRow": 200, "endRow": 300}) == (200, 100)
    assert list_views.page_window({"startRow": 0, "endRow": 1000}) == (0, 200)


def test_list_rows_come_from_the_store_filtered_and_searched(staff_store, make_ticket, word):
    wifi = make_ticket(f"The wifi drops in the library {word}", location="Library")
    make_ticket(f"The heating is broken in room 3 {word}")
    filters = list_views.ListFilters(category="it", query=word)
    answer = list_actions.load_rows({"startRow": 0, "endRow": 100}, filters, "staff", staff_store, ROME)
    assert answer.response["rowCount"] == 1
    (row,) = answer.response["rowData"]
    assert row["id"] == wifi["id"] and row["category_text"].startswith("Technical IT") and row["location"] == "Library"
    assert answer.alert is None and answer.empty is None and not answer.failed
    assert "Open 1" in rendered(answer.summary)


def test_staff_see_status_counts_and_users_do_not(staff_store, user_store, make_ticket, word):
    make_ticket(f"Broken window {word}")
    staff = list_actions.load_rows(
        {"startRow": 0, "endRow": 100}, list_views.ListFilters(query=word), "staff", staff_store, ROME
    )
    user = list_actions.load_rows(
        {"startRow": 0, "endRow": 100}, list_views.ListFilters(query=word), "user", user_store, ROME
    )
    assert "Closed 0" in rendered(staff.summary)
    assert "Closed" not in rendered(user.summary) and "1 ticket" in rendered(user.summary)


def test_low_confidence_category_is_marked_for_staff_only():
    ticket_ = {"id": 7, "description": "hm", "category": "it", "needs_review": True, "category_confidence": 0.31}
    assert list_views.grid_row(ticket_, ROME, "staff")["category_text"] == "Technical IT ⚠ check"
    assert "31 %" in list_views.grid_row(ticket_, ROME, "staff")["category_hint"]
    assert list_views.grid_row(ticket_, ROME, "user")["category_text"] == "Technical IT"


def test_empty_list_says_so(staff_store, word):
    answer = list_actions.load_rows(
        {"startRow": 0, "endRow": 100}, list_views.ListFilters(query=word), "staff", staff_store, ROME
    )
    assert answer.response == {"rowData": [], "rowCount": 0}
    assert "No tickets match these filters" in rendered(answer.empty)
    assert "No tickets yet" in rendered(list_views.empty_state(list_views.ListFilters()))


def test_list_with_store_down_says_so_and_retries(down_store):
    answer = list_actions.load_rows({"startRow": 0, "endRow": 100}, list_views.ListFilters(), "staff", down_store, ROME)
    assert answer.failed and answer.response == {"rowData": [], "rowCount": 0}
    text = rendered(answer.alert)
    assert "cannot be reached" in text and "retry by itself" in text and "Traceback" not in text


def test_users_cannot_filter_on_closed():
    assert [option["value"] for option in list_views.status_options("user")] == ["all", "open", "active"]
    assert "closed" in [option["value"] for option in list_views.status_options("staff")]
    assert list_views.controls_for("user", "closed")[1] == "all"


def test_the_address_names_the_list_state_and_bad_values_fall_back():
    state = list_views.address_state({"status": "open", "category": "it", "q": "wifi", "review": "1", "sort": "title"})
    assert state == list_views.ListAddress("open", "it", "wifi", True, "title")
    assert list_views.address_state({"status": "lost", "category": "x", "sort": "-password"}) == list_views.ListAddress()


def test_the_first_click_on_a_text_column_sorts_a_to_z():
    from dash_app.pages.tickets import layout as list_layout

    columns = {column.get("colId", column["field"]): column for column in list_layout.columns_sorted("-title")}
    assert columns["title"]["sortingOrder"][0] == "asc" and columns["title"]["sort"] == "desc"
    assert "sort" not in columns["id"]


# ---------------------------------------------------------------- new ticket


def test_preview_shows_the_category_it_will_get(user_store):
    text = rendered(new_ticket.preview("My laptop cannot connect to eduroam wifi", user_store))
    assert "Technical IT" in text and "sure" in text
    assert "Start describing" in rendered(new_ticket.preview("   ", user_store))


def test_preview_with_store_down_says_so(down_store):
    text = "The wifi in the library keeps dropping"
    assert "preview is unavailable right now" in rendered(new_ticket.preview(text, down_store))


def test_preview_waits_until_the_text_says_enough(user_store):
    assert "Keep describing" in rendered(new_ticket.preview("the lift in bui", user_store))
    assert "100 %" not in rendered(new_ticket.preview("the lift in building C is stuck again", user_store))
    assert new_ticket.sureness(1.0) == "99 % sure" and new_ticket.sureness(0.996) == "99 % sure"
    assert "rough guess" in new_ticket.sureness(0.41)


def test_preview_of_a_very_long_text_judges_its_start(user_store):
    text = "Short title\n" + ("The projector in hall B2 shows no picture. " * 240)[:9990]
    shown = rendered(new_ticket.preview(text, user_store))
    assert "unavailable" not in shown and "at most" not in shown and "sure" in shown


def test_submit_goes_to_the_new_ticket(user_store, word):
    answer = new_ticket.submit({"description": f"Door lock broken {word}", "title": "", "reporter": "Ana"}, user_store)
    (item,) = user_store.list_tickets(query=word)["items"]
    assert answer.pathname == f"/tickets/{item['id']}" and item["reporter"] == "Ana" and item["title"] is None


def test_submit_shows_the_store_validation_next_to_the_field(user_store):
    answer = new_ticket.submit({"description": "   ", "title": "x"}, user_store)
    assert answer.pathname is no_update
    assert answer.invalid["description"] and not answer.invalid["title"]
    assert answer.feedback["description"] == "Description must not be empty."
    assert answer.alert is None  # said once, next to the field


def test_an_empty_message_is_refused_in_the_forms_words(user_store, word):
    from dash_app.pages.ticket import actions as ticket_actions

    created = user_store.create_ticket(description=f"Empty message {word}")
    answer = ticket_actions.send_message(created["id"], "   ", "", user_store, ZoneInfo("UTC"))
    assert answer.invalid and answer.feedback.startswith("The message ") and answer.alert is None


def test_submit_with_store_down_keeps_the_text(down_store):
    answer = new_ticket.submit({"description": "Something"}, down_store)
    assert answer.pathname is no_update and "Your text is still here" in rendered(answer.alert)


# ---------------------------------------------------------------- ticket page


def test_ticket_page_address_must_be_a_number():
    assert views.parse_ticket_id("12") == 12 and views.parse_ticket_id("new") is None
    assert "does not name a ticket" in rendered(ticket_layout.layout(ticket_id="abc"))


def test_users_never_get_staff_controls(make_ticket):
    opened = make_ticket()
    assert views.ticket_view(opened, "user", ROME).staff_style == {"display": "none"}
    view = views.ticket_view(opened, "staff", ROME)
    assert view.staff_style == {"display": "block"} and view.transition_text == "Start work (mark active)"


@pytest.mark.parametrize(
    ("status", "text", "hidden"),
    [("open", "Start work (mark active)", False), ("active", "Close ticket", False), ("closed", "", True)],
)
def test_only_the_allowed_transition_is_offered(status, text, hidden):
    assert views.transition_button({"status": status})[0] == text
    assert views.transition_button({"status": status})[2] is hidden


def test_closed_ticket_is_read_only():
    view = views.ticket_view({"id": 1, "status": "closed", "description": "x"}, "staff", ROME)
    assert view.edit_box_style == view.message_form_style == view.staff_style == {"display": "none"}
    assert "read-only" in view.closed_note


def test_ticket_text_is_rendered_as_text_components(make_ticket):
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    created = make_ticket(payload, title="<b>bold</b>")
    details = views.details_view(created, "user", ROME)
    description = details[0]
    assert description.children == payload  # a string child: React renders it as text
    assert "dangerously" not in rendered(details) + rendered(views.header_view(created))


def test_refresh_reads_thread_and_history_only_when_the_ticket_changed(user_store, make_ticket):
    created = make_ticket()
    first = actions.load_ticket(created["id"], None, user_store, ROME)
    assert first.ticket["id"] == created["id"] and "No messages yet" in rendered(first.thread)
    assert "Ticket opened" in rendered(first.history)
    again = actions.load_ticket(created["id"], first.seen, user_store, ROME)
    assert again.ticket is no_update and again.thread is no_update and again.alert is None
    user_store.post_message(created["id"], "Still broken", "Ana")
    after = actions.load_ticket(created["id"], first.seen, user_store, ROME)
    assert "Still broken" in rendered(after.thread) and "Message posted" in rendered(after.history)


def test_user_cannot_see_a_closed_ticket(staff_store, user_store, make_ticket):
    created = make_ticket()
    staff_store.change_status(created["id"], "active")
    staff_store.change_status(created["id"], "closed")
    loaded = actions.load_ticket(created["id"], None, user_store, ROME)
    assert loaded.ticket is None and "visible to helpdesk staff only" in rendered(loaded.alert)
    assert actions.load_ticket(created["id"], None, staff_store, ROME).ticket["status"] == "closed"


def test_missing_ticket_says_so(user_store):
    assert "does not exist" in rendered(actions.load_ticket(10**9, None, user_store, ROME).alert)


def test_store_down_keeps_the_page_and_says_so(down_store):
    loaded = actions.load_ticket(1, ["x"], down_store, ROME)
    assert loaded.ticket is no_update and "refreshes by itself" in rendered(loaded.alert)


def test_edit_saves_only_changed_fields(user_store, make_ticket):
    created = make_ticket(location="Room 1")
    assert actions.edited_changes(created, {**created, "location": "", "title": "Projector"}) == {
        "location": None,
        "title": "Projector",
    }
    answer = actions.save_edit(created["id"], created, {**created, "title": "Projector"}, user_store)
    assert answer.ticket["title"] == "Projector" and answer.is_open is False and answer.alert is None


def test_stale_edit_is_refused_and_shows_the_current_text(user_store, make_ticket):
    created = make_ticket("Original text")
    user_store.update_ticket(created["id"], created["version"], {"description": "Text changed by someone else"})
    answer = actions.save_edit(created["id"], created, {**created, "description": "My text"}, user_store)
    text = rendered(answer.alert)
    assert "Someone else changed this ticket" in text and "Text changed by someone else" in text
    assert answer.ticket["description"] == "Text changed by someone else" and answer.base["version"] == 2
    assert user_store.get_ticket(created["id"])["description"] == "Text changed by someone else"


def test_edit_after_a_message_or_status_change_is_no_conflict(user_store, staff_store, make_ticket):
    created = make_ticket("Original text")
    user_store.post_message(created["id"], "Any news?", None)
    staff_store.change_status(created["id"], "active")
    answer = actions.save_edit(created["id"], created, {**created, "description": "My text"}, user_store)
    assert answer.alert is None and answer.is_open is False
    assert answer.ticket["description"] == "My text" and answer.ticket["version"] == created["version"] + 3
    assert user_store.get_ticket(created["id"])["status"] == "active"


def test_edit_validation_is_shown_next_to_the_field(user_store, make_ticket):
    created = make_ticket()
    answer = actions.save_edit(created["id"], created, {**created, "description": "  "}, user_store)
    assert answer.invalid["description"] and answer.feedback["description"] == "Description must not be empty."


def test_staff_move_ticket_along_the_workflow(staff_store, make_ticket):
    created = make_ticket()
    assert actions.change_status(created["id"], "active", staff_store).ticket["status"] == "active"
    refused = actions.change_status(created["id"], "active", staff_store)
    assert "can only move to closed" in rendered(refused.alert) and refused.ticket["status"] == "active"
    assert actions.change_status(created["id"], "closed", staff_store).ticket["status"] == "closed"


def test_staff_correct_the_category(staff_store, make_ticket):
    created = make_ticket("The radiator is cold")
    answer = actions.correct_category(created["id"], created, "services", staff_store)
    assert answer.ticket["category"] == "services" and answer.ticket["category_source"] == "staff"
    stale = actions.correct_category(created["id"], created, "it", staff_store)
    assert "Someone else changed this ticket" in rendered(stale.alert)


def test_closing_asks_first_and_cancelling_keeps_the_ticket(staff_store, make_ticket):
    created = staff_store.change_status(make_ticket()["id"], "active")
    asked = actions.press_transition("ticket-transition", created["id"], created, "staff", staff_store)
    assert asked.modal_open is True and asked.ticket is no_update
    kept = actions.press_transition("ticket-close-cancel", created["id"], created, "staff", staff_store)
    assert kept.modal_open is False and staff_store.get_ticket(created["id"])["status"] == "active"
    closed = actions.press_transition("ticket-close-confirm", created["id"], created, "staff", staff_store)
    assert closed.ticket["status"] == "closed" and closed.modal_open is False


def test_only_staff_move_a_ticket_on(staff_store, user_store, make_ticket):
    created = make_ticket()
    answer = actions.press_transition("ticket-transition", created["id"], created, "user", user_store)
    assert answer.ticket is no_update and staff_store.get_ticket(created["id"])["status"] == "open"
    assert actions.press_transition(None, created["id"], created, "staff", staff_store).modal_open is no_update


def test_editor_opens_with_the_ticket_text_and_cancel_hides_it():
    shown = {"id": 3, "title": "Lamp", "description": "Broken lamp", "location": None, "version": 4}
    style, base, title, description, location, reporter, alert = views.editor_state("ticket-edit-open", shown)
    assert style == {"display": "block"} and base == shown and alert is None
    assert (title, description, location, reporter) == ("Lamp", "Broken lamp", "", "")
    assert views.editor_state("ticket-edit-cancel", shown)[:2] == ({"display": "none"}, no_update)
    assert all(value is no_update for value in views.editor_state(None, shown))

def test_messages_are_sent_and_the_thread_comes_back_newest_last(user_store, make_ticket):
    created = make_ticket()
    actions.send_message(created["id"], "First", "Ana", user_store, ROME)
    answer = actions.send_message(created["id"], "Second", "Ana", user_store, ROME)
    text = rendered(answer.thread)
    assert answer.body == "" and text.index("First") < text.index("Second") and "Campus user" in text
    empty = actions.send_message(created["id"], " ", "Ana", user_store, ROME)
    assert empty.invalid and empty.feedback == "The message must not be empty."  # in the form's words: it is labelled "Write a message"


# ---------------------------------------------------------------- analytics


def test_only_the_chosen_analysis_shows():
    assert common.panel_styles("resolution") == [{"display": "none"}, {"display": "block"}, {"display": "none"},
                                                 {"display": "none"}]


def test_month_range_counts_local_months():
    now = datetime(2025, 1, 31, 23, 30, tzinfo=timezone.utc)  # already February in Rome
    assert resolution.month_range(12, now, ROME) == ("2024-03", "2025-02")
    assert resolution.month_range(1, now, ZoneInfo("UTC")) == ("2025-01", "2025-01")


@pytest.mark.parametrize(
    ("amount", "unit"), [(0, "days"), (3651, "days"), (8761, "hours"), ("x", "hours"), (1.5, "days")]
)
def test_period_outside_the_limits_is_explained_without_a_call(amount, unit):
    view = open_since.open_since_view(amount, unit, AnalyticsClient(settings_for("http://127.0.0.1:9")), ROME)
    assert view.result is None and "Choose a whole number of" in rendered(view.alert)


def test_unavailable_functions_are_named_in_words():
    client = AnalyticsClient(settings_for("http://127.0.0.1:9"))
    assert "open-tickets analysis is unavailable" in rendered(open_since.open_since_view(7, "days", client, ROME).alert)
    assert "resolution-time analysis is unavailable" in rendered(resolution.resolution_data("12", client, ROME).alert)
    view = category.category_view(client)
    assert "active-by-category analysis is unavailable" in rendered(view.alert)
    assert "tried again automatically" in rendered(view.alert)


def test_resolution_summary_in_hours_or_days():
    answer = {
        "timezone": "Europe/Rome",
        "overall": {"opened": 4, "closed": 2, "avg_resolution_hours": 36, "median_resolution_hours": None},
    }
    assert "Average 36.0 hours, median —" in rendered(resolution.resolution_summary(answer, "hours"))
    assert "Average 1.5 days" in rendered(resolution.resolution_summary(answer, "days"))


def test_later_blocks_leave_the_counts_alone(staff_store, make_ticket, word):
    for n in range(3):
        make_ticket(f"Noisy fan {n} {word}")
    answer = list_actions.load_rows(
        {"startRow": 2, "endRow": 4}, list_views.ListFilters(query=word), "staff", staff_store, ROME
    )
    assert answer.summary is no_update
    assert answer.response["rowCount"] == 3 and len(answer.response["rowData"]) == 1


def test_every_worker_serves_the_scripts_before_its_first_page():
    from dash_app.app import app, server

    # Known at import, before any page was asked for: each web process is ready.
    assert "deps/react-dom@18.3.1.min.js" in app.registered_paths["dash"]
    page = server.test_client().get("/").get_data(as_text=True)
    scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)
    assert any("react-dom" in script for script in scripts)
    assert all(server.test_client().get(script).status_code == 200 for script in scripts)


def test_every_browser_side_callback_is_a_function_in_the_assets():
    from pathlib import Path

    from dash_app.app import server

    assets = "".join(path.read_text() for path in (Path(__file__).parents[2] / "dash_app/assets").glob("*.js"))
    dependencies = server.test_client().get("/_dash-dependencies").get_json()
    named = [
        dependency["clientside_function"]
        for dependency in dependencies
        if dependency.get("clientside_function") and not dependency["output"].startswith("_pages_")
    ]
    assert len(named) >= 8
    for function in named:
        assert function["namespace"] != "_dashprivate_clientside_funcs", "a clientside callback is an inline string"
        assert f"{function['namespace']}: {{" in assets and f"{function['function_name']}:" in assets


def test_the_list_says_which_rows_it_loaded():
    assert list_views.shown_range(0, 100, 4017) == "1–100 of 4,017"
    assert list_views.shown_range(100, 100, 4017) == "101–200 of 4,017"
    assert list_views.shown_range(0, 0, 0) == ""


def test_the_store_status_is_said_while_down_and_once_back(user_store, down_store):
    from dash_app import store_status

    assert store_status.store_state(user_store) == "up" and store_status.store_state(down_store) == "down"
    assert "cannot be reached" in rendered(store_status.status_banner("down", "up"))
    assert "is back" in rendered(store_status.status_banner("up", "down"))
    assert store_status.status_banner("up", None) is None


def test_an_imported_category_is_not_called_a_correction():
    from dash_app.present import category_source_text

    assert category_source_text({"category_source": "staff"}) == "set by helpdesk staff"
    assert category_source_text({"category_source": "staff", "category_corrected": True}) == "corrected by helpdesk staff"


def test_times_are_said_relative_with_the_exact_campus_time_on_hover():
    from datetime import datetime, timezone

    from dash_app.present import relative_time

    now = datetime(2025, 3, 4, 14, 5, tzinfo=timezone.utc)
    assert relative_time("2025-03-04T11:05:00Z", now) == "3 hours ago"
    assert relative_time("2025-03-04T14:04:30Z", now) == "just now"
    assert relative_time("2025-03-02T14:05:00Z", now) == "2 days ago"
    shown = views.when("2025-03-04T11:05:00Z", ROME)
    assert shown.title == "2025-03-04 12:05 CET" and shown.children.endswith("ago")
