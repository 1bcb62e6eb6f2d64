"""What staff ask of the store beyond the everyday: own, prioritise, note, change many; and the service levels."""

from __future__ import annotations

import os
from typing import Any, Iterable, Literal, TypedDict

from .service_errors import DEFAULT_TIMEOUT, ServiceUnavailable, json_body, send
from .settings import Settings, load_settings
from .store_client import Message, StoreClient, Ticket

BulkAction = Literal["status", "priority", "assignee"]
PRIORITIES = ("low", "normal", "high", "urgent")
DEFAULT_SERVICE_LEVELS_URL = "http://127.0.0.1:8064"
SERVICE_LEVELS_NAME = "service-levels analysis"
#: How a ticket's service-level state reads, and its badge's colour.
SLA_LABELS = {"ok": "On track", "at_risk": "At risk", "breached": "Breached"}
SLA_COLORS = {"ok": "success", "at_risk": "warning", "breached": "danger"}
PRIORITY_LABELS = {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"}


class BulkOutcome(TypedDict, total=False):
    """What became of one ticket of a bulk change."""

    id: int
    status: int
    error: str
    version: int


class BulkResults(TypedDict, total=False):
    results: list[BulkOutcome]
    changed: int
    refused: int


class StaffClient(StoreClient):
    """The store's staff routes, speaking as staff."""

    def __init__(self, settings: Settings | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        super().__init__("staff", settings, timeout)

    def take(self, ticket_id: int, version: int, name: str | None) -> Ticket:
        """Assign the ticket to *name* (None: nobody), guarded by the version on screen."""
        return self.update_ticket(ticket_id, version, {"assignee": name or None})

    def set_priority(self, ticket_id: int, version: int, priority: str) -> Ticket:
        """Set the ticket's priority, guarded by the version on screen."""
        return self.update_ticket(ticket_id, version, {"priority": priority})

    def post_note(self, ticket_id: int, body: str, author_name: str | None = None) -> Message:
        """Add an internal note, which campus users never see."""
        payload: dict[str, Any] = {"body": body, "internal": True}
        if author_name and author_name.strip():
            payload["author_name"] = author_name.strip()
        return self._call("POST", f"/tickets/{int(ticket_id)}/messages", json=payload)

    def change_many(self, ticket_ids: Iterable[int], action: BulkAction, value: Any) -> BulkResults:
        """Apply one action to many tickets; the answer says, per ticket, what happened."""
        body = {"ids": [int(ticket_id) for ticket_id in ticket_ids], "action": action, "value": value}
        return self._call("POST", "/tickets/bulk", json=body)


def service_levels(from_month: str | None = None, to_month: str | None = None,
                   settings: Settings | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Return the service_levels function's answer for the months from *from_month* to *to_month* (YYYY-MM)."""
    settings = settings or load_settings()
    url = (os.environ.get("HELPDESK_SERVICE_LEVELS_URL") or DEFAULT_SERVICE_LEVELS_URL).rstrip("/")
    headers = {"Accept": "application/json"}
    if settings.api_token:
        headers["Authorization"] = f"Bearer {settings.api_token}"
    params = {key: value for key, value in (("from", from_month), ("to", to_month)) if value}
    response = send("GET", url, service=SERVICE_LEVELS_NAME, headers=headers, params=params or None, timeout=timeout)
    answer = json_body(response, SERVICE_LEVELS_NAME)
    if not isinstance(answer, dict):
        raise ServiceUnavailable(f"The {SERVICE_LEVELS_NAME} sent an answer the web app cannot read.")
    return answer
