"""resolution_time: per local month of opening, how many tickets opened and closed, and how long they took.

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

ANALYSIS = AnalysisFunction("resolution_time", parameters=("from", "to", "now"), takes="from, to and now",
                            answer="resolution times cannot be computed", store_timeout=(2, 15))
ANALYSIS.answer_errors()

DEFAULT_MONTHS = 12
MAX_MONTHS = 1200  # a hundred years
FIRST_MONTH, LAST_MONTH = 1900 * 12, 9998 * 12 + 11  # months are numbered year × 12 + month − 1
FIGURES = ("opened", "closed", "avg_resolution_hours", "median_resolution_hours")


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
    if not found or not 1 <= int(found[2]) <= 12:
        raise FunctionError(400, f"{name} must be a month written YYYY-MM, such as 2025-03; got {args[name]!r}.",
                            name)
    month = int(found[1]) * 12 + int(found[2]) - 1
    if not FIRST_MONTH <= month <= LAST_MONTH:  # well written, out of range: say so, not that it is malformed
        raise FunctionError(400, f"{name} ({month_text(month)}) must lie between {month_text(FIRST_MONTH)} and "
                                 f"{month_text(LAST_MONTH)}.", name)
    return month


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
def resolution_time(request: flask.Request) -> flask.Response:
    """Group the tickets by the local month in which they were opened (every month of the range listed,
    null averages where none closed), and give the same figures over the whole range."""
    args = ANALYSIS.check_request(request)
    now = read_now(args)
    zone = campus_zone()
    months = month_range(args, now, zone)
    edges = [month_start(month, zone) for month in range(months.start, months.stop + 1)]
    figures = ANALYSIS.ask_store("/api/v1/analytics/resolution", body={"edges": edges, "at": utc_text(now)})
    return json_response({"timezone": zone.key, "from": month_text(months.start), "to": month_text(months[-1]),
                          "now": utc_text(now),
                          "months": [{"month": month_text(month), **{name: bucket[name] for name in FIGURES}}
                                     for month, bucket in zip(months, figures["buckets"])],
                          "overall": {name: figures["overall"][name] for name in FIGURES}})
