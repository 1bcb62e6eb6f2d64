"""resolution_time: per local month of opening, how many tickets opened and closed, and how long they took.

A functions-framework HTTP function that deploys on its own: it imports nothing from the rest of the
repository and reads only aggregates from the ticket store at HELPDESK_STORE_URL. Months are local months
in HELPDESK_TIMEZONE: this function turns them into UTC instants, so the store never converts a timestamp.
"""
import hmac
import json
import logging
import os
import re
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import flask
import functions_framework
import requests
from werkzeug.exceptions import HTTPException

FUNCTION = "resolution_time"
PARAMETERS, TAKES = ("from", "to", "now"), "from, to and now"
ANSWER = "resolution times cannot be computed"  # what cannot be done while the store does not answer
STORE_TIMEOUT = (2, 15)  # seconds to connect, seconds to answer
DEFAULT_MONTHS = 12
MAX_MONTHS = 1200  # a hundred years
FIRST_MONTH, LAST_MONTH = 1900 * 12, 9998 * 12 + 11  # months are numbered year × 12 + month − 1
FIGURES = ("opened", "closed", "avg_resolution_hours", "median_resolution_hours")


# ---- shared: the same in the three functions, which may not import one another (a test compares them) ----
DEFAULT_STORE_URL = "http://127.0.0.1:8060"
log = logging.getLogger(FUNCTION)


class FunctionError(Exception):
    """A refusal answered with its status and a sentence, in the ticket store's error shape."""

    def __init__(self, status: int, error: str, field: str | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.field = status, error, field


@functions_framework.errorhandler(Exception)
def refused(error: Exception) -> flask.Response:
    """Answer a refusal, an HTTP error or an unexpected failure in the store's error shape."""
    if isinstance(error, HTTPException):
        error = FunctionError(error.code or 500, "There is nothing to answer at this address.")
    elif not isinstance(error, FunctionError):
        log.exception("%s failed", FUNCTION)
        error = FunctionError(500, f"The {FUNCTION} function hit an unexpected problem.")
    details = [{"field": error.field, "message": error.error}] if error.field else []
    response = json_response({"status": error.status, "error": error.error, "details": details}, error.status)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="campus-helpdesk"'
    return response


def json_response(body: dict[str, Any], status: int = 200) -> flask.Response:
    return flask.Response(json.dumps(body, ensure_ascii=False), status, mimetype="application/json")


def check_request(request: flask.Request) -> dict[str, str]:
    """Refuse a missing token (when one is configured), other methods, unknown and repeated parameters."""
    token = os.environ.get("HELPDESK_API_TOKEN")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and (scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode())):
        raise FunctionError(401, "This function needs a valid API token: send Authorization: Bearer <token>.")
    if request.method not in ("GET", "HEAD"):
        raise FunctionError(405, "This function answers GET requests only.")
    for name in request.args:
        if name not in PARAMETERS:
            raise FunctionError(400, f"Unknown parameter {name!r}: this function takes {TAKES}.", name)
        if len(request.args.getlist(name)) > 1:
            raise FunctionError(400, f"The parameter {name} is given more than once.", name)
    return request.args.to_dict()


def read_now(args: dict[str, str]) -> datetime:
    """Return the `now` parameter as an aware UTC instant (no offset means UTC), or the current time."""
    if "now" not in args:
        return datetime.now(timezone.utc)
    # An unencoded '+' of an offset arrives as a space: 2025-03-31T22:30:00 02:00.
    text = re.sub(r"(T\d\d(:?\d\d){0,2}(\.\d+)?) (\d\d(:?\d\d)?)$", r"\1+\4", args["now"].strip())
    try:
        moment = datetime.fromisoformat(text)
        return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    except ValueError:
        raise FunctionError(400, "now must be an ISO 8601 timestamp such as 2025-03-31T22:30:00Z.", "now") from None
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the year 1 in UTC
        raise FunctionError(400, "now must be an instant between the years 1 and 9999 in UTC.", "now") from None


def utc_text(moment: datetime) -> str:
    """Return an ISO 8601 UTC timestamp ending in Z."""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def ask_store(path: str, query: dict[str, str] | None = None, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """Ask the store as staff for an aggregate (POST when there is a *body*); refuse in words when it cannot."""
    base = (os.environ.get("HELPDESK_STORE_URL") or DEFAULT_STORE_URL).rstrip("/")
    token = os.environ.get("HELPDESK_API_TOKEN")
    headers = {"X-Helpdesk-Role": "staff", **({"Authorization": f"Bearer {token}"} if token else {})}
    try:
        response = requests.request("GET" if body is None else "POST", base + path, params=query, json=body,
                                    headers=headers, timeout=STORE_TIMEOUT)
        if response.status_code == 401:
            log.warning("the ticket store at %s refused this function's API token", base)
            raise FunctionError(502, "The ticket store refused this function's API token; check HELPDESK_API_TOKEN.")
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        log.warning("the ticket store at %s could not answer: %s", base, error)
        raise FunctionError(503, f"The ticket store does not answer right now, so {ANSWER}; try again in a moment."
                            ) from None
# ---- end of the shared part ----


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
def resolution_time(request: flask.Request) -> flask.Response:
    """Group the tickets by the local month in which they were opened (every month of the range listed,
    null averages where none closed), and give the same figures over the whole range."""
    args = check_request(request)
    now = read_now(args)
    zone = campus_zone()
    months = month_range(args, now, zone)
    edges = [month_start(month, zone) for month in range(months.start, months.stop + 1)]
    figures = ask_store("/api/v1/analytics/resolution", body={"edges": edges, "at": utc_text(now)})
    return json_response({"timezone": zone.key, "from": month_text(months.start), "to": month_text(months[-1]),
                          "now": utc_text(now),
                          "months": [{"month": month_text(month), **{name: bucket[name] for name in FIGURES}}
                                     for month, bucket in zip(months, figures["buckets"])],
                          "overall": {name: figures["overall"][name] for name in FIGURES}})
