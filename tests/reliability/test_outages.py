"""Outages without a browser: the functions while the store is down, and after it returns.

The web app's side of the same outages is in tests/e2e/test_outages_in_browser.py.
"""
from __future__ import annotations

import pytest
import requests

from harness.stack import FUNCTIONS, start_stack

PARAMS = {"open_since": {"days": 7}, "resolution_time": {}, "category_active": {}, "service_levels": {}}


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_functions_answer_503_in_words_while_the_store_is_down_and_recover_by_themselves(tmp_path, how):
    stack = start_stack(tmp_path / "helpdesk.duckdb", web=False)
    try:
        stack.create_ticket("The heating in the gym is off")
        before = {name: requests.get(stack.functions[name].url + "/", params=PARAMS[name], timeout=15).json()
                  for name in FUNCTIONS}
        stack.store.kill() if how == "killed" else stack.store.stop()
        for name in FUNCTIONS:
            answer = requests.get(stack.functions[name].url + "/", params=PARAMS[name], timeout=15)
            body = answer.json()
            assert answer.status_code == 503 and body["status"] == 503 and body["details"] == [], (name, body)
            assert "store" in body["error"] and body["error"].endswith("."), body
        stack.restart_store()
        for name in FUNCTIONS:
            answer = requests.get(stack.functions[name].url + "/", params=PARAMS[name], timeout=15)
            assert answer.status_code == 200, (name, answer.text)
            if name == "category_active":
                assert answer.json()["total_active"] == before[name]["total_active"]
        assert stack.logs_without_traces() == {}
    finally:
        stack.stop()
