"""resolution_time: per local month of opening, how many tickets opened and closed, and how long they took.

A functions-framework HTTP function whose folder deploys on its own: analysis_function.py beside it holds
what the analysis functions share, and nothing else of the repository is imported.
"""
import re

import flask
import functions_framework

from analysis_function import (FIRST_MONTH, LAST_MONTH, AnalysisFunction, FunctionError, campus_zone,
                               json_response, month_edges, month_range, month_text, read_now, utc_text)

ANALYSIS = AnalysisFunction("resolution_time", parameters=("from", "to", "now"), takes="from, to and now",
                            answer="resolution times cannot be computed", store_timeout=(2, 15))
ANALYSIS.answer_errors()

FIGURES = ("opened", "closed", "avg_resolution_hours", "median_resolution_hours")


def read_month(args: dict[str, str], name: str) -> int | None:
    """Return the month parameter YYYY-MM as a month number (year × 12 + month − 1), or None."""
    if name not in args:
        return None
    found = re.fullmatch(r"([0-9]{4})-([0-9]{2})", args[name].strip())
    if not found or not 1 <= int(found[2]) <= 12:
        raise FunctionError(400, f"{name} must be a month written YYYY-MM, such as 2025-03; got {args[name]!r}.",
                            name)
    month = int(found[1]) * 12 + int(found[2]) - 1
    if not FIRST_MONTH <= month <= LAST_MONTH:  # well written, out of range: say so, not that it is malformed
        raise FunctionError(400, f"{name} ({month_text(month)}) must lie between {month_text(FIRST_MONTH)} and "
                                 f"{month_text(LAST_MONTH)}.", name)
    return month


@functions_framework.http
def resolution_time(request: flask.Request) -> flask.Response:
    """Group the tickets by the local month in which they were opened (every month of the range listed,
    null averages where none closed), and give the same figures over the whole range."""
    args = ANALYSIS.check_request(request)
    now = read_now(args)
    zone = campus_zone()
    last, first = read_month(args, "to"), read_month(args, "from")
    months = month_range(first, last, now, zone)
    edges = month_edges(months, zone)
    figures = ANALYSIS.ask_store("/api/v1/analytics/resolution", body={"edges": edges, "at": utc_text(now)})
    return json_response({"timezone": zone.key, "from": month_text(months.start), "to": month_text(months[-1]),
                          "now": utc_text(now),
                          "months": [{"month": month_text(month), **{name: bucket[name] for name in FIGURES}}
                                     for month, bucket in zip(months, figures["buckets"])],
                          "overall": {name: figures["overall"][name] for name in FIGURES}})
