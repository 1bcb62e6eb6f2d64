"""service_levels: how fast staff first answer, per local month of opening and per priority, against the targets.

A functions-framework HTTP function whose folder deploys on its own: analysis_function.py beside it holds
what the analysis functions share, and nothing else of the repository is imported.
"""
import re

import flask
import functions_framework

from analysis_function import (FIRST_MONTH, LAST_MONTH, AnalysisFunction, FunctionError, campus_zone,
                               json_response, month_edges, month_range, month_text, read_now, utc_text)

ANALYSIS = AnalysisFunction("service_levels", parameters=("from", "to", "now"), takes="from, to and now",
                            answer="service levels cannot be computed", store_timeout=(2, 15))
ANALYSIS.answer_errors()

FIGURES = ("opened", "responded", "avg_first_response_hours", "median_first_response_hours", "within_target_pct")
TARGETS = ("response_target_hours", "resolution_target_hours")


def read_month(args: dict[str, str], name: str) -> int | None:
    """Return the month parameter YYYY-MM as a month number (year × 12 + month − 1), or None."""
    if name not in args:
        return None
    found = re.fullmatch(r"([0-9]{4})-([0-9]{2})", args[name].strip())
    if not found or not 1 <= int(found[2]) <= 12 or not FIRST_MONTH <= int(found[1]) * 12 <= LAST_MONTH:
        raise FunctionError(400, f"{name} must be a month written YYYY-MM, such as 2025-03; got {args[name]!r}.",
                            name)
    return int(found[1]) * 12 + int(found[2]) - 1


@functions_framework.http
def service_levels(request: flask.Request) -> flask.Response:
    """Give first-response figures per local month of opening (every month of the range listed, null
    averages where none was answered), per priority and over the range, with how many tickets not
    closed at `now` were then at risk of missing a target or had missed one."""
    args = ANALYSIS.check_request(request)
    now = read_now(args)
    zone = campus_zone()
    last, first = read_month(args, "to"), read_month(args, "from")
    months = month_range(first, last, now, zone)
    edges = month_edges(months, zone)
    figures = ANALYSIS.ask_store("/api/v1/analytics/service-levels", body={"edges": edges, "at": utc_text(now)})
    return json_response({
        "timezone": zone.key, "from": month_text(months.start), "to": month_text(months[-1]), "at": utc_text(now),
        "months": [{"month": month_text(month), **{name: bucket[name] for name in FIGURES}}
                   for month, bucket in zip(months, figures["buckets"])],
        "by_priority": [{"priority": row["priority"], **{name: row[name] for name in (*FIGURES, *TARGETS)}}
                        for row in figures["by_priority"]],
        "overall": {name: figures["overall"][name] for name in FIGURES},
        "now": {"at_risk": figures["now"]["at_risk"], "breached": figures["now"]["breached"]},
    })
