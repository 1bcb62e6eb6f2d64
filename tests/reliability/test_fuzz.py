"""Property-based fuzzing of the whole store API from its own OpenAPI document (schemathesis).

Every operation, valid and invalid input, both roles: no 5xx, every answer conforms to the document,
every error has the SPEC's shape. The store runs in-process on a real DuckDB file with tickets in
every state, so generated ids regularly hit open, active and closed tickets.
"""
from __future__ import annotations

import collections
from typing import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from ticket_store import create_app
from ticket_store.openapi import openapi_document

from ..ticket_store.conftest import matches_schema

EXAMPLES_PER_OPERATION = 120
TICKETS_PER_STATE = 4
SENT: collections.Counter[str] = collections.Counter()


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory) -> Iterator:
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"), "TESTING": True})
    client = app.test_client()
    staff = {"X-Helpdesk-Role": "staff"}
    for state, steps in (("open", []), ("active", ["active"]), ("closed", ["active", "closed"])):
        for n in range(TICKETS_PER_STATE):
            ticket = client.post("/api/v1/tickets", json={"description": f"A {state} ticket, number {n}"}).get_json()
            client.post(f"/api/v1/tickets/{ticket['id']}/messages", json={"body": "More details"})
            for step in steps:
                assert client.post(f"/api/v1/tickets/{ticket['id']}/status", json={"status": step},
                                   headers=staff).status_code == 200
    yield app
    app.extensions["ticket_store"].db.close()


# Schema-valid requests may still meet a stale version (412). The import's CSV/NDJSON rules cannot be
# written as a JSON schema over a string body, so a valid-looking body there may be refused with 422.
CONFIG = SchemathesisConfig.from_str(f"""
[generation]
mode = "all"
max-examples = {EXAMPLES_PER_OPERATION}

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "412"]

# A PATCH without If-Match is refused with 428 Precondition Required (SPEC §3).
[checks.missing_required_header]
expected-statuses = ["400", "401", "403", "404", "428"]

# The aggregates refuse, with 422, combinations a JSON schema cannot state: since after until,
# bucket edges that do not increase.
[[operations]]
include-path-regex = "^/api/v1/analytics/"
checks.positive_data_acceptance.expected-statuses = ["2xx", "403", "422"]

[[operations]]
include-path = "/api/v1/import"
checks.positive_data_acceptance.expected-statuses = ["2xx", "403", "422"]

# sort=relevance ranks the matches of q: without q it is a 422 naming sort, a pairing a schema cannot state.
[[operations]]
include-name = "GET /api/v1/tickets"
checks.positive_data_acceptance.expected-statuses = ["2xx", "403", "422"]

# A merge names its main ticket in the body: one that does not exist is a 422 naming the field.
[[operations]]
include-path-regex = "^/api/v1/tickets/[^/]+/merge$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "403", "404", "409", "412", "422"]

# A notice's expiry must lie in the future: a moment a JSON schema cannot compare with now.
[[operations]]
include-path = "/api/v1/notices"
checks.positive_data_acceptance.expected-statuses = ["2xx", "403", "404", "422"]

[[operations]]
include-path = "/api/v1/tickets/bulk"
checks.positive_data_acceptance.expected-statuses = ["2xx", "403", "422"]
""")
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)
schemathesis.serializer.alias("application/x-ndjson", "text/plain")  # the import's body is sent as it is


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,  # the same cases on every run
          suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("role", ["user", "staff"])
def test_every_operation_answers_inside_the_document(fuzzed_app, role, case):
    headers = case.headers if case.headers is not None else {}
    # A percent-encoded name cannot be described exactly by a pattern (an escape's bytes must be UTF-8);
    # tests/ticket_store/test_edits_and_names.py tests the header's refusals by name.
    headers.pop("X-Helpdesk-Name", None)
    if headers.get("X-Helpdesk-Role") in ("user", "staff") or (role == "staff" and "X-Helpdesk-Role" not in headers):
        headers["X-Helpdesk-Role"] = role  # generated valid roles become this run's role; invalid ones stay
        case.headers = headers
    if "ticket_id" in (case.path_parameters or {}):
        # Most generated ids are huge; fold them onto the seeded tickets (and one past them) to reach real ones.
        case.path_parameters["ticket_id"] = 1 + case.path_parameters["ticket_id"] % (3 * TICKETS_PER_STATE + 1) \
            if isinstance(case.path_parameters["ticket_id"], int) and case.path_parameters["ticket_id"] > 0 \
            else case.path_parameters["ticket_id"]
    if "ticket_id" in (case.path_parameters or {}) and isinstance((case.headers or {}).get("If-Match"), str) \
            and len(case.headers["If-Match"]) % 2 == 0:
        # Half the generated versions are replaced by the current one, so changes get past 412 and reach the database.
        current = fuzzed_app.test_client().get(f"/api/v1/tickets/{case.path_parameters['ticket_id']}",
                                               headers={"X-Helpdesk-Role": "staff"})
        if current.status_code == 200:
            case.headers["If-Match"] = current.headers["ETag"]
    response = case.call_and_validate(app=fuzzed_app)
    SENT[f"{case.method} {case.path}"] += 1
    sent_role = (case.headers or {}).get("X-Helpdesk-Role", "absent (user)")
    SENT[f"role: {sent_role if sent_role in ('user', 'staff', 'absent (user)') else 'invalid'}"] += 1
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        matches_schema("Error", body)
        assert body["status"] == response.status_code and body["error"].endswith(".")
        assert "Traceback" not in response.text


HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@pytest.mark.slow
def test_every_operation_and_role_was_fuzzed(record_property):
    """Count the requests each operation got (runs after the fuzzing test in this module) and fail when the
    fuzzing left an operation of the document, or a role, untried."""
    if not SENT:
        pytest.skip("the fuzzing test did not run in this session, so there is nothing to count")
    print("\n".join(f"{count:6d}  {operation}" for operation, count in sorted(SENT.items()) if count > 1))
    print(f"{sum(count for name, count in SENT.items() if not name.startswith('role')):6d}  in total")
    record_property("fuzzed_requests", dict(SENT))
    operations = {f"{method.upper()} {path}" for path, item in openapi_document()["paths"].items()
                  for method in item if method in HTTP_METHODS}
    never = sorted(operation for operation in operations if not SENT[operation])
    assert not never, f"the fuzzing never sent a request to {never}"
    assert all(SENT[f"role: {role}"] for role in ("user", "staff", "absent (user)", "invalid")), dict(SENT)
