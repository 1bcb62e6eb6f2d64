"""Bad input is never a 500 (SPEC §7.5): lone surrogates, deep nesting, duplicate keys, content types,
invisible text, repeated parameters, non-ASCII digits, "//" paths and oversized chunked bodies."""
from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
import requests

from tests.ticket_store.conftest import STAFF, assert_error

JSON = "application/json"
NDJSON = "application/x-ndjson"
SURROGATE = '{"%s": "\\ud800 x"}'
INVISIBLE_ONLY = ["\u200b", "\ufeff\u2060\u200d", "\u3164", " \u115f\u1160\uffa0 ", "\u202e\u2066", "\ufe0f\U000e0100",
                  "\u00ad\n\u200c", "\U000e0041\U000e007f"]


def nested(depth: int, leaf: str = '"x"') -> str:
    return "[" * depth + leaf + "]" * depth


@pytest.fixture
def ticket(client) -> dict[str, Any]:
    """A ticket as staff read it later (the follow token is answered once, at creation)."""
    created = client.post("/api/v1/tickets", json={"description": "The lab printer jams"}).get_json()
    created.pop("follow_token")
    return created


def json_routes(ticket_id: int) -> list[tuple[str, str, str]]:
    """Every route that reads a JSON body: method, path, the text field it needs."""
    return [("POST", "/api/v1/tickets", "description"), ("PATCH", f"/api/v1/tickets/{ticket_id}", "description"),
            ("POST", f"/api/v1/tickets/{ticket_id}/messages", "body"), ("POST", "/api/v1/categorize", "text"),
            ("POST", f"/api/v1/tickets/{ticket_id}/status", "status"),
            ("POST", "/api/v1/analytics/resolution", "edges")]


def send(client, method: str, path: str, body: bytes | str, content_type: str | None = JSON):
    headers = {**STAFF, "If-Match": "*"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return client.open(path, method=method, data=body, headers=headers)


def unchanged(client, ticket: dict[str, Any], count: int) -> None:
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=STAFF).get_json() == ticket
    assert client.get("/api/v1/tickets", query_string={"limit": 1}, headers=STAFF).get_json()["total"] == count
    assert client.get(f"/api/v1/tickets/{ticket['id']}/messages", headers=STAFF).get_json()["items"] == []


@pytest.mark.parametrize("case", ["surrogate", "depth-33", "depth-10000", "duplicate-key", "nan"])
def test_malformed_json_is_400_in_words_on_every_json_route_and_changes_nothing(client, ticket, case):
    for method, path, field in json_routes(ticket["id"]):
        body = {"surrogate": SURROGATE % field,
                "depth-33": json.dumps({field: "x", "location": "y"})[:-1] + ', "reporter": ' + nested(32) + "}",
                "depth-10000": '{"%s": %s}' % (field, nested(10_000)),
                "duplicate-key": '{"%s": "a", "%s": "b"}' % (field, field),
                "nan": '{"%s": NaN}' % field}[case]
        answer = assert_error(send(client, method, path, body), 400)
        assert answer["error"].startswith("The request body is not valid JSON: "), (path, answer)
        reason = {"surrogate": "lone surrogate", "depth-33": "nested deeper than 32 levels",
                  "depth-10000": "nested deeper than 32 levels", "duplicate-key": f'"{field}" appears more than once',
                  "nan": "NaN is not a JSON value"}[case]
        assert reason in answer["error"], (path, answer)
    unchanged(client, ticket, 1)


def test_nesting_of_32_levels_is_read(client):
    assert client.post("/api/v1/categorize", data='{"text": "wifi", "x": %s}' % nested(31),
                       content_type=JSON).status_code == 422  # read, then refused for the unknown field


@pytest.mark.parametrize("line", [SURROGATE % "description", '{"description": %s}' % nested(10_000),
                                  '{"description": "a", "description": "b"}', '{"description": NaN}'])
def test_malformed_ndjson_line_is_refused_with_the_same_reason_and_imports_nothing(client, ticket, line):
    body = '{"description": "fine", "status": "open", "opened_at": "2024-01-01T00:00:00Z"}\n' + line + "\n"
    answer = assert_error(send(client, "POST", "/api/v1/import", body, NDJSON), 422)
    assert answer["error"].startswith("Nothing was imported: row 2: the line is not valid JSON: "), answer
    single = assert_error(send(client, "POST", "/api/v1/categorize", line.replace("description", "text")), 400)
    same = answer["error"].split("JSON: ")[1].replace('"description"', '"text"')
    assert same == single["error"].split("JSON: ")[1]  # the same sentence
    unchanged(client, ticket, 1)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonp", "text/json"])
def test_json_routes_require_application_json(client, ticket, content_type):
    for method, path, field in json_routes(ticket["id"]):
        value = "active" if field == "status" else ["2024-01-01T00:00:00Z"] if field == "edges" else "New words"
        answer = assert_error(send(client, method, path, json.dumps({field: value}), content_type), 415)
        assert "application/json" in answer["error"]
    unchanged(client, ticket, 1)


def test_a_charset_parameter_is_allowed(client):
    answer = client.post("/api/v1/tickets", data='{"description": "Café door stuck"}'.encode(),
                         content_type="application/json; charset=utf-8")
    assert answer.status_code == 201 and answer.get_json()["description"] == "Café door stuck"


