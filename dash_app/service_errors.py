"""Turn HTTP failures of the store and the functions into exceptions with a sentence.

Every call the web app makes goes through :func:`send`, so a refused connection, a
timeout or an error body always arrives in a callback as a :class:`ServiceError`
whose ``message`` can be shown to a person as it is.
"""

from __future__ import annotations

import threading
from typing import Any, TypedDict

import requests

#: (connect, read) seconds; the store answers list pages of a million tickets well within this.
DEFAULT_TIMEOUT: tuple[float, float] = (2.0, 10.0)

_local = threading.local()


class FieldError(TypedDict):
    """One invalid field named by an error body."""

    field: str
    message: str


class ServiceError(Exception):
    """A call to the store or a function that did not succeed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        details: list[FieldError] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.details: list[FieldError] = details or []
        self.body: dict[str, Any] = body or {}

    def field_messages(self) -> dict[str, str]:
        """Return the first message for each named field."""
        messages: dict[str, str] = {}
        for detail in self.details:
            name = detail.get("field") or ""
            if name and name not in messages:
                message = detail.get("message") or "This value is not accepted."
                messages[name] = message[:1].upper() + message[1:]
        return messages


class ServiceUnavailable(ServiceError):
    """The service could not be reached, timed out, or said it cannot work now."""


class NotFound(ServiceError):
    """The thing asked for does not exist (404)."""


class Forbidden(ServiceError):
    """The role may not do or see this (403)."""


class Conflict(ServiceError):
    """The workflow does not allow this (409), e.g. writing to a closed ticket."""


class StaleVersion(ServiceError):
    """Someone else changed the ticket since it was read (412)."""


class InvalidInput(ServiceError):
    """The service refused the input (400, 413, 422); ``details`` names the fields."""


_TYPES_BY_STATUS: dict[int, type[ServiceError]] = {
    400: InvalidInput,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: StaleVersion,
    413: InvalidInput,
    422: InvalidInput,
    428: StaleVersion,
    502: ServiceUnavailable,
    503: ServiceUnavailable,
    504: ServiceUnavailable,
}


def _session() -> requests.Session:
    # One pooled session per thread: keep-alive saves a connection set-up per callback.
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        _local.session = session
    return session


def error_from_response(response: requests.Response, service: str) -> ServiceError:
    """Return the exception for an error answer, using the body's sentence when it has one."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    sentence = body.get("error")
    if not isinstance(sentence, str) or not sentence.strip():
        sentence = _fallback_sentence(response.status_code, service)
    raw_details = body.get("details")
    details: list[FieldError] = []
    if isinstance(raw_details, list):
        for item in raw_details:
            if isinstance(item, dict):
                details.append(FieldError(field=str(item.get("field") or ""), message=str(item.get("message") or "")))
    kind = _TYPES_BY_STATUS.get(response.status_code)
    if kind is None:
        kind = ServiceUnavailable if response.status_code >= 500 else ServiceError
    return kind(sentence, status=response.status_code, details=details, body=body)


def _fallback_sentence(status: int, service: str) -> str:
    if status == 401:
        return f"The {service} refused the web app's credentials; check HELPDESK_API_TOKEN."
    if status == 403:
        return "Your role is not allowed to do this."
    if status == 404:
        return "This was not found."
    if status >= 500:
        return f"The {service} has a problem right now (HTTP {status}). Please try again in a moment."
    return f"The {service} refused the request (HTTP {status})."


def send(
    method: str,
    url: str,
    *,
    service: str,
    headers: dict[str, str] | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    **kwargs: Any,
) -> requests.Response:
    """Send one request; return the response when it succeeded, else raise a ServiceError."""
    try:
        try:
            response = _session().request(method, url, headers=headers, timeout=timeout, **kwargs)
        except requests.ConnectionError as exc:
            if isinstance(exc, requests.Timeout) or method.upper() not in ("GET", "HEAD"):
                raise
            # The server may have closed a kept-alive connection just as we reused it; a read can be sent again.
            response = _session().request(method, url, headers=headers, timeout=timeout, **kwargs)
    except requests.Timeout as exc:
        raise ServiceUnavailable(f"The {service} did not answer in time. Please try again in a moment.") from exc
    except requests.RequestException as exc:
        raise ServiceUnavailable(f"The {service} cannot be reached right now. Please try again in a moment.") from exc
    if response.status_code >= 400:
        raise error_from_response(response, service)
    return response


def json_body(response: requests.Response, service: str) -> Any:
    """Return the decoded JSON of a successful answer, or raise if it is not JSON."""
    try:
        return response.json()
    except ValueError as exc:
        raise ServiceUnavailable(f"The {service} sent an answer the web app cannot read.") from exc
