"""An edit re-checks an automatic category; every history entry names who did it (X-Helpdesk-Name)."""
from __future__ import annotations

import pytest

from .conftest import STAFF, USER, assert_error, if_match, matches_schema

SOUP = {"title": "Cold soup", "description": "The soup in the canteen was cold again at lunch"}
EDUROAM = {"title": "eduroam and VPN", "description": "I cannot connect to eduroam and the VPN client fails to log in"}


def categorized(client, fields: dict) -> dict:
    return client.post("/api/v1/categorize", json={"text": f"{fields['title']}\n{fields['description']}"}).get_json()


def events(client, ticket_id: int) -> list[dict]:
    body = client.get(f"/api/v1/tickets/{ticket_id}/events", headers=STAFF).get_json()
    matches_schema("EventList", body)
    return body["items"]


class TestAnEditRechecksTheCategory:
    def test_an_automatic_category_follows_the_edited_text(self, client, desk):
        ticket = desk.create(**SOUP)
        assert ticket["category"] == "services"
        expected = categorized(client, EDUROAM)
        assert expected["category"] == "it"
        response = client.patch(f"/api/v1/tickets/{ticket['id']}", json=EDUROAM,
                                headers={**USER, **if_match(ticket["version"])})
        assert response.status_code == 200, response.get_json()
        edited = response.get_json()
        matches_schema("Ticket", edited)
        assert (edited["category"], edited["category_source"], edited["category_confidence"]) == (
            "it", "auto", expected["confidence"])
        assert edited["version"] == ticket["version"] + 1
        change = [event for event in events(client, ticket["id"]) if event["kind"] == "category_changed"]
        assert len(change) == 1
        assert change[0]["role"] == "user"
        assert change[0]["old"] == {"category": "services", "category_source": "auto",
                                    "category_confidence": ticket["category_confidence"]}
        assert change[0]["new"] == {"category": "it", "category_source": "auto",
                                    "category_confidence": expected["confidence"]}

    def test_the_category_is_that_of_the_text_as_saved_after_another_edit(self, client, desk):
        ticket = desk.create(**SOUP)
        client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "Soup and network"},
                     headers={**USER, **if_match(ticket["version"])})
        # an edit of the description by someone who read version 1: the title changed meanwhile
        edited = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"description": EDUROAM["description"]},
                              headers={**USER, **if_match(ticket["version"])}).get_json()
        saved = {"title": "Soup and network", "description": EDUROAM["description"]}
        expected = categorized(client, saved)
        assert (edited["title"], edited["description"]) == (saved["title"], saved["description"])
        assert (edited["category"], edited["category_confidence"]) == (expected["category"], expected["confidence"])
        assert expected["confidence"] != categorized(client, {**SOUP, **EDUROAM, "title": SOUP["title"]})["confidence"]

    def test_a_staff_correction_stays_when_the_text_changes(self, client, desk):
        ticket = desk.create(**SOUP)
        corrected = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"category": "facility"},
                                 headers={**STAFF, **if_match(ticket["version"])}).get_json()
        edited = client.patch(f"/api/v1/tickets/{ticket['id']}", json=EDUROAM,
                              headers={**USER, **if_match(corrected["version"])}).get_json()
        assert (edited["category"], edited["category_source"]) == ("facility", "staff")
        assert [event["kind"] for event in events(client, ticket["id"])].count("category_changed") == 1

    def test_an_edit_of_the_location_keeps_the_category(self, client, desk):
        ticket = desk.create(**SOUP)
        edited = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"location": "Canteen, ground floor"},
                              headers={**USER, **if_match(ticket["version"])}).get_json()
        assert (edited["category"], edited["category_confidence"]) == (ticket["category"],
                                                                       ticket["category_confidence"])
        assert "category_changed" not in [event["kind"] for event in events(client, ticket["id"])]

    def test_a_recheck_is_not_learnt_as_a_correction(self, client, desk):
        ticket = desk.create(**SOUP)
        client.patch(f"/api/v1/tickets/{ticket['id']}", json=EDUROAM, headers={**USER, **if_match(ticket["version"])})
        # the categorizer learns only from staff: the same soup text still reads as services
        assert categorized(client, SOUP)["category"] == "services"
        assert desk.create(**SOUP)["category_confidence"] == ticket["category_confidence"]


class TestTheHistoryNamesWhoDidIt:
    def test_every_change_records_the_display_name(self, client, desk):
        created = client.post("/api/v1/tickets", json=SOUP, headers={**USER, "X-Helpdesk-Name": "Ana"}).get_json()
        staff = {**STAFF, "X-Helpdesk-Name": "Jos%C3%A9 Mu%C3%B1oz"}  # percent-encoded UTF-8: José Muñoz
        assert desk.move(created["id"], "active").status_code == 200  # no name sent
        moved = desk.get(created["id"])
        client.post(f"/api/v1/tickets/{created['id']}/messages", json={"body": "On it"}, headers=staff)
        client.patch(f"/api/v1/tickets/{created['id']}", json={"category": "facility"},
                     headers={**staff, **if_match(moved["version"] + 1)})
        history = events(client, created["id"])
        assert [(event["kind"], event["role"], event["name"]) for event in history] == [
            ("created", "user", "Ana"), ("status_changed", "staff", None),
            ("message_posted", "staff", "José Muñoz"), ("category_changed", "staff", "José Muñoz")]

    def test_a_message_without_the_header_names_its_author(self, client, desk):
        ticket = desk.create()
        client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "Hi", "author_name": "Li"}, headers=USER)
        assert events(client, ticket["id"])[-1]["name"] == "Li"

    def test_the_name_is_trimmed_and_an_empty_one_is_none(self, client):
        for sent, kept in (("  Ana  ", "Ana"), ("   ", None)):
            ticket = client.post("/api/v1/tickets", json=SOUP, headers={"X-Helpdesk-Name": sent}).get_json()
            assert events(client, ticket["id"])[0]["name"] == kept

    @pytest.mark.parametrize("name", ["x" * 81, "Ana%0ABob", "%C3", "%00"])
    def test_a_bad_name_is_400_and_changes_nothing(self, client, desk, name):
        before = desk.count()
        body = assert_error(client.post("/api/v1/tickets", json=SOUP, headers={"X-Helpdesk-Name": name}), 400)
        assert body["details"] == [{"field": "X-Helpdesk-Name", "message": "must be plain text of at most 80 characters."}]
        assert desk.count() == before

    def test_the_header_is_in_the_openapi_document(self, client):
        document = client.get("/api/v1/openapi.json").get_json()
        assert document["components"]["parameters"]["Name"]["name"] == "X-Helpdesk-Name"
        patch = document["paths"]["/api/v1/tickets/{ticket_id}"]["patch"]
        assert {"$ref": "#/components/parameters/Name"} in patch["parameters"]
        assert "name" in document["components"]["schemas"]["Event"]["properties"]
