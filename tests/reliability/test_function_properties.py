"""Property-based tests of the three functions' parameters: any query string gets 200 or a 400 in words."""
from __future__ import annotations

import os
from typing import Iterator

import functions_framework
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.processes import ROOT, store_process

FUNCTIONS = ("open_since", "resolution_time", "category_active")
ANSWER_KEYS = {"open_since": {"since", "until", "count", "by_status", "by_category"},
               "resolution_time": {"timezone", "months", "overall"},
               "category_active": {"categories", "total_active"}}
NAMES = st.one_of(st.sampled_from(["hours", "days", "now", "from", "to"]), st.text(max_size=6))
VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(-10, 10_000).map(str),
    st.sampled_from(["2025-03", "2025-13", "0000-01", "9999-12", "2025-03-31T22:30:00Z", "2025-03-31T22:30:00+14:00",
                     "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-01:00", "1e3", "٣", "７", " 5", "5 "]),
)


@pytest.fixture(scope="module")
def functions(tmp_path_factory) -> Iterator[dict]:
    store = store_process(tmp_path_factory.mktemp("function-props") / "helpdesk.duckdb").start()
    saved = {name: os.environ.get(name) for name in ("HELPDESK_STORE_URL", "HELPDESK_API_TOKEN", "HELPDESK_TIMEZONE")}
    os.environ.update(HELPDESK_STORE_URL=store.url, HELPDESK_TIMEZONE="Europe/Rome")
    os.environ.pop("HELPDESK_API_TOKEN", None)
    try:
        import requests

        requests.post(store.url + "/api/v1/tickets", json={"description": "The wifi in the library is down"},
                      timeout=10).raise_for_status()
        yield {name: functions_framework.create_app(name, str(ROOT / "functions" / name / "main.py")).test_client()
               for name in FUNCTIONS}
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)
        store.stop()


@pytest.mark.parametrize("name", FUNCTIONS)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=st.dictionaries(NAMES, VALUES, max_size=3))
def test_any_parameters_get_an_answer_or_a_400_in_words(functions, name, params):
    response = functions[name].get("/", query_string=params)
    body = response.get_json()
    assert response.status_code in (200, 400), (response.status_code, body)
    if response.status_code == 200:
        assert ANSWER_KEYS[name] <= set(body)
    else:
        assert set(body) == {"status", "error", "details"} and body["status"] == 400
        assert body["error"].endswith(".") and "Traceback" not in body["error"]


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("now", ["0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-01:00"])
def test_now_outside_the_utc_calendar_is_400_not_500(functions, name, now):
    """Converting such an instant to UTC overflowed into a 500 in all three functions."""
    params = {"now": now, **({"days": "1"} if name == "open_since" else {})}
    response = functions[name].get("/", query_string=params)
    assert response.status_code == 400 and response.get_json()["details"][0]["field"] == "now"
