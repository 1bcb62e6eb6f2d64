"""Staff see the language a ticket was written in, on its page and as a filter of the list."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from plotly.utils import PlotlyJSONEncoder

from dash_app.pages.ticket import views
from dash_app.pages.tickets import actions as list_actions
from dash_app.pages.tickets import layout as list_layout
from dash_app.pages.tickets import views as list_views

ROME = ZoneInfo("Europe/Rome")


def rendered(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def test_staff_see_the_language_badge_on_the_ticket_page_and_users_do_not(make_ticket):
    italian = make_ticket("La stampante del secondo piano non stampa più niente da ieri")
    assert italian["language"] == "it"
    staff = rendered(views.ticket_view(italian, "staff", ROME).header)
    assert '"id": "ticket-language"' in staff and '"children": "Italian"' in staff
    assert "ticket-language" not in rendered(views.ticket_view(italian, "user", ROME).header)


def test_a_ticket_of_unknown_language_has_no_badge():
    ticket = {"id": 3, "description": "old", "category": "it", "status": "open", "language": None}
    assert "ticket-language" not in rendered(views.header_view(ticket, "staff"))


def test_staff_filter_the_list_by_language(staff_store, user_store, make_ticket, word):
    german = make_ticket(f"Die Heizung im Seminarraum ist seit Montag komplett kalt {word}")
    make_ticket(f"The heating in the seminar room has been cold since Monday {word}")
    request = {"startRow": 0, "endRow": 100}
    filters = list_views.chosen_filters(None, None, word, False, "staff", "de")
    answer = list_actions.load_rows(request, filters, "staff", staff_store, ROME)
    assert [row["id"] for row in answer.response["rowData"]] == [german["id"]]
    # A user's leftover language filter filters nothing.
    user_filters = list_views.chosen_filters(None, None, word, False, "user", "de")
    assert user_filters.language == ""
    assert list_actions.load_rows(request, user_filters, "user", user_store, ROME).response["rowCount"] == 2


def test_the_address_keeps_the_language_and_a_bad_one_falls_back():
    assert list_views.address_state({"language": "fr"}).language == "fr"
    assert list_views.address_state({"language": "klingon"}).language == "all"
    assert list_views.chosen_filters(None, None, None, False, "staff", "klingon").language == ""


def test_the_language_filter_is_among_the_staff_filters():
    page = rendered(list_layout.layout(language="es"))
    assert '"id": "tickets-language"' in page and '"value": "es"' in page
    assert "All languages" in page and "Spanish" in page
