"""The follow page, My tickets, the follow link after reporting and the QR codes, against a real store."""

from __future__ import annotations

import json

from dash import no_update
from plotly.utils import PlotlyJSONEncoder

from dash_app.follow_client import FollowClient, location_url, remember
from dash_app.pages import follow, location_codes, mine, new_ticket


def rendered(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def reported(user_store, word: str, **fields) -> dict:
    answer = new_ticket.submit({"description": f"Lab door lock broken {word}", "reporter": "Ana", **fields},
                               user_store)
    assert answer.followed is not None
    return answer.followed


def test_submit_keeps_the_follow_token_and_the_contact_stays_with_staff(user_store, staff_store, word):
    ticket = reported(user_store, word, contact="ana.private@uni.example.edu")
    assert len(ticket["follow_token"]) >= 22 and "contact" not in ticket
    assert staff_store.get_ticket(ticket["id"])["contact"] == "ana.private@uni.example.edu"
    assert "ana.private" not in json.dumps(user_store.get_ticket(ticket["id"]))


def test_a_contact_that_is_no_address_is_shown_next_to_its_field(user_store):
    answer = new_ticket.submit({"description": "Broken chair", "contact": "not-an-address"}, user_store)
    assert answer.pathname is no_update and answer.invalid["contact"] and "e-mail" in answer.feedback["contact"]


def test_the_follow_page_shows_the_ticket_and_remembers_it(settings, user_store, staff_store, word):
    ticket = reported(user_store, word)
    staff_store.post_message(ticket["id"], "We ordered a new lock", "Marta")
    view = follow.follow_view(ticket["follow_token"], [], FollowClient(settings))
    assert view.alert is None and "We ordered a new lock" in rendered(view.thread)
    assert view.form_style == {} and view.rating_style == {"display": "none"}
    assert view.mine[0]["id"] == ticket["id"] and view.mine[0]["seen"] == 1


def test_an_unknown_link_says_so(settings):
    view = follow.follow_view("A" * 32, [], FollowClient(settings))
    assert "does not lead to a ticket" in rendered(view.alert) and view.mine is no_update


def test_a_closed_ticket_offers_the_rating_once(settings, user_store, staff_store, word):
    ticket = reported(user_store, word)
    for status in ("active", "closed"):
        staff_store.change_status(ticket["id"], status)
    client = FollowClient(settings)
    view = follow.follow_view(ticket["follow_token"], [], client)
    assert view.form_style == {"display": "none"} and view.rating_style == {}
    client.rate(ticket["follow_token"], 5)
    view = follow.follow_view(ticket["follow_token"], [], client)
    assert view.rating_style == {"display": "none"} and "5 of 5" in rendered(view.rated)


def test_my_tickets_counts_unread_staff_replies(settings, user_store, staff_store, word):
    ticket = reported(user_store, word)
    remembered = remember([], ticket, ticket["follow_token"], reported=True)
    assert "Open" in rendered(mine.mine_rows(remembered, FollowClient(settings)))
    staff_store.post_message(ticket["id"], "On it")
    staff_store.post_message(ticket["id"], "Fixed, please check")
    assert "2 new replies" in rendered(mine.mine_rows(remembered, FollowClient(settings)))
    seen = follow.follow_view(ticket["follow_token"], remembered, FollowClient(settings)).mine
    assert "new repl" not in rendered(mine.mine_rows(seen, FollowClient(settings)))
    assert "Nothing here yet" in rendered(mine.mine_rows([], FollowClient(settings)))


def test_the_ticket_page_shows_its_reporter_the_follow_link_with_copy_and_qr(user_store, word):
    ticket = reported(user_store, word)
    remembered = remember([], ticket, ticket["follow_token"], reported=True)
    card = rendered(follow.confirmation(ticket["id"], remembered, base="http://desk.example.edu"))
    assert f"http://desk.example.edu/follow/{ticket['follow_token']}" in card
    assert "data:image/svg+xml;base64," in card and "Clipboard" in card
    assert follow.confirmation(ticket["id"] + 1, remembered) is None


def test_location_codes_are_for_staff_and_open_the_prefilled_form():
    assert "made by helpdesk staff" in rendered(location_codes.code_card("Lab 2", "user"))
    card = rendered(location_codes.code_card("Building C, lab 2.14", "staff"))
    assert "/tickets/new?location=Building+C%2C+lab+2.14" in card and "location.png" in card
    assert location_url("Lab 2", "http://desk").endswith("/tickets/new?location=Lab+2")
    assert new_ticket.layout(location="Lab 2").to_plotly_json() and "Lab 2" in rendered(new_ticket.layout(location="Lab 2"))


def test_location_code_files_are_real_png_and_svg():
    import dash_app.app as web

    client = web.server.test_client()
    png = client.get("/qr/location.png?location=Lab%202")
    svg = client.get("/qr/location.svg?location=Lab%202")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get("/qr/location.svg").status_code == 400
