"""The service token, the error shape on every route, the OpenAPI document, health."""
from __future__ import annotations

import pytest

from ticket_store import create_app
from ticket_store.openapi import openapi_document

from .conftest import STAFF, assert_error

ROUTES = [
    ("get", "/api/v1/tickets"), ("post", "/api/v1/tickets"), ("get", "/api/v1/tickets/1"),
    ("patch", "/api/v1/tickets/1"), ("post", "/api/v1/tickets/1/status"), ("get", "/api/v1/tickets/1/messages"),
    ("post", "/api/v1/tickets/1/messages"), ("get", "/api/v1/tickets/1/events"), ("post", "/api/v1/categorize"),
    ("post", "/api/v1/import"), ("get", "/api/v1/export"), ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/tickets/bulk"),
]


@pytest.fixture
def guarded(tmp_path):
    return create_app({"DB_PATH": str(tmp_path / "guarded.duckdb"), "API_TOKEN": "s3cret"}).test_client()


@pytest.mark.parametrize("method, path", ROUTES)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic s3cret", "s3cret"])
def test_every_route_refuses_missing_or_wrong_token(guarded, method, path, authorization):
    headers = {**STAFF, **({"Authorization": authorization} if authorization else {})}
    response = assert_error(getattr(guarded, method)(path, json={}, headers=headers), 401)
    assert "token" in response["error"]


def test_right_token_is_accepted_and_health_needs_none(guarded):
    assert guarded.get("/api/v1/tickets", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    health = guarded.get("/api/v1/health")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}


@pytest.mark.parametrize("method, path", ROUTES)
def test_error_shape_on_every_route(client, method, path):
    """A missing ticket, a bad role header or bad input: always the one JSON error shape."""
    response = getattr(client, method)(path, data=b"{broken", content_type="application/json",
                                       headers={"X-Helpdesk-Role": "janitor"})
    assert_error(response, 400)


def test_unknown_path_and_method_use_the_error_shape(client):
    assert_error(client.get("/api/v1/nothing-here"), 404)
    assert_error(client.delete("/api/v1/tickets"), 405)
    assert "POST" in response_allow(client)


def response_allow(client) -> str:
    return client.delete("/api/v1/tickets").headers.get("Allow", "")


def test_openapi_document_describes_every_route(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document == openapi_document() and document["openapi"].startswith("3.")
    paths = {(method, path.replace("{ticket_id}", "1")) for path, item in document["paths"].items() for method in item}
    assert set(ROUTES) <= paths


def test_openapi_document_is_valid(client):
    from openapi_spec_validator import validate

    validate(client.get("/api/v1/openapi.json").get_json())


def test_no_stack_trace_in_unexpected_errors(app, client, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("ticket_store.tickets.Tickets.list_tickets", explode)
    body = assert_error(client.get("/api/v1/tickets"), 500)
    assert "secret" not in body["error"]
