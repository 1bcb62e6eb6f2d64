"""Talk to the ticket store (SPEC §3) over HTTP on behalf of one role."""

from __future__ import annotations

import re
from typing import Any, Iterable, Literal, TypedDict
from urllib.parse import quote

from .service_errors import DEFAULT_TIMEOUT, NotFound, json_body, send
from .settings import Settings, load_settings

Role = Literal["user", "staff"]
SERVICE_NAME = "ticket store"
NAME_HEADER = "X-Helpdesk-Name"
#: What a display name may not carry to the store: control characters and line breaks.
NOT_IN_A_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class Ticket(TypedDict, total=False):
    """A ticket as the store sends it."""

    id: int
    title: str | None
    description: str
    location: str | None
    reporter: str | None
    category: str
    category_source: str
    category_confidence: float
    needs_review: bool
    status: str
    opened_at: str
    updated_at: str
    closed_at: str | None
    version: int
    message_count: int
    language: str | None


class TicketPage(TypedDict, total=False):
    """One page of the ticket list, with the status counts when asked for."""

    items: list[Ticket]
    total: int
    limit: int
    offset: int
    counts: dict[str, int]


class Message(TypedDict, total=False):
    """One message in a ticket's thread."""

    id: int
    ticket_id: int
    author_role: str
    author_name: str | None
    body: str
    created_at: str


class Event(TypedDict, total=False):
    """One entry of a ticket's history."""

    id: int
    ticket_id: int
    at: str
    role: str
    kind: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    name: str | None


class Categorization(TypedDict, total=False):
    """The category a text would get."""

    category: str
    confidence: float
    scores: dict[str, float]
    explanation: list[str]


def name_header(name: str | None) -> str | None:
    """Return the display name as the store's X-Helpdesk-Name wants it (percent-encoded UTF-8), or None."""
    cleaned = " ".join(NOT_IN_A_NAME.sub(" ", name or "").split())[:80]
    return quote(cleaned, safe="") if cleaned else None


class StoreClient:
    """The store's API as methods, speaking as *role* and, when given, by the display *name*."""

    def __init__(
        self,
        role: str | None = "user",
        settings: Settings | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        *,
        name: str | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.role: Role = "staff" if role == "staff" else "user"
        self.timeout = timeout
        self.name = name_header(name)

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"X-Helpdesk-Role": self.role, "Accept": "application/json"}
        if self.name:
            headers[NAME_HEADER] = self.name
        if self.settings.api_token:
            headers["Authorization"] = f"Bearer {self.settings.api_token}"
        if extra:
            headers.update(extra)
        return headers

    def _call(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        response = send(
            method,
            f"{self.settings.store_url}/api/v1{path}",
            service=SERVICE_NAME,
            headers=self._headers(headers),
            timeout=self.timeout,
            **kwargs,
        )
        return json_body(response, SERVICE_NAME)

    def health(self) -> dict[str, Any]:
        """Return the store's health answer."""
        return self._call("GET", "/health")

    def list_tickets(
        self,
        *,
        statuses: Iterable[str] | None = None,
        category: str | None = None,
        query: str | None = None,
        needs_review: bool = False,
        sort: str | None = None,
        limit: int = 100,
        offset: int = 0,
        with_counts: bool = False,
        extra: dict[str, str] | None = None,
        language: str | None = None,
    ) -> TicketPage:
        """Return one page of tickets matching the filters, as the store sorts them.

        *extra* adds list parameters (staff filters such as assignee, priority, sla); the named
        arguments win over it.
        """
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        status_list = [status for status in (statuses or []) if status]
        if status_list:
            params["status"] = ",".join(status_list)
        if category:
            params["category"] = category
        if query and query.strip():
            params["q"] = query.strip()
        if needs_review:
            params["needs_review"] = "true"
        if sort:
            params["sort"] = sort
        if with_counts:
            params["with_counts"] = "true"
        for name, value in (extra or {}).items():
            params.setdefault(name, value)
        if language:
            params["language"] = language
        return self._call("GET", "/tickets", params=params)

    def get_ticket(self, ticket_id: int) -> Ticket:
        """Return one ticket."""
        return self._call("GET", f"/tickets/{int(ticket_id)}")

    def create_ticket(
        self,
        *,
        description: str,
        title: str | None = None,
        location: str | None = None,
        reporter: str | None = None,
    ) -> Ticket:
        """Create a ticket and return it as stored; empty optional fields are left out."""
        body: dict[str, Any] = {"description": description}
        for name, value in (("title", title), ("location", location), ("reporter", reporter)):
            if value is not None and value.strip():
                body[name] = value
        return self._call("POST", "/tickets", json=body)

    def update_ticket(self, ticket_id: int, version: int, changes: dict[str, Any]) -> Ticket:
        """Change fields of a ticket read at *version*.

        The store applies the change over messages, status changes and edits of other fields made
        since *version*; it raises StaleVersion, whose body's "current" is the ticket as it is now,
        when one of these fields was changed since.
        """
        return self._call(
            "PATCH",
            f"/tickets/{int(ticket_id)}",
            json=changes,
            headers={"If-Match": f'"{int(version)}"'},
        )

    def change_status(self, ticket_id: int, status: str, version: int | None = None) -> Ticket:
        """Move a ticket to *status* (staff only); with *version*, only if it has not changed (else StaleVersion)."""
        headers = {"If-Match": f'"{int(version)}"'} if version is not None else None
        return self._call("POST", f"/tickets/{int(ticket_id)}/status", json={"status": status}, headers=headers)

    def list_messages(self, ticket_id: int) -> list[Message]:
        """Return a ticket's thread, oldest first."""
        return self._call("GET", f"/tickets/{int(ticket_id)}/messages").get("items", [])

    def post_message(self, ticket_id: int, body: str, author_name: str | None = None) -> Message:
        """Add a message to a ticket's thread as this role."""
        payload: dict[str, Any] = {"body": body}
        if author_name and author_name.strip():
            payload["author_name"] = author_name.strip()
        return self._call("POST", f"/tickets/{int(ticket_id)}/messages", json=payload)

    def list_events(self, ticket_id: int) -> list[Event]:
        """Return a ticket's history, oldest first."""
        answer = self._call("GET", f"/tickets/{int(ticket_id)}/events")
        return answer.get("items", []) if isinstance(answer, dict) else answer

    def categorize(self, text: str) -> Categorization:
        """Return the category a ticket with *text* would get, changing nothing."""
        return self._call("POST", "/categorize", json={"text": text})


__all__ = [
    "Categorization",
    "Event",
    "Message",
    "NotFound",
    "StoreClient",
    "Ticket",
    "TicketPage",
]
