"""The functions' answers to well-written but out-of-range or repeated parameters (SPEC §7.5)."""
from __future__ import annotations

from .conftest import assert_error


def test_a_repeated_query_parameter_is_refused_by_the_functions_too(call):
    assert_error(call("resolution_time", to=["2024-01", "2024-02"]), 400)


def test_resolution_time_to_out_of_range_names_the_range(call):
    answer = assert_error(call("resolution_time", to="9999-12"), 400)
    assert answer["error"] == "to (9999-12) must lie between 1900-01 and 9998-12."
    assert answer["details"][0]["field"] == "to"
    written = assert_error(call("resolution_time", to="9999-13"), 400)
    assert "must be a month written YYYY-MM" in written["error"]
