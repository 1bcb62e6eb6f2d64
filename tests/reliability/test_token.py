"""The service token: every store and function route refuses callers without a valid one.

tests/e2e/test_token_in_browser.py shows the web app working end to end with the token set.
"""
from __future__ import annotations

import pytest
import requests

from ticket_store.openapi import openapi_document

from harness.stack import start_stack

TOKEN = "campus-token-6b1f0e2a"
WRONG = [None, "Bearer not-the-token", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer "]
FUNCTION_PARAMS = {"open_since": {"days": 7}, "resolution_time": {}, "category_active": {}}


@pytest.fixture(scope="module")
def guarded_stack(tmp_path_factory):
    stack = start_stack(tmp_path_factory.mktemp("token") / "helpdesk.duckdb", token=TOKEN, web=False)
    yield stack
    stack.stop()


def store_routes() -> list[tuple[str, str]]:
    """Every operation of the store's OpenAPI document, with a ticket id filled in."""
    return [(method.upper(), path.replace("{ticket_id}", "1"))
            for path, item in openapi_document()["paths"].items() for method in item]


def test_every_store_route_refuses_a_missing_or_wrong_token(guarded_stack):
    stack = guarded_stack
    ticket = stack.create_ticket("The lift in building C is stuck")
    assert ticket["id"] == 1
    for method, path in store_routes():
        for authorization in WRONG:
            headers = {"X-Helpdesk-Role": "staff", **({"Authorization": authorization} if authorization else {})}
            answer = requests.request(method, stack.store.url + path, json={}, headers=headers, timeout=10)
            if path == "/api/v1/health":
                assert answer.status_code == 200 and answer.json() == {"status": "ok"}
                continue
            assert answer.status_code == 401, (method, path, authorization, answer.text)
            assert answer.json()["status"] == 401 and TOKEN not in answer.text
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert requests.get(f"{stack.store.url}/api/v1/tickets/1", headers=stack.headers(), timeout=10).json()["version"] == 1


@pytest.mark.parametrize("name", list(FUNCTION_PARAMS))
def test_every_function_refuses_a_missing_or_wrong_token(guarded_stack, name):
    function = guarded_stack.functions[name]
    for method in ("GET", "POST", "HEAD"):
        for authorization in WRONG:
            headers = {"Authorization": authorization} if authorization else {}
            answer = requests.request(method, function.url + "/", params=FUNCTION_PARAMS[name], headers=headers,
                                      timeout=10)
            assert answer.status_code == 401, (name, method, authorization, answer.text)
            if method != "HEAD":
                assert answer.json()["status"] == 401 and TOKEN not in answer.text
    right = requests.get(function.url + "/", params=FUNCTION_PARAMS[name],
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert right.status_code == 200, right.text
