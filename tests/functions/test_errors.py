"""Refusals in the store's error shape: 400 bad parameters, 401 without the token, 503 without the store,
502 when the store refuses the function's own token."""
from __future__ import annotations

from typing import Iterator

import pytest
import requests

from harness.processes import Running, free_port, function_process, store_process
from .conftest import FUNCTIONS, assert_error
from .history import NOW, utc_text

VALID = {"open_since": {"hours": "24"}, "resolution_time": {}, "category_active": {}}
BAD_PARAMETERS = [
    ("open_since", {}, None),
    ("open_since", {"hours": "0"}, "hours"),
    ("open_since", {"days": "0"}, "days"),
    ("open_since", {"hours": "-3"}, "hours"),
    ("open_since", {"days": "-1"}, "days"),
    ("open_since", {"hours": "abc"}, "hours"),
    ("open_since", {"days": "1.5"}, "days"),
    ("open_since", {"hours": ""}, "hours"),
    ("open_since", {"hours": "8761"}, "hours"),
    ("open_since", {"hours": "١٢"}, "hours"),
    ("open_since", {"hours": "1e3"}, "hours"),
    ("open_since", {"days": "3651"}, "days"),
    ("open_since", {"hours": "2", "days": "1"}, "hours"),
    ("open_since", {"hours": "2", "now": "yesterday"}, "now"),
    ("open_since", {"hours": "2", "now": "2024-02-30T00:00:00Z"}, "now"),
    ("open_since", {"hours": "2", "status": "open"}, "status"),
    ("resolution_time", {"from": "2024-07", "to": "2024-06"}, "from"),
    ("resolution_time", {"from": "2030-01", "now": utc_text(NOW)}, "from"),
    ("resolution_time", {"from": "2024-13"}, "from"),
    ("resolution_time", {"from": "2024-00"}, "from"),
    ("resolution_time", {"to": "2024-6"}, "to"),
    ("resolution_time", {"to": "24-06"}, "to"),
    ("resolution_time", {"to": "２０２４-０６"}, "to"),
    ("resolution_time", {"to": "2024-06-01"}, "to"),
    ("resolution_time", {"now": "not a date"}, "now"),
    ("resolution_time", {"from": "1900-01", "to": "2024-01"}, "from"),
    ("resolution_time", {"month": "2024-06"}, "month"),
    ("category_active", {"now": "31/03/2024"}, "now"),
    ("category_active", {"category": "it"}, "category"),
]


@pytest.fixture
def no_store(monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the functions at an address where nothing listens."""
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("HELPDESK_STORE_URL", url)
    monkeypatch.delenv("HELPDESK_API_TOKEN", raising=False)
    return url


@pytest.mark.parametrize("name, params, field", BAD_PARAMETERS)
def test_bad_parameters_are_400_before_the_store_is_asked(function_clients, no_store, name, params, field):
    body = assert_error(function_clients[name].get("/", query_string=params), 400)
    assert [detail["field"] for detail in body["details"]] == ([field] if field else [])


def test_a_parameter_given_twice_is_400(function_clients, no_store):
    assert_error(function_clients["open_since"].get("/?hours=1&hours=2"), 400)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_other_methods_are_405(function_clients, no_store, name):
    assert_error(function_clients[name].post("/", query_string=VALID[name]), 405)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_unreachable_store_is_503_with_a_sentence(function_clients, no_store, name):
    body = assert_error(function_clients[name].get("/", query_string=VALID[name]), 503)
    assert "ticket store does not answer" in body["error"]


def test_functions_answer_503_while_the_store_is_stopped_and_recover_without_restart(
        function_clients, tmp_path, monkeypatch):
    store = store_process(tmp_path / "helpdesk.duckdb").start()
    monkeypatch.setenv("HELPDESK_STORE_URL", store.url)
    try:
        for name in FUNCTIONS:
            assert function_clients[name].get("/", query_string=VALID[name]).status_code == 200
        store.stop()
        for name in FUNCTIONS:
            assert_error(function_clients[name].get("/", query_string=VALID[name]), 503)
        store = store_process(tmp_path / "helpdesk.duckdb", port=store.port).start()
        for name in FUNCTIONS:
            assert function_clients[name].get("/", query_string=VALID[name]).status_code == 200
    finally:
        store.stop()


@pytest.fixture(scope="module")
def guarded_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A store that wants the token s3cret."""
    store = store_process(tmp_path_factory.mktemp("guarded") / "helpdesk.duckdb", HELPDESK_API_TOKEN="s3cret").start()
    try:
        yield store
    finally:
        store.stop()


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "s3cret", "Basic s3cret"])
def test_token_is_required_when_one_is_configured(function_clients, guarded_store, monkeypatch, name,
                                                  authorization):
    monkeypatch.setenv("HELPDESK_STORE_URL", guarded_store.url)
    monkeypatch.setenv("HELPDESK_API_TOKEN", "s3cret")
    headers = {"Authorization": authorization} if authorization else {}
    response = function_clients[name].get("/", query_string={**VALID[name], "bogus": "1"}, headers=headers)
    assert "token" in assert_error(response, 401)["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_right_token_is_accepted_and_passed_on_to_the_store(function_clients, guarded_store, monkeypatch, name):
    monkeypatch.setenv("HELPDESK_STORE_URL", guarded_store.url)
    monkeypatch.setenv("HELPDESK_API_TOKEN", "s3cret")
    response = function_clients[name].get("/", query_string=VALID[name], headers={"Authorization": "Bearer s3cret"})
    assert response.status_code == 200, response.get_json()
    assert requests.get(guarded_store.url + "/api/v1/analytics/active", headers={"X-Helpdesk-Role": "staff"},
                        timeout=5).status_code == 401


REFUSED_TOKEN = "The ticket store refused this function's API token; check HELPDESK_API_TOKEN."


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_store_that_refuses_the_function_is_502_naming_the_token_setting(function_clients, guarded_store,
                                                                           monkeypatch, name):
    """No token configured in the function, one required by the store: a configuration problem, not an outage."""
    monkeypatch.setenv("HELPDESK_STORE_URL", guarded_store.url)
    monkeypatch.delenv("HELPDESK_API_TOKEN", raising=False)
    body = assert_error(function_clients[name].get("/", query_string=VALID[name]), 502)
    assert body["error"] == REFUSED_TOKEN and "try again" not in body["error"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_function_process_with_another_token_than_the_store_answers_502(guarded_store, name):
    """A real store wanting s3cret, a real function process configured with another token."""
    function = function_process(name, guarded_store.url, HELPDESK_API_TOKEN="function-token-7f3a").start()
    try:
        response = requests.get(function.url, params=VALID[name], timeout=10,
                                headers={"Authorization": "Bearer function-token-7f3a"})
        body = assert_error(response, 502)
        assert body["error"] == REFUSED_TOKEN
        assert "does not answer" not in body["error"]
        # The caller's token was right: the refusal is about the function's token, so no WWW-Authenticate.
        assert "WWW-Authenticate" not in response.headers
        assert requests.get(function.url, params=VALID[name], timeout=10).status_code == 401
    finally:
        function.stop()
    log = function.output()
    assert "refused this function's API token" in log and "function-token-7f3a" not in log and "Traceback" not in log


def test_an_unknown_time_zone_is_a_configuration_error_in_the_error_shape(call, monkeypatch):
    monkeypatch.setenv("HELPDESK_TIMEZONE", "Mars/Olympus_Mons")
    body = assert_error(call("resolution_time"), 500)
    assert "HELPDESK_TIMEZONE" in body["error"]
