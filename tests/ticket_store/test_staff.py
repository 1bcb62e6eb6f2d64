"""Staff own, prioritise and keep notes: the role rules of priority and assignee, filters, conflicts."""
from __future__ import annotations

import pytest

from .conftest import STAFF, USER, assert_error, if_match, matches_schema


def patch(client, ticket: dict, body: dict, role: dict = STAFF, version: int | None = None):
    return client.patch(f"/api/v1/tickets/{ticket['id']}", json=body,
                        headers={**role, **if_match(version or ticket["version"])})


def test_a_new_ticket_is_normal_unassigned_and_within_its_service_levels(desk):
    ticket = desk.create()
    matches_schema("Ticket", ticket)
    assert (ticket["priority"], ticket["assignee"], ticket["first_response_at"], ticket["sla_state"]) == (
        "normal", None, None, "ok")
    assert ticket["response_due_at"] > ticket["opened_at"] and ticket["resolution_due_at"] > ticket["response_due_at"]


@pytest.mark.parametrize("body", [
    {"priority": "urgent"}, {"priority": "nonsense"}, {"priority": None}, {"assignee": "Ana"}, {"assignee": None},
    {"assignee": 7}, {"title": "Cold", "priority": "high"}, {"assignee": "x" * 200},
])
def test_a_campus_user_who_sends_priority_or_assignee_is_refused_and_nothing_changes(client, desk, body):
    ticket = desk.create()
    error = assert_error(patch(client, ticket, body, USER), 403)
    assert "staff" in error["error"]
    assert desk.get(ticket["id"]) == ticket


@pytest.mark.parametrize("body", [{"priority": "normal"}, {"assignee": "Ana"}, {"sla_state": "ok"},
                                  {"first_response_at": "2024-01-01T00:00:00Z"}, {"response_due_at": "2030-01-01"}])
@pytest.mark.parametrize("role", [USER, STAFF])
def test_priority_assignee_and_service_levels_cannot_be_set_on_create(client, role, body):
    error = assert_error(client.post("/api/v1/tickets", json={"description": "Leak", **body}, headers=role), 422)
    assert list(body)[0] in error["error"]
    assert client.get("/api/v1/tickets", headers=STAFF).get_json()["total"] == 0


@pytest.mark.parametrize("body, field", [
    ({"priority": None}, "priority"), ({"priority": "asap"}, "priority"), ({"priority": 3}, "priority"),
    ({"assignee": "x" * 81}, "assignee"), ({"assignee": "Ana\x00"}, "assignee"), ({"assignee": ["Ana"]}, "assignee"),
])
def test_staff_get_422_for_a_bad_priority_or_assignee(client, desk, body, field):
    ticket = desk.create()
    error = assert_error(patch(client, ticket, body), 422)
    assert error["details"][0]["field"] == field
    assert desk.get(ticket["id"]) == ticket


def test_staff_assign_prioritise_and_unassign_and_the_history_says_so(client, desk):
    ticket = desk.create()
    taken = patch(client, ticket, {"assignee": "  Ana Rossi ", "priority": "urgent"}).get_json()
    assert (taken["assignee"], taken["priority"], taken["version"]) == ("Ana Rossi", "urgent", 2)
    matches_schema("Ticket", taken)
    released = patch(client, taken, {"assignee": ""}).get_json()
    assert released["assignee"] is None and released["version"] == 3
    kinds = [(event["kind"], event["old"], event["new"]) for event in
             client.get(f"/api/v1/tickets/{ticket['id']}/events", headers=STAFF).get_json()["items"]]
    assert ("assigned", {"assignee": None}, {"assignee": "Ana Rossi"}) in kinds
    assert ("priority_changed", {"priority": "normal"}, {"priority": "urgent"}) in kinds
    assert ("assigned", {"assignee": "Ana Rossi"}, {"assignee": None}) in kinds
    # A user still sees who owns the ticket and how urgent it is, and may edit the text.
    assert desk.get(ticket["id"], USER)["priority"] == "urgent"
    assert patch(client, released, {"title": "Cold radiator"}, USER).status_code == 200


def test_two_staff_taking_the_same_ticket_from_one_version_one_wins(client, desk):
    ticket = desk.create()
    assert patch(client, ticket, {"assignee": "Ana"}).status_code == 200
    error = assert_error(patch(client, ticket, {"assignee": "Bo"}), 412)
    assert "assignee" in error["error"] and error["current"]["assignee"] == "Ana"
    # A change of another field from the same old version still applies.
    assert patch(client, ticket, {"priority": "high"}).get_json()["priority"] == "high"


def test_a_closed_ticket_cannot_be_assigned_or_prioritised(client, desk):
    ticket = desk.ticket_in("closed")
    assert_error(patch(client, ticket, {"assignee": "Ana"}), 409)
    assert_error(patch(client, ticket, {"priority": "low"}), 409)


def test_list_filters_by_priority_and_assignee(client, desk):
    first, second, third = desk.create("Leak one"), desk.create("Leak two"), desk.create("Leak three")
    patch(client, first, {"priority": "high", "assignee": "Ana"})
    patch(client, second, {"priority": "urgent"})

    def ids(query: str, role: dict = STAFF) -> list[int]:
        response = client.get(f"/api/v1/tickets?sort=id&{query}", headers=role)
        assert response.status_code == 200, response.get_json()
        return [ticket["id"] for ticket in response.get_json()["items"]]

    assert ids("priority=high,urgent") == [first["id"], second["id"]]
    assert ids("priority=normal") == [third["id"]]
    assert ids("assignee=Ana") == [first["id"]]
    assert ids("assignee=none") == [second["id"], third["id"]]
    assert ids("assignee=Bo") == []
    assert ids("assignee=Ana&priority=urgent") == []
    assert ids("priority=high", USER) == [first["id"]]
    assert_error(client.get("/api/v1/tickets?priority=asap", headers=STAFF), 422)
    assert_error(client.get("/api/v1/tickets?sla=late", headers=STAFF), 422)
    assert_error(client.get(f"/api/v1/tickets?assignee={'x' * 81}", headers=STAFF), 422)


def test_the_document_describes_the_new_fields_and_filters(client):
    document = client.get("/api/v1/openapi.json").get_json()
    ticket = document["components"]["schemas"]["Ticket"]["properties"]
    assert {"priority", "assignee", "first_response_at", "response_due_at", "resolution_due_at", "sla_state"} <= set(
        ticket)
    assert "internal" in document["components"]["schemas"]["Message"]["properties"]
    assert "internal" in document["components"]["schemas"]["MessageCreate"]["properties"]
    names = {parameter["name"] for parameter in document["paths"]["/api/v1/tickets"]["get"]["parameters"]
             if "name" in parameter}
    assert {"priority", "assignee", "sla"} <= names
    assert "post" in document["paths"]["/api/v1/tickets/bulk"]
