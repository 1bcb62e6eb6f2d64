"""Property tests of the JSON a client may send: nesting, lone surrogates, duplicate keys, content types and
invisible text. Each class is refused in words (400, 415 or 422) exactly when it should be, never with a 500,
and a refused body changes nothing. Deterministic (derandomized)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticket_store import create_app

STAFF = {"X-Helpdesk-Role": "staff"}
SETTINGS = settings(max_examples=120, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MAX_DEPTH = 32
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u202a\u202e\u2066\u2069\u00ad\u061c\u180e\u3164\u115f\u1160\uffa0\ufe0f" \
            "\U000e0001\U000e0041\U000e0100\U0001d173"
WHITE = " \t\n\r\xa0\u2003\u3000\u2028"


@dataclass
class Obj:
    """A JSON object as its pairs, so a key may appear twice."""

    pairs: list[tuple[str, Any]]


@dataclass
class Wrapped:
    """*value* inside *depth* arrays (written without recursion, so thousands of levels stay cheap)."""

    value: Any
    depth: int


def dump(value: Any) -> str:
    """Write *value* as JSON text (surrogates as \\uXXXX escapes, objects pair by pair)."""
    if isinstance(value, Wrapped):
        return "[" * value.depth + dump(value.value) + "]" * value.depth
    if isinstance(value, Obj):
        return "{" + ", ".join(f"{json.dumps(key)}: {dump(item)}" for key, item in value.pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dump(item) for item in value) + "]"
    return json.dumps(value)


def problems(value: Any, depth: int = 0) -> set[str]:
    """Return which rules *value* breaks: "depth", "surrogate", "duplicate"."""
    found: set[str] = set()
    if isinstance(value, Wrapped):
        return ({"depth"} if depth + value.depth > MAX_DEPTH else set()) | problems(value.value, depth + value.depth)
    if isinstance(value, (Obj, list)):
        if depth >= MAX_DEPTH:
            found.add("depth")
        children = [item for _, item in value.pairs] if isinstance(value, Obj) else value
        if isinstance(value, Obj):
            keys = [key for key, _ in value.pairs]
            if len(set(json.loads(json.dumps(key)) for key in keys)) != len(keys):
                found.add("duplicate")
            found |= set().union(*(problems(key) for key in keys)) if keys else set()
        for item in children:
            found |= problems(item, depth + 1)
    elif isinstance(value, str):
        try:
            json.loads(json.dumps(value)).encode("utf-8")  # a high and a low escape in a row are one character
        except UnicodeEncodeError:
            found.add("surrogate")
    return found


surrogate_text = st.builds(lambda before, half, after: before + half + after, st.text(max_size=3),
                           st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d\ude00", "\ude00\ud83d"]),
                           st.text(max_size=3))
leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8), surrogate_text)
keys = st.one_of(st.sampled_from(["a", "b", "title", "x"]), surrogate_text)
tree = st.recursive(leaf, lambda children: st.one_of(
    st.lists(children, max_size=3), st.lists(st.tuples(keys, children), max_size=3).map(Obj)), max_leaves=12)


bodies = st.builds(
    lambda description, extra, depth, twice: Obj(
        [("description", description)] + ([("location", Wrapped(extra, depth))] if extra is not None else [])
        + ([("description", "again")] if twice else [])),
    st.one_of(st.text(alphabet="abc xyz", min_size=1, max_size=10), surrogate_text),
    st.one_of(st.none(), tree), st.one_of(st.integers(0, 3), st.integers(28, 36), st.just(5_000)), st.booleans(),
)


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Iterator[Any]:
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("input-props") / "props.duckdb"), "TESTING": True})
    yield app.test_client()
    app.extensions["ticket_store"].db.close()


def total(client) -> int:
    return client.get("/api/v1/tickets", query_string={"limit": 1}, headers=STAFF).get_json()["total"]


@SETTINGS
@given(body=bodies)
def test_a_json_body_is_400_exactly_when_it_breaks_a_reading_rule(client, body):
    before = total(client)
    answer = client.post("/api/v1/tickets", data=dump(body), content_type="application/json")
    broken = problems(body)
    result = answer.get_json()
    assert answer.status_code in (201, 400, 422), (answer.status_code, result)
    assert set(result) >= ({"id"} if answer.status_code == 201 else {"status", "error", "details"})
    if broken:
        assert answer.status_code == 400, (broken, result)
        reason = {"depth": "nested deeper than 32", "surrogate": "lone surrogate", "duplicate": "more than once"}
        assert any(reason[rule] in result["error"] for rule in broken), (broken, result)
    else:
        assert answer.status_code != 400, result
    assert total(client) == before + (answer.status_code == 201)


@SETTINGS
@given(line=bodies)
def test_an_ndjson_line_is_refused_for_the_same_rules(client, line):
    before = total(client)
    row = Obj(line.pairs + [("status", "open"), ("opened_at", "2024-01-01T00:00:00Z")])
    answer = client.post("/api/v1/import", data=dump(row) + "\n", content_type="application/x-ndjson", headers=STAFF)
    result = answer.get_json()
    assert answer.status_code in (200, 422), result
    if problems(row):
        assert answer.status_code == 422 and "the line is not valid JSON" in result["error"], result
    assert total(client) == before + (result.get("imported") or 0)


media_types = st.one_of(
    st.sampled_from(["application/json", "application/json; charset=utf-8", "Application/JSON", "text/plain",
                     "text/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b",
                     "application/jsonl", "application/json-seq", "application/problem+json", ""]),
    st.from_regex(r"\A[a-z]{1,8}/[a-z+.-]{1,12}\Z"))


@SETTINGS
@given(media_type=media_types, route=st.sampled_from(["/api/v1/tickets", "/api/v1/categorize"]))
def test_a_json_route_reads_only_application_json(client, media_type, route):
    before = total(client)
    field = "description" if route.endswith("tickets") else "text"
    headers = {"Content-Type": media_type} if media_type else {}
    answer = client.post(route, data=json.dumps({field: "Printer offline"}), headers=headers)
    is_json = media_type.split(";")[0].strip().lower() == "application/json"
    assert answer.status_code == ((201 if field == "description" else 200) if is_json else 415), answer.get_json()
    assert total(client) == before + (answer.status_code == 201)


@SETTINGS
@given(text=st.text(alphabet=INVISIBLE + WHITE, max_size=8), visible=st.sampled_from(["", "a", "\u4e2d", "1"]),
       route=st.sampled_from([("/api/v1/tickets", "description", 201), ("/api/v1/categorize", "text", 200)]))
def test_a_text_of_invisible_characters_is_empty(client, text, visible, route):
    path, field, ok = route
    before = total(client)
    answer = client.post(path, json={field: text + visible + text})
    assert answer.status_code == (ok if visible else 422), answer.get_json()
    if not visible:
        assert answer.get_json()["details"][0] == {"field": field, "message": f"{field} must not be empty."}
    assert total(client) == before + (answer.status_code == 201)
