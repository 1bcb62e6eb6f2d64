"""Talk to the ticket store about reporting once (SPEC 7.3): photos, similar tickets, "me too", merges, notices."""

from __future__ import annotations

import base64
from typing import Any

from .service_errors import send
from .store_client import SERVICE_NAME, StoreClient

#: What the store keeps of a photo; the browser is told the same before it sends one.
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_PHOTO_BYTES = 10 * 1024 * 1024


class ReportOnceClient(StoreClient):
    """The store's photo, duplicate and notice routes as methods, speaking as the client's role."""

    def similar(self, text: str, location: str | None = None, limit: int = 5) -> list[dict[str, Any]]:
        """Return the open and active tickets most likely about the same problem, best first."""
        params: dict[str, Any] = {"text": text, "limit": limit}
        if location and location.strip():
            params["location"] = location.strip()
        return self._call("GET", "/tickets/similar", params=params).get("items", [])

    def me_too(self, ticket_id: int, contact: str | None = None) -> dict[str, Any]:
        """Count this person as having the ticket's problem too; return the ticket."""
        body = {"contact": contact.strip()} if contact and contact.strip() else {}
        return self._call("POST", f"/tickets/{int(ticket_id)}/me-too", json=body)

    def merge(self, ticket_id: int, into: int) -> dict[str, Any]:
        """Close *ticket_id* as a duplicate of *into* (staff); return the closed duplicate."""
        return self._call("POST", f"/tickets/{int(ticket_id)}/merge", json={"into": int(into)})

    def notices(self, text: str | None = None, location: str | None = None) -> list[dict[str, Any]]:
        """Return the notices shown now; with text or location only those that match."""
        params = {name: value.strip() for name, value in (("text", text), ("location", location))
                  if value and value.strip()}
        return self._call("GET", "/notices", params=params).get("items", [])

    def publish_notice(self, text: str, ticket_id: int | None = None, location: str | None = None,
                       category: str | None = None) -> dict[str, Any]:
        """Publish a known-issue notice (staff)."""
        body: dict[str, Any] = {"text": text}
        for name, value in (("ticket_id", ticket_id), ("location", location), ("category", category)):
            if value not in (None, ""):
                body[name] = value
        return self._call("POST", "/notices", json=body)

    def withdraw_notice(self, notice_id: int) -> None:
        """Stop showing a notice (staff)."""
        send("DELETE", f"{self.settings.store_url}/api/v1/notices/{int(notice_id)}", service=SERVICE_NAME,
             headers=self._headers(), timeout=self.timeout)

    def photos(self, ticket_id: int) -> list[dict[str, Any]]:
        """Return the ticket's photos (without their bytes), oldest first."""
        return self._call("GET", f"/tickets/{int(ticket_id)}/attachments").get("items", [])

    def add_photo(self, ticket_id: int, data: bytes, content_type: str) -> dict[str, Any]:
        """Attach a photo (the raw image bytes) to the ticket."""
        return self._call("POST", f"/tickets/{int(ticket_id)}/attachments", data=data,
                          headers={"Content-Type": content_type})

    def photo_data_url(self, path: str) -> str:
        """Return a photo or thumbnail (its store path, e.g. /api/v1/attachments/3/thumbnail) as a data: URL."""
        response = send("GET", f"{self.settings.store_url}{path}", service=SERVICE_NAME,
                        headers=self._headers({"Accept": "image/*"}), timeout=self.timeout)
        return data_url(response.headers.get("Content-Type"), response.content)


def data_url(content_type: str | None, data: bytes) -> str:
    """Return photo bytes as a data: URL an <img> shows; empty for anything that is not a photo type."""
    kind = (content_type or "image/webp").split(";")[0]
    if kind not in PHOTO_TYPES:
        return ""
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def uploaded_photo(contents: str) -> tuple[str, bytes] | None:
    """Return the content type and bytes of a dcc.Upload's data: URL, or None when it is no photo type."""
    header, _, encoded = (contents or "").partition(",")
    content_type = header.removeprefix("data:").split(";")[0]
    if content_type not in PHOTO_TYPES:
        return None
    try:
        return content_type, base64.b64decode(encoded, validate=True)
    except ValueError:
        return None
