"""The web app sends the person's display name, and the history shows it beside the role."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from dash_app.pages.ticket.views import actor_text, history_view
from dash_app.present import event_sentence
from dash_app.session import store_for
from dash_app.store_client import StoreClient, name_header


@pytest.mark.parametrize(("name", "sent"), [
    ("Ana", "Ana"),
    ("  José Muñoz ", "Jos%C3%A9%20Mu%C3%B1oz"),
    ("Ana\nBob\x00", "Ana%20Bob"),
    ("   ", None),
    (None, None),
    ("x" * 100, "x" * 80),
])
def test_the_name_header_is_one_plain_line(name, sent):
    assert name_header(name) == sent


@pytest.mark.parametrize("name", ["José Muñoz", "Ana\nBob", "李 明", "x" * 100])
def test_the_store_records_what_the_client_sends(settings, name):
    staff = StoreClient("staff", settings, name=name)
    ticket = StoreClient("user", settings, name=name).create_ticket(description="The lift in block C is stuck")
    staff.change_status(ticket["id"], "active")
    events = staff.list_events(ticket["id"])
    expected = " ".join(name.split())[:80]
    assert [(event["kind"], event["name"]) for event in events] == [("created", expected), ("status_changed", expected)]


def test_the_session_name_goes_with_every_request():
    assert store_for({"role": "staff", "name": "Ana"}).name == "Ana"
    assert store_for({"role": "user"}).name is None


def test_the_history_says_who_did_it():
    events = [
        {"id": 1, "at": "2025-01-15T10:30:00Z", "role": "staff", "kind": "status_changed", "name": "Ana",
         "old": {"status": "open"}, "new": {"status": "active"}},
        {"id": 2, "at": "2025-01-15T10:31:00Z", "role": "user", "kind": "created", "name": None, "new": {}},
    ]
    assert [actor_text(event) for event in events] == ["Ana (helpdesk staff)", "Campus user"]
    assert "Ana (helpdesk staff)" in str(history_view(events, ZoneInfo("Europe/Rome")))


def test_a_recheck_after_an_edit_is_told_apart_from_a_correction():
    recheck = {"kind": "category_changed", "old": {"category": "services", "category_source": "auto"},
               "new": {"category": "it", "category_source": "auto", "category_confidence": 0.83}}
    correction = {"kind": "category_changed", "old": {"category": "services"},
                  "new": {"category": "it", "category_source": "staff"}}
    assert event_sentence(recheck) == "Category re-checked after the edit: Services complaints → Technical IT (83 % confidence)"
    assert event_sentence(correction) == "Category changed: Services complaints → Technical IT"
