"""Helpers for the store's tests: role headers, ticket factories, OpenAPI checks."""
from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from flask.testing import FlaskClient

from ticket_store.openapi import openapi_document

STAFF = {"X-Helpdesk-Role": "staff"}
USER = {"X-Helpdesk-Role": "user"}
CSV_HEADER = "title,description,location,reporter,category,status,opened_at,closed_at\n"


def matches_schema(name: str, value: Any) -> None:
    """Assert that *value* matches the OpenAPI component schema *name*."""
    document = openapi_document()
    jsonschema.Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]},
        format_checker=jsonschema.FormatChecker(),
    ).validate(value)


def assert_error(response, status: int) -> dict[str, Any]:
    """Assert the SPEC's error shape with *status*, and return the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    matches_schema("Error", body)
    assert body["status"] == status
    assert body["error"].endswith(".") and "Traceback" not in body["error"]
    return body


def if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


class Desk:
    """A thin test client that speaks the store's API in the helpdesk's words."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.follow_tokens: dict[int, str] = {}

    def create(self, description: str = "The radiator in room B12 is cold", **fields: Any) -> dict[str, Any]:
        """Report a ticket as a campus user; keep its follow token apart; return the ticket."""
        response = self.client.post("/api/v1/tickets", json={"description": description, **fields})
        assert response.status_code == 201, response.get_json()
        created = response.get_json()
        self.follow_tokens[created["id"]] = created.pop("follow_token")
        return created

    def get(self, ticket_id: int, role: dict = STAFF) -> dict[str, Any]:
        return self.client.get(f"/api/v1/tickets/{ticket_id}", headers=role).get_json()

    def move(self, ticket_id: int, status: str):
        return self.client.post(f"/api/v1/tickets/{ticket_id}/status", json={"status": status}, headers=STAFF)

    def ticket_in(self, status: str, **fields: Any) -> dict[str, Any]:
        """Create a ticket and walk it to *status*."""
        ticket = self.create(**fields)
        for step in {"open": [], "active": ["active"], "closed": ["active", "closed"]}[status]:
            assert self.move(ticket["id"], step).status_code == 200
        return self.get(ticket["id"])

    def import_csv(self, text: str):
        return self.client.post("/api/v1/import", data=text.encode(), content_type="text/csv", headers=STAFF)

    def count(self) -> int:
        return self.client.get("/api/v1/tickets?limit=1", headers=STAFF).get_json()["total"]


@pytest.fixture
def desk(client: FlaskClient) -> Desk:
    return Desk(client)
