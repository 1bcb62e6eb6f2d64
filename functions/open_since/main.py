"""open_since: how many tickets opened in the last hours or days are not closed, by status and category.

A functions-framework HTTP function whose folder deploys on its own: analysis_function.py beside it holds
what the analysis functions share, and nothing else of the repository is imported.
"""
import re
from datetime import timedelta

import flask
import functions_framework

from analysis_function import AnalysisFunction, FunctionError, json_response, read_now, utc_text

ANALYSIS = AnalysisFunction("open_since", parameters=("hours", "days", "now"), takes="hours or days, and now",
                            answer="open tickets cannot be counted", store_timeout=(2, 10))
ANALYSIS.answer_errors()
PERIOD_LIMITS = {"hours": 8760, "days": 3650}


def read_period(args: dict[str, str]) -> tuple[str, int]:
    """Return which of hours or days was given and how many, refusing anything but exactly one."""
    given = [unit for unit in PERIOD_LIMITS if unit in args]
    if len(given) != 1:
        problem = "both were given" if given else "neither was given"
        raise FunctionError(400, f"Give exactly one of hours (1–8760) or days (1–3650); {problem}.",
                            "hours" if given else None)
    unit = given[0]
    text, limit = args[unit].strip(), PERIOD_LIMITS[unit]
    if not re.fullmatch(r"[0-9]{1,9}", text) or not 1 <= int(text) <= limit:
        raise FunctionError(400, f"{unit} must be a whole number from 1 to {limit}; got {args[unit]!r}.", unit)
    return unit, int(text)


@functions_framework.http
def open_since(request: flask.Request) -> flask.Response:
    """Count the tickets opened in the last `hours` or `days` before `now` (both ends included) that are
    not closed at `now`, by status and by category."""
    args = ANALYSIS.check_request(request)
    now = read_now(args)
    unit, amount = read_period(args)
    try:
        since = now - timedelta(hours=amount if unit == "hours" else amount * 24)
    except OverflowError:
        raise FunctionError(400, f"now is too early for a period of {amount} {unit}.", "now") from None
    counts = ANALYSIS.ask_store("/api/v1/analytics/not-closed", {"since": utc_text(since), "until": utc_text(now)})
    return json_response({"since": utc_text(since), "until": utc_text(now), unit: amount, "count": counts["count"],
                          "by_status": counts["by_status"], "by_category": counts["by_category"]})
