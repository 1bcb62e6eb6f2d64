"""service_levels: how fast staff first answer, per local month of opening and per priority, against the targets.

A functions-framework HTTP function whose folder deploys on its own: it imports only analysis_function.py
beside it, nothing else of the repository, and reads only aggregates from the store at HELPDESK_STORE_URL.
Months are local months in HELPDESK_TIMEZONE: this function turns them into UTC instants, so the store
never converts a timestamp.
"""
import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import flask
import functions_framework

from analysis_function import AnalysisFunction, FunctionError, json_response, read_now, utc_text

ANALYSIS = AnalysisFunction("service_levels", parameters=("from", "to", "now"), takes="from, to and now",
                            answer="service levels cannot be computed", store_timeout=(2, 15))
ANALYSIS.answer_errors()

DEFAULT_MONTHS = 12
MAX_MONTHS = 1200  # a hundred years
FIRST_MONTH, LAST_MONTH = 1900 * 12, 9998 * 12 + 11  # months are numbered year × 12 + month − 1
FIGURES = ("opened", "responded", "avg_first_response_hours", "median_first_response_hours", "within_target_pct")
TARGETS = ("response_target_hours", "resolution_target_hours")


def campus_zone() -> ZoneInfo:
    """Return the time zone named by HELPDESK_TIMEZONE (default UTC)."""
    name = os.environ.get("HELPDESK_TIMEZONE") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FunctionError(500, f"HELPDESK_TIMEZONE={name!r} is not an IANA time zone name such as "
                                 "Europe/Rome; the function's configuration needs fixing.") from None


def read_month(args: dict[str, str], name: str) -> int | None:
    """Return the month parameter YYYY-MM as a month number (year × 12 + month − 1), or None."""
    if name not in args:
        return None
    found = re.fullmatch(r"([0-9]{4})-([0-9]{2})", args[name].strip())
    if not found or not 1 <= int(found[2]) <= 12 or not FIRST_MONTH <= int(found[1]) * 12 <= LAST_MONTH:
        raise FunctionError(400, f"{name} must be a month written YYYY-MM, such as 2025-03; got {args[name]!r}.",
                            name)
    return int(found[1]) * 12 + int(found[2]) - 1


def month_text(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_start(month: int, zone: ZoneInfo) -> str:
    """Return the UTC instant at which *month* begins in *zone*, as ISO 8601 text."""
    return utc_text(datetime(month // 12, month % 12 + 1, 1, tzinfo=zone))


def month_range(args: dict[str, str], now: datetime, zone: ZoneInfo) -> range:
    """Return the months from `from` to `to`, both included; by default the 12 months up to now's month."""
    last = read_month(args, "to")
    if last is None:
        try:
            local_now = now.astimezone(zone)
        except OverflowError:
            local_now = now
        last = local_now.year * 12 + local_now.month - 1
    first = read_month(args, "from")
    if first is None:
        first = last - DEFAULT_MONTHS + 1
    if first > last:
        raise FunctionError(400, f"from ({month_text(first)}) must not be after to ({month_text(last)}"
                                 f"{'' if 'to' in args else ', the month of now'}).", "from")
    if last - first + 1 > MAX_MONTHS:
        raise FunctionError(400, f"The range from {month_text(first)} to {month_text(last)} is longer than "
                                 f"{MAX_MONTHS} months; ask for a shorter one.", "from")
    if first < FIRST_MONTH or last > LAST_MONTH:
        raise FunctionError(400, f"The months must lie between {month_text(FIRST_MONTH)} and "
                                 f"{month_text(LAST_MONTH)}.", "from" if "from" in args else "now")
    return range(first, last + 1)


@functions_framework.http
def service_levels(request: flask.Request) -> flask.Response:
    """Give first-response figures per local month of opening (every month of the range listed, null
    averages where none was answered), per priority and over the range, with how many tickets not
    closed at `now` were then at risk of missing a target or had missed one."""
    args = ANALYSIS.check_request(request)
    now = read_now(args)
    zone = campus_zone()
    months = month_range(args, now, zone)
    edges = [month_start(month, zone) for month in range(months.start, months.stop + 1)]
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
