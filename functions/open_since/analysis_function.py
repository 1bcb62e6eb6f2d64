"""What the analysis functions do alike: check the request, read `now` and local months, ask the store, answer.

Each function reads only aggregates from the ticket store at HELPDESK_STORE_URL. Months are local months in
HELPDESK_TIMEZONE, turned here into UTC instants, so the store never converts a timestamp.

The same file stands in each function's folder, so that each folder deploys on its own (a test keeps the
copies identical). It holds no setting of any one function: where several functions are loaded in one
process, the copy imported first serves them all.
"""
import hmac
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import flask
import functions_framework
import requests
from werkzeug.exceptions import HTTPException

DEFAULT_STORE_URL = "http://127.0.0.1:8060"
DEFAULT_MONTHS = 12
MAX_MONTHS = 1200  # a hundred years
FIRST_MONTH, LAST_MONTH = 1900 * 12, 9998 * 12 + 11  # months are numbered year × 12 + month − 1


class FunctionError(Exception):
    """A refusal answered with its status and a sentence, in the ticket store's error shape."""

    def __init__(self, status: int, error: str, field: str | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.field = status, error, field


@dataclass(frozen=True)
class AnalysisFunction:
    """One analysis function: its name, the parameters it takes and what cannot be done without the store."""

    name: str
    parameters: tuple[str, ...]
    takes: str  # the parameters in words, for refusing an unknown one
    answer: str  # what cannot be done while the store does not answer
    store_timeout: tuple[float, float]  # seconds to connect, seconds to answer

    def answer_errors(self) -> None:
        """Make the app being loaded answer every error in the store's shape (call it while main.py loads)."""
        functions_framework.errorhandler(Exception)(self.refused)

    def refused(self, error: Exception) -> flask.Response:
        """Answer a refusal, an HTTP error or an unexpected failure in the store's error shape."""
        if isinstance(error, HTTPException):
            error = FunctionError(error.code or 500, "There is nothing to answer at this address.")
        elif not isinstance(error, FunctionError):
            logging.getLogger(self.name).exception("%s failed", self.name)
            error = FunctionError(500, f"The {self.name} function hit an unexpected problem.")
        details = [{"field": error.field, "message": error.error}] if error.field else []
        response = json_response({"status": error.status, "error": error.error, "details": details}, error.status)
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="campus-helpdesk"'
        return response

    def check_request(self, request: flask.Request) -> dict[str, str]:
        """Refuse a missing token (when one is configured), other methods, unknown and repeated parameters."""
        token = os.environ.get("HELPDESK_API_TOKEN")
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if token and (scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode())):
            raise FunctionError(401, "This function needs a valid API token: send Authorization: Bearer <token>.")
        if request.method not in ("GET", "HEAD"):
            raise FunctionError(405, "This function answers GET requests only.")
        for name in request.args:
            if name not in self.parameters:
                raise FunctionError(400, f"Unknown parameter {name!r}: this function takes {self.takes}.", name)
            if len(request.args.getlist(name)) > 1:
                raise FunctionError(400, f"The parameter {name} is given more than once.", name)
        return request.args.to_dict()

    def ask_store(self, path: str, query: dict[str, str] | None = None,
                  body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Ask the store as staff for an aggregate (POST when there is a *body*); refuse in words when it cannot."""
        log = logging.getLogger(self.name)
        base = (os.environ.get("HELPDESK_STORE_URL") or DEFAULT_STORE_URL).rstrip("/")
        token = os.environ.get("HELPDESK_API_TOKEN")
        headers = {"X-Helpdesk-Role": "staff", **({"Authorization": f"Bearer {token}"} if token else {})}
        try:
            response = requests.request("GET" if body is None else "POST", base + path, params=query, json=body,
                                        headers=headers, timeout=self.store_timeout)
            if response.status_code == 401:
                log.warning("the ticket store at %s refused this function's API token", base)
                raise FunctionError(502, "The ticket store refused this function's API token; "
                                         "check HELPDESK_API_TOKEN.")
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as error:
            log.warning("the ticket store at %s could not answer: %s", base, error)
            raise FunctionError(503, f"The ticket store does not answer right now, so {self.answer}; "
                                     "try again in a moment.") from None


def json_response(body: dict[str, Any], status: int = 200) -> flask.Response:
    """Return *body* as a JSON response, keeping non-ASCII letters as they are."""
    return flask.Response(json.dumps(body, ensure_ascii=False), status, mimetype="application/json")


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


def campus_zone() -> ZoneInfo:
    """Return the time zone named by HELPDESK_TIMEZONE (default UTC)."""
    name = os.environ.get("HELPDESK_TIMEZONE") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FunctionError(500, f"HELPDESK_TIMEZONE={name!r} is not an IANA time zone name such as "
                                 "Europe/Rome; the function's configuration needs fixing.") from None


def month_text(month: int) -> str:
    """Return a month number (year × 12 + month − 1) as YYYY-MM."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_range(first: int | None, last: int | None, now: datetime, zone: ZoneInfo) -> range:
    """Return the months from *first* to *last* (`from` and `to`, None where not given), both included;
    by default the 12 months up to now's month in *zone*."""
    given_from, given_to = first is not None, last is not None
    if last is None:
        try:
            local_now = now.astimezone(zone)
        except OverflowError:
            local_now = now
        last = local_now.year * 12 + local_now.month - 1
    if first is None:
        first = last - DEFAULT_MONTHS + 1
    if first > last:
        raise FunctionError(400, f"from ({month_text(first)}) must not be after to ({month_text(last)}"
                                 f"{'' if given_to else ', the month of now'}).", "from")
    if last - first + 1 > MAX_MONTHS:
        raise FunctionError(400, f"The range from {month_text(first)} to {month_text(last)} is longer than "
                                 f"{MAX_MONTHS} months; ask for a shorter one.", "from")
    if first < FIRST_MONTH or last > LAST_MONTH:
        raise FunctionError(400, f"The months must lie between {month_text(FIRST_MONTH)} and "
                                 f"{month_text(LAST_MONTH)}.", "from" if given_from else "now")
    return range(first, last + 1)


def month_edges(months: range, zone: ZoneInfo) -> list[str]:
    """Return the UTC instants at which each of *months* begins in *zone*, and the one after the last."""
    return [utc_text(datetime(month // 12, month % 12 + 1, 1, tzinfo=zone))
            for month in range(months.start, months.stop + 1)]
