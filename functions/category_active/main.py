"""category_active: how many tickets are active in each category right now (or at `now`).

A functions-framework HTTP function that deploys on its own: it imports nothing from the rest of the
repository and reads only aggregates from the ticket store at HELPDESK_STORE_URL.
"""
import hmac
import json
import logging
import os
import re
from datetime import datetime, timezone
from typing import Any

import flask
import functions_framework
import requests
from werkzeug.exceptions import HTTPException

FUNCTION = "category_active"
PARAMETERS, TAKES = ("now",), "only now"
ANSWER = "active tickets cannot be counted"  # what cannot be done while the store does not answer
STORE_TIMEOUT = (2, 10)  # seconds to connect, seconds to answer
LABELS = {"facility": "Facility management", "it": "Technical IT", "services": "Services complaints"}


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


@functions_framework.http
def category_active(request: flask.Request) -> flask.Response:
    """Count the tickets active at `now` in each category, all three listed, zeros included."""
    args = check_request(request)
    now = read_now(args)
    figures = ask_store("/api/v1/analytics/active", {"at": utc_text(now)})
    categories = [{"category": category, "label": label, "active": figures["by_category"].get(category, 0)}
                  for category, label in LABELS.items()]
    return json_response({"now": utc_text(now), "categories": categories,
                          "total_active": sum(item["active"] for item in categories)})
