"""POST /tickets/bulk: one action, each ticket under its own rules, one result per id."""
from __future__ import annotations

import pytest

from .conftest import STAFF, USER, assert_error, matches_schema

BULK = "/api/v1/tickets/bulk"


def bulk(client, ids, action, value, role=STAFF):
    return client.post(BULK, json={"ids": ids, "action": action, "value": value}, headers=role)


@pytest.fixture
def mix(desk) -> dict[str, dict]:
    return {status: desk.ticket_in(status) for status in ("open", "active", "closed")}


def test_moving_a_mix_changes_what_the_workflow_allows_and_says_why_for_the_rest(client, desk, mix):
    ids = [mix["open"]["id"], mix["active"]["id"], mix["closed"]["id"], 999]
    response = bulk(client, ids, "status", "active")
    assert response.status_code == 200
    body = response.get_json()
    matches_schema("BulkResults", body)
    assert [(result["id"], result["status"]) for result in body["results"]] == [
        (ids[0], 200), (ids[1], 409), (ids[2], 409), (999, 404)]
    assert (body["changed"], body["refused"]) == (1, 3)
    assert "only move to closed" in body["results"][1]["error"]
    assert "final" in body["results"][2]["error"] and "#999" in body["results"][3]["error"]
    assert body["results"][0]["version"] == mix["open"]["version"] + 1
    assert desk.get(ids[0])["status"] == "active"
    assert desk.get(ids[1]) == mix["active"] and desk.get(ids[2]) == mix["closed"]


@pytest.mark.parametrize("action, value, field", [("priority", "urgent", "priority"), ("assignee", "Ana", "assignee"),
                                                  ("assignee", None, "assignee")])
def test_assigning_or_prioritising_many_skips_closed_tickets(client, desk, mix, action, value, field):
    ids = [ticket["id"] for ticket in mix.values()]
    results = bulk(client, ids, action, value).get_json()["results"]
    assert [result["status"] for result in results] == [200, 200, 409]
    assert [desk.get(ticket_id)[field] for ticket_id in ids[:2]] == [value, value]
    assert desk.get(ids[2]) == mix["closed"]
    history = client.get(f"/api/v1/tickets/{ids[0]}/events", headers=STAFF).get_json()["items"]
    assert history[-1]["kind"] == ("priority_changed" if action == "priority" else "assigned") or value is None


def test_the_same_id_twice_is_answered_twice_in_order(client, desk):
    ticket = desk.create()
    results = bulk(client, [ticket["id"], ticket["id"]], "status", "active").get_json()["results"]
    assert [result["status"] for result in results] == [200, 409]


@pytest.mark.parametrize("role", [USER, {}])
def test_campus_users_cannot_change_in_bulk(client, desk, role):
    ticket = desk.create()
    assert_error(bulk(client, [ticket["id"]], "priority", "high", role), 403)
    assert_error(bulk(client, [ticket["id"]], "priority", "nonsense", role), 403)  # 403 before 422
    assert desk.get(ticket["id"]) == ticket


@pytest.mark.parametrize("body, field", [
    ({"ids": [], "action": "status", "value": "active"}, "ids"),
    ({"ids": list(range(1, 502)), "action": "status", "value": "active"}, "ids"),
    ({"ids": [1], "action": "delete", "value": None}, "action"),
    ({"ids": [1], "action": "status", "value": "open"}, "value"),
    ({"ids": [1], "action": "priority", "value": None}, "value"),
    ({"ids": [1], "action": "assignee", "value": "x" * 81}, "value"),
    ({"ids": ["1"], "action": "status", "value": "active"}, "ids"),
    ({"ids": [0], "action": "status", "value": "active"}, "ids"),
    ({"ids": [1], "action": "status"}, "value"),
    ({"ids": [1], "action": "status", "value": "active", "extra": 1}, "extra"),
])
def test_a_bad_bulk_request_is_422_and_changes_nothing(client, desk, body, field):
    ticket = desk.create()
    error = assert_error(client.post(BULK, json=body, headers=STAFF), 422)
    assert error["details"][0]["field"] == field
    assert desk.get(ticket["id"]) == ticket


def test_malformed_json_is_400(client):
    assert_error(client.post(BULK, data=b"{", content_type="application/json", headers=STAFF), 400)


def test_five_hundred_tickets_in_one_request(client, desk):
    csv = "title,description,location,reporter,category,status,opened_at,closed_at\n" + "".join(
        f",Leak {index},,,facility,open,2025-01-01T00:00:00Z,\n" for index in range(500))
    assert desk.import_csv(csv).status_code == 200
    response = bulk(client, list(range(1, 501)), "assignee", "Ana")
    body = response.get_json()
    assert body["changed"] == 500 and {result["status"] for result in body["results"]} == {200}
    assert client.get("/api/v1/tickets?assignee=Ana&limit=1", headers=STAFF).get_json()["total"] == 500
