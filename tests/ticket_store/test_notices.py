"""Known-issue notices: staff publish them, people see the ones matching what they are about to report."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from .conftest import STAFF, USER, assert_error, matches_schema


def publish(client, role: dict = STAFF, **fields):
    return client.post("/api/v1/notices", json=fields, headers=role)


def shown(client, **query) -> list[str]:
    answer = client.get("/api/v1/notices", query_string=query, headers=USER)
    assert answer.status_code == 200
    matches_schema("NoticeList", answer.get_json())
    return [notice["text"] for notice in answer.get_json()["items"]]


WIFI = "Wi-Fi in the main library is down, we're on it"
HEATING = "The heating in building B is being repaired until Friday"


@pytest.fixture
def notices(client, desk):
    ticket = desk.create("No wifi in the library")
    wifi = publish(client, text=WIFI, category="it", location="Main library", ticket_id=ticket["id"])
    assert wifi.status_code == 201
    matches_schema("Notice", wifi.get_json())
    assert publish(client, text=HEATING, category="facility", location="Building B").status_code == 201
    return {"ticket": ticket, "wifi": wifi.get_json()}


def test_everyone_sees_the_active_notices(client, notices):
    assert shown(client) == [HEATING, WIFI]


@pytest.mark.parametrize("query, expected", [
    ({"text": "wifi keeps disconnecting"}, [WIFI]),
    ({"text": "WIFI not working", "location": "main library"}, [WIFI]),
    ({"text": "wi-fi is slow", "location": "Science building"}, []),
    ({"text": "wifi", "category": "facility"}, []),
    ({"text": "radiator cold, heating off", "location": "building B room 12"}, [HEATING]),
    ({"location": "Main library"}, [WIFI]),
    ({"text": "the printer is out of toner"}, []),
    ({"text": "my problem is not working"}, []),
])
def test_only_matching_notices_are_shown(client, notices, query, expected):
    assert shown(client, **query) == expected


def test_withdrawn_expired_and_resolved_notices_disappear(client, desk, notices):
    soon = datetime.now(timezone.utc) + timedelta(seconds=3)
    assert publish(client, text="Lifts in building C are serviced this morning", expires_at=soon.isoformat()).status_code \
        == 201
    assert "Lifts in building C are serviced this morning" in shown(client)
    time.sleep(max(0.0, (soon - datetime.now(timezone.utc)).total_seconds()) + 0.1)
    assert "Lifts in building C are serviced this morning" not in shown(client)
    heating = [n for n in client.get("/api/v1/notices").get_json()["items"] if n["text"] == HEATING][0]
    assert client.delete(f"/api/v1/notices/{heating['id']}", headers=STAFF).status_code == 204
    assert_error(client.delete(f"/api/v1/notices/{heating['id']}", headers=STAFF), 404)
    assert shown(client) == [WIFI]
    desk.move(notices["ticket"]["id"], "active"), desk.move(notices["ticket"]["id"], "closed")
    assert shown(client) == []  # the problem the notice was published from is solved


def test_only_staff_publish_and_withdraw(client, notices):
    assert_error(publish(client, role=USER, text="Free coffee"), 403)
    assert_error(client.delete(f"/api/v1/notices/{notices['wifi']['id']}", headers=USER), 403)
    assert_error(client.delete("/api/v1/notices/999", headers=STAFF), 404)
    assert WIFI in shown(client)


@pytest.mark.parametrize("fields", [
    {}, {"text": "   "}, {"text": "x" * 501}, {"text": "ok", "category": "food"}, {"text": "ok", "ticket_id": 999},
    {"text": "ok", "expires_at": "2001-01-01T00:00:00Z"}, {"text": "ok", "expires_at": "soon"},
    {"text": "ok", "colour": "red"}, {"text": "a\x00b"}, {"text": "ok", "location": "x" * 201},
])
def test_bad_notices_are_422_and_change_nothing(client, fields):
    assert_error(publish(client, **fields), 422)
    assert shown(client) == []


def test_a_bad_notice_query_is_422(client):
    assert_error(client.get("/api/v1/notices?category=food"), 422)
    assert_error(client.get("/api/v1/notices?colour=red"), 422)


def test_withdrawing_a_notice_id_beyond_any_integer_is_a_404(client):
    """Found by the long fuzz: an id past 2**63 was a 500 from DuckDB's comparison (with a notice to compare)."""
    assert publish(client, text="The lifts in building C are out of order").status_code == 201
    for notice_id in (2**63, 186417145416100987524558164878421917696):
        assert_error(client.delete(f"/api/v1/notices/{notice_id}", headers=STAFF), 404)


@pytest.mark.parametrize("path", ["/api/v1/tickets/{}", "/api/v1/tickets/{}/messages", "/api/v1/attachments/{}",
                                  "/api/v1/attachments/{}/thumbnail"])
def test_an_id_beyond_any_integer_is_a_404_on_every_route(client, path):
    """An id past 2**63 was a 500 from DuckDB's comparison on each route that reads by id (with rows to compare)."""
    ticket = client.post("/api/v1/tickets", json={"description": "The door of room 9 is stuck"}).get_json()
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=STAFF).status_code == 200
    for number in (2**63, 186417145416100987524558164878421917696):
        assert_error(client.get(path.format(number), headers=STAFF), 404)