@pytest.mark.parametrize("text", INVISIBLE_ONLY)
def test_text_made_only_of_invisible_characters_is_empty(client, ticket, text):
    for method, path, field in json_routes(ticket["id"])[:4]:
        answer = assert_error(send(client, method, path, json.dumps({field: text})), 422)
        assert answer["details"][0] == {"field": field, "message": f"{field} must not be empty."}
    # An optional text that shows nothing is not given, as an empty one.
    created = client.post("/api/v1/tickets", json={"description": "Lift stuck", "title": text, "location": text,
                                                   "reporter": text}).get_json()
    assert (created["title"], created["location"], created["reporter"]) == (None, None, None)
    csv_row = f'"{text}","{text}",,,,open,2024-01-01T00:00:00Z,\n'
    imported = client.post("/api/v1/import", data=("title,description,location,reporter,category,status,opened_at,"
                                                   "closed_at\n" + csv_row).encode(), content_type="text/csv",
                           headers=STAFF)
    assert assert_error(imported, 422)["details"][0] == {"row": 1, "field": "description", "message": (
        "description is required (it is empty or shows nothing)")}
    line = json.dumps({"description": text, "status": "open", "opened_at": "2024-01-01T00:00:00Z"})
    assert assert_error(send(client, "POST", "/api/v1/import", line, NDJSON), 422)["details"][0]["row"] == 1
    assert client.get("/api/v1/tickets", query_string={"limit": 1}, headers=STAFF).get_json()["total"] == 2


def test_invisible_title_in_an_import_is_no_title(client):
    line = json.dumps({"title": "\u200b\u200d", "description": "Heating off", "location": "\u3164",
                       "status": "open", "opened_at": "2024-01-01T00:00:00Z"})
    assert send(client, "POST", "/api/v1/import", line, NDJSON).get_json() == {"imported": 1}
    ticket = client.get("/api/v1/tickets", headers=STAFF).get_json()["items"][0]
    assert (ticket["title"], ticket["location"], ticket["description"]) == (None, None, "Heating off")


def test_visible_text_with_invisible_characters_is_kept_exactly(client):
    text = "Door\u200d 3\ufe0f \u202eB"
    assert client.post("/api/v1/tickets", json={"description": text}).get_json()["description"] == text


@pytest.mark.parametrize("query", ["limit=1&limit=2", "status=open&status=closed", "q=a&q=b"])
def test_a_repeated_query_parameter_is_400_naming_it(client, query):
    answer = assert_error(client.get(f"/api/v1/tickets?{query}", headers=STAFF), 400)
    name = query.split("=")[0]
    assert answer["details"][0]["field"] == name and f"parameter {name} is given 2 times" in answer["error"]


@pytest.mark.parametrize("digits", ["１", "١", "१", "𝟏", "1１"])
def test_ticket_ids_in_other_digits_are_a_json_404(client, ticket, digits):
    for path in (f"/api/v1/tickets/{digits}", f"/api/v1/tickets/{digits}/messages"):
        assert_error(client.get(path, headers=STAFF), 404)
    assert_error(client.patch(f"/api/v1/tickets/{digits}", json={"title": "x"}, headers={**STAFF, "If-Match": "*"}),
                 404)
    unchanged(client, ticket, 1)


@pytest.fixture(scope="module")
def real_store(tmp_path_factory) -> Iterator[Any]:
    from harness.processes import store_process
    server = store_process(tmp_path_factory.mktemp("bad-input") / "helpdesk.duckdb").start()
    yield server
    server.stop()


@pytest.mark.parametrize("path", ["//api/v1/tickets", "/api/v1//tickets", "/api//v1/tickets/1", "/api/v1/tickets//1"])
def test_double_slash_paths_are_a_json_404_not_a_redirect(real_store, path):
    answer = requests.get(real_store.url + path, headers={"Host": "evil.example"}, allow_redirects=False, timeout=10)
    assert answer.headers["Content-Type"] == JSON and "Location" not in answer.headers, answer.text
    assert "evil" not in answer.text
    if path.startswith("//"):  # some HTTP servers read a leading "//" as "/" before the app sees it
        assert answer.status_code in (200, 404), answer.text
    else:
        assert answer.status_code == 404 and answer.json()["status"] == 404, answer.text


def test_chunked_body_over_the_limit_is_413_and_changes_nothing(real_store):
    before = requests.get(f"{real_store.url}/api/v1/tickets", params={"limit": 1}, headers=STAFF, timeout=10).json()

    def chunks() -> Iterator[bytes]:  # no Content-Length: requests sends a generator chunked
        yield b'{"description": "'
        for _ in range(24):
            yield b"x" * 65536
        yield b'"}'
    answer = requests.post(f"{real_store.url}/api/v1/tickets", data=chunks(), headers={"Content-Type": JSON}, timeout=30)
    assert answer.status_code == 413, answer.text
    assert answer.json()["status"] == 413 and answer.json()["error"].endswith(".")
    small = requests.post(f"{real_store.url}/api/v1/tickets", data=iter([b'{"description": "chunked and small"}']),
                          headers={"Content-Type": JSON}, timeout=10)
    assert small.status_code == 201 and small.json()["id"] == before["total"] + 1
