"""The aggregate endpoints: staff only, validated, exact, and described by the OpenAPI document."""
from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests

from ticket_store import create_app

from .conftest import CSV_HEADER, STAFF, USER, assert_error, matches_schema

NOT_CLOSED = "/api/v1/analytics/not-closed"
ACTIVE = "/api/v1/analytics/active"
RESOLUTION = "/api/v1/analytics/resolution"
ROUTES = [("get", NOT_CLOSED + "?since=2024-01-01T00:00:00Z", None), ("get", ACTIVE, None),
          ("post", RESOLUTION, {"edges": ["2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"]}),
          ("post", "/api/v1/analytics/service-levels", {"edges": ["2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"]})]
HISTORY = [  # category, status, opened_at, closed_at
    ("it", "closed", "2024-03-01T00:00:00Z", "2024-03-01T06:00:00Z"),
    ("it", "closed", "2024-03-10T12:00:00Z", "2024-03-12T12:00:00Z"),
    ("facility", "closed", "2024-03-20T08:00:00Z", "2024-03-20T09:30:00Z"),
    ("facility", "active", "2024-03-31T23:59:59.999999Z", ""),
    ("services", "open", "2024-04-01T00:00:00Z", ""),
    ("facility", "closed", "2024-04-02T00:00:00Z", "2024-06-01T00:00:00Z"),
    ("it", "active", "2024-04-15T00:00:00Z", ""),
]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hours(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


@pytest.fixture
def history(desk) -> list[tuple[str, str, str, str]]:
    lines = [f",Ticket {index},,,{category},{status},{opened},{closed}"
             for index, (category, status, opened, closed) in enumerate(HISTORY)]
    assert desk.import_csv(CSV_HEADER + "\n".join(lines) + "\n").status_code == 200
    return HISTORY


@pytest.mark.parametrize("method, path, body", ROUTES)
@pytest.mark.parametrize("role", [USER, {}])
def test_campus_users_cannot_read_analytics(client, method, path, body, role):
    assert_error(getattr(client, method)(path, json=body, headers=role), 403)


@pytest.mark.parametrize("method, path, body", ROUTES)
def test_analytics_need_the_token_when_one_is_set(tmp_path, method, path, body):
    guarded = create_app({"DB_PATH": str(tmp_path / "guarded.duckdb"), "API_TOKEN": "s3cret"}).test_client()
    assert_error(getattr(guarded, method)(path, json=body, headers=STAFF), 401)
    answer = getattr(guarded, method)(path, json=body, headers={**STAFF, "Authorization": "Bearer s3cret"})
    assert answer.status_code == 200


@pytest.mark.parametrize("path, field", [
    (NOT_CLOSED, "since"),
    (NOT_CLOSED + "?since=yesterday", "since"),
    (NOT_CLOSED + "?since=2024-01-01&until=2024-13-01", "until"),
    (NOT_CLOSED + "?since=2024-02-01T00:00:00Z&until=2024-01-01T00:00:00Z", "since"),
    (NOT_CLOSED + "?since=2024-01-01&status=open", "status"),
    (ACTIVE + "?at=soon", "at"),
    (ACTIVE + "?category=it", "category"),
])
def test_bad_query_parameters_are_422(client, path, field):
    body = assert_error(client.get(path, headers=STAFF), 422)
    assert [detail["field"] for detail in body["details"]] == [field]


@pytest.mark.parametrize("body, field", [
    ({}, "edges"),
    ({"edges": ["2024-01-01T00:00:00Z"]}, "edges"),
    ({"edges": ["2024-02-01T00:00:00Z", "2024-01-01T00:00:00Z"]}, "edges"),
    ({"edges": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"]}, "edges"),
    ({"edges": ["2024-01-01T00:00:00Z", 1706745600]}, "edges"),
    ({"edges": ["2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"], "at": "later"}, "at"),
    ({"edges": ["2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"], "group_by": "month"}, "group_by"),
    ({"edges": [f"{1900 + index // 12}-{index % 12 + 1:02d}-01T00:00:00Z" for index in range(1202)]}, "edges"),
])
def test_bad_resolution_questions_are_422(client, body, field):
    response = assert_error(client.post(RESOLUTION, json=body, headers=STAFF), 422)
    assert [detail["field"] for detail in response["details"]] == [field]


def test_resolution_question_must_be_json(client):
    assert_error(client.post(RESOLUTION, data=b"edges=1", content_type="application/json", headers=STAFF), 400)


def test_not_closed_counts_include_both_ends_of_the_period(client, history):
    answer = client.get(NOT_CLOSED + "?since=2024-03-31T23:59:59.999999Z&until=2024-04-15T00:00:00Z",
                        headers=STAFF).get_json()
    matches_schema("NotClosedCounts", answer)
    assert answer == {"since": "2024-03-31T23:59:59.999999Z", "until": "2024-04-15T00:00:00.000000Z", "count": 4,
                      "by_status": {"open": 1, "active": 3},
                      "by_category": {"facility": 2, "it": 1, "services": 1}}
    narrower = client.get(NOT_CLOSED + "?since=2024-04-01T00:00:00.000001Z&until=2024-04-14T23:59:59Z",
                          headers=STAFF).get_json()
    assert narrower["count"] == 1 and narrower["by_category"]["facility"] == 1


def test_ticket_closed_after_the_instant_was_not_closed_then(client, history):
    before = client.get(NOT_CLOSED + "?since=2024-04-02T00:00:00Z&until=2024-05-31T23:59:59Z", headers=STAFF)
    after = client.get(NOT_CLOSED + "?since=2024-04-02T00:00:00Z&until=2024-06-01T00:00:00Z", headers=STAFF)
    assert before.get_json()["by_status"] == {"open": 0, "active": 2}
    assert after.get_json()["by_status"] == {"open": 0, "active": 1}


def test_ticket_taken_up_after_the_instant_was_still_open_then(client, desk):
    ticket = desk.create("The projector in hall 2 shows no signal")
    time.sleep(0.01)
    between = datetime.now(timezone.utc)
    time.sleep(0.01)
    assert desk.move(ticket["id"], "active").status_code == 200
    since = "2000-01-01T00:00:00Z"
    then = client.get(NOT_CLOSED, query_string={"since": since, "until": iso(between)}, headers=STAFF).get_json()
    now = client.get(NOT_CLOSED, query_string={"since": since}, headers=STAFF).get_json()
    assert then["by_status"] == {"open": 1, "active": 0}
    assert now["by_status"] == {"open": 0, "active": 1}
    assert client.get(ACTIVE, query_string={"at": iso(between)}, headers=STAFF).get_json()["total"] == 0
    assert client.get(ACTIVE, headers=STAFF).get_json()["total"] == 1


def test_active_by_category_lists_every_category(client, history):
    answer = client.get(ACTIVE, headers=STAFF).get_json()
    matches_schema("ActiveByCategory", answer)
    assert answer["by_category"] == {"facility": 1, "it": 1, "services": 0} and answer["total"] == 2
    in_may = client.get(ACTIVE + "?at=2024-05-01T00:00:00Z", headers=STAFF).get_json()
    assert in_may["by_category"] == {"facility": 2, "it": 1, "services": 0}
    empty = client.get(ACTIVE + "?at=2020-01-01T00:00:00Z", headers=STAFF).get_json()
    assert empty["by_category"] == {"facility": 0, "it": 0, "services": 0} and empty["total"] == 0


def test_resolution_per_bucket_matches_the_history(client, history):
    edges = ["2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z", "2024-05-01T00:00:00Z"]
    answer = client.post(RESOLUTION, json={"edges": edges, "at": "2024-12-31T00:00:00Z"}, headers=STAFF).get_json()
    matches_schema("ResolutionBuckets", answer)
    february, march, april = answer["buckets"]
    assert february == {"start": "2024-02-01T00:00:00.000000Z", "end": "2024-03-01T00:00:00.000000Z", "opened": 0,
                        "closed": 0, "avg_resolution_hours": None, "median_resolution_hours": None}
    march_hours = [hours(opened, closed) for _, status, opened, closed in history[:3]]
    assert (march["opened"], march["closed"]) == (4, 3)
    assert march["avg_resolution_hours"] == pytest.approx(statistics.mean(march_hours))
    assert march["median_resolution_hours"] == pytest.approx(statistics.median(march_hours))
    assert (april["opened"], april["closed"]) == (3, 1)
    assert april["median_resolution_hours"] == pytest.approx(hours(*history[5][2:]))
    every_hours = march_hours + [hours(*history[5][2:])]
    overall = answer["overall"]
    assert (overall["start"], overall["end"], overall["opened"], overall["closed"]) == (
        "2024-02-01T00:00:00.000000Z", "2024-05-01T00:00:00.000000Z", 7, 4)
    assert overall["avg_resolution_hours"] == pytest.approx(statistics.mean(every_hours))
    assert overall["median_resolution_hours"] == pytest.approx(statistics.median(every_hours))


def test_resolution_counts_only_what_was_opened_and_closed_by_the_instant(client, history):
    edges = ["2024-03-01T00:00:00Z", "2024-05-01T00:00:00Z"]
    answer = client.post(RESOLUTION, json={"edges": edges, "at": "2024-03-12T12:00:00Z"}, headers=STAFF).get_json()
    (bucket,) = answer["buckets"]
    assert (bucket["opened"], bucket["closed"]) == (2, 2)
    assert bucket["avg_resolution_hours"] == pytest.approx((6 + 48) / 2)
    assert answer["overall"]["opened"] == 2


def test_many_buckets_are_assigned_exactly(client, history):
    """A hundred years of monthly edges: every ticket lands in the bucket holding its opening time."""
    edges = [datetime(1950 + index // 12, index % 12 + 1, 1) - timedelta(microseconds=1) for index in range(1201)]
    answer = client.post(RESOLUTION, json={"edges": [iso(edge) for edge in edges]}, headers=STAFF).get_json()
    opened = {bucket["start"]: bucket["opened"] for bucket in answer["buckets"] if bucket["opened"]}
    assert opened == {"2024-02-29T23:59:59.999999Z": 3, "2024-03-31T23:59:59.999999Z": 4}


def test_openapi_documents_the_aggregate_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get"} <= set(paths["/api/v1/analytics/not-closed"]) and "get" in paths["/api/v1/analytics/active"]
    resolution = paths["/api/v1/analytics/resolution"]["post"]
    assert {"200", "401", "403", "422"} <= set(resolution["responses"])


def test_aggregates_answer_while_tickets_are_written(store_server):
    """Readers in snapshots and group-committed writers share the store's threads without errors."""
    api = store_server.url + "/api/v1"

    def write(_: int) -> list[int]:
        with requests.Session() as session:
            statuses = []
            for _ in range(15):
                ticket = session.post(f"{api}/tickets", json={"description": "The heating is off"}, timeout=30)
                statuses.append(ticket.status_code)
                statuses.append(session.post(f"{api}/tickets/{ticket.json()['id']}/status", json={"status": "active"},
                                             headers=STAFF, timeout=30).status_code)
            return statuses

    def read(_: int) -> list[int]:
        with requests.Session() as session:
            return [session.get(f"{api}/analytics/{path}", params=params, headers=STAFF, timeout=30).status_code
                    for _ in range(15)
                    for path, params in (("active", {}), ("not-closed", {"since": "2000-01-01T00:00:00Z"}))]

    with ThreadPoolExecutor(6) as pool:
        writers = [pool.submit(write, index) for index in range(3)]
        readers = [pool.submit(read, index) for index in range(3)]
        assert {status for future in writers for status in future.result()} == {200, 201}
        assert {status for future in readers for status in future.result()} == {200}
    final = requests.get(f"{api}/analytics/active", headers=STAFF, timeout=30).json()
    assert final["total"] == 45
