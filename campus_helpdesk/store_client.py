"""Talk to a running ticket store as helpdesk staff, turning every failure into one sentence."""
from __future__ import annotations

import os
from typing import Any, BinaryIO, Iterator

import click
import requests

from .services import DEFAULT_STORE_URL

STAFF = "staff"
TIMEOUT = 10
BULK_TIMEOUT = 600  # a large import is validated and stored before the store answers


class StoreError(click.ClickException):
    """A data command could not do its work; the message is one sentence for the person at the terminal."""


def store_url() -> str:
    """Return the store's address from HELPDESK_STORE_URL (default http://127.0.0.1:8060)."""
    return (os.environ.get("HELPDESK_STORE_URL") or DEFAULT_STORE_URL).rstrip("/")


class StoreClient:
    """The ticket store's API, called as staff with the service token when one is configured."""

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        self.url = (url or store_url()).rstrip("/")
        self.token = token if token is not None else os.environ.get("HELPDESK_API_TOKEN") or None
        self.session = requests.Session()

    def headers(self, role: str = STAFF, **extra: str) -> dict[str, str]:
        """Return the role header, the token and *extra*."""
        headers = {"X-Helpdesk-Role": role, **extra}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def request(self, method: str, path: str, *, role: str = STAFF, timeout: float = TIMEOUT,
                headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        """Send one request; raise StoreError with a sentence for anything but a 2xx answer."""
        try:
            response = self.session.request(method, self.url + "/api/v1" + path, timeout=timeout,
                                            headers=self.headers(role, **(headers or {})), **kwargs)
        except requests.ConnectionError:
            raise StoreError(f"The ticket store at {self.url} does not answer; start it (campus-helpdesk store or "
                             "campus-helpdesk up) or point HELPDESK_STORE_URL to it.") from None
        except requests.Timeout:
            raise StoreError(f"The ticket store at {self.url} did not answer within {timeout:g} seconds.") from None
        if response.status_code >= 300:
            raise StoreError(self.explain(response))
        return response

    def explain(self, response: requests.Response) -> str:
        """Return the store's own sentence for a refused request, or one of ours when it gave none."""
        if response.status_code == 401:
            return (f"The ticket store at {self.url} needs its API token: set HELPDESK_API_TOKEN to the token "
                    "it was started with.")
        try:
            sentence = response.json().get("error")
        except (ValueError, AttributeError):
            sentence = None
        if sentence:
            return f"The ticket store refused the request ({response.status_code}): {sentence}"
        return f"The ticket store at {self.url} answered {response.status_code} {response.reason}."

    def ticket_count(self) -> int:
        """Return how many tickets the store holds."""
        return self.request("GET", "/tickets", params={"limit": 1}).json()["total"]

    def last_ticket_id(self) -> int:
        """Return the highest ticket id so far (0 for an empty store)."""
        items = self.request("GET", "/tickets", params={"limit": 1, "sort": "-id"}).json()["items"]
        return items[0]["id"] if items else 0

    def tickets(self, **params: Any) -> list[dict[str, Any]]:
        """Return one page of tickets for *params* (status, sort, limit, offset, ...)."""
        return self.request("GET", "/tickets", params=params).json()["items"]

    def import_tickets(self, body: bytes | BinaryIO | Iterator[bytes], content_type: str) -> int:
        """Import a CSV or NDJSON body (all or nothing) and return how many tickets were stored."""
        return self.request("POST", "/import", data=body, headers={"Content-Type": content_type},
                            timeout=BULK_TIMEOUT).json()["imported"]

    def export_tickets(self) -> requests.Response:
        """Return the streaming response of the CSV export."""
        return self.request("GET", "/export", stream=True, timeout=BULK_TIMEOUT)

    def post_message(self, ticket_id: int, body: str, role: str, author_name: str | None = None) -> dict[str, Any]:
        """Post a message under a ticket as *role*."""
        payload = {"body": body, **({"author_name": author_name} if author_name else {})}
        return self.request("POST", f"/tickets/{ticket_id}/messages", role=role, json=payload).json()
