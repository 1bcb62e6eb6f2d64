"""Follow links from the web app: report with a contact, read and answer through a link, rate, QR codes.

The browser remembers the tickets it reported or followed ("My tickets") in local storage: a list
of {"id", "token", "title", "reported", "seen"} where *seen* counts the staff replies shown already.
"""

from __future__ import annotations

import base64
import io
import os
from typing import Any, Mapping
from urllib.parse import quote, urlencode

import segno

from .photos_client import data_url
from .service_errors import json_body, send
from .settings import Settings, load_settings

SERVICE_NAME = "ticket store"
#: The dcc.Store (local storage, in the shell) that holds the tickets this browser reported or followed.
MINE_ID = "follow-mine"
MINE_LIMIT = 200


class FollowClient:
    """The store's follow-link routes, as the web app calls them."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.api_token}"} if self.settings.api_token else {}

    def _call(self, method: str, path: str, role: str = "user", extra_headers: dict[str, str] | None = None,
              **kwargs: Any) -> Any:
        headers = {"X-Helpdesk-Role": role, "Accept": "application/json", **self._auth(), **(extra_headers or {})}
        response = send(method, f"{self.settings.store_url}/api/v1{path}", service=SERVICE_NAME, headers=headers,
                        **kwargs)
        return json_body(response, SERVICE_NAME)

    def report(self, fields: Mapping[str, str | None], role: str = "user") -> dict[str, Any]:
        """Create a ticket (empty optional fields left out); the answer carries its follow token."""
        body: dict[str, Any] = {"description": fields.get("description") or ""}
        for name in ("title", "location", "reporter", "contact"):
            value = fields.get(name)
            if value is not None and value.strip():
                body[name] = value
        return self._call("POST", "/tickets", role=role, json=body)

    def followed(self, token: str) -> dict[str, Any]:
        """Return the ticket behind *token* with its public thread and rating."""
        return self._call("GET", f"/follow/{quote(token, safe='')}")

    def post_message(self, token: str, body: str, author_name: str | None = None) -> dict[str, Any]:
        """Answer in the thread as the reporter."""
        payload: dict[str, Any] = {"body": body}
        if author_name and author_name.strip():
            payload["author_name"] = author_name.strip()
        return self._call("POST", f"/follow/{quote(token, safe='')}/messages", json=payload)

    def photos(self, token: str) -> list[dict[str, Any]]:
        """Return the followed ticket's photos, their addresses under the link, oldest first."""
        return self._call("GET", f"/follow/{quote(token, safe='')}/attachments").get("items", [])

    def add_photo(self, token: str, data: bytes, content_type: str) -> dict[str, Any]:
        """Attach a photo (the raw image bytes) to the followed ticket, as the reporter."""
        return self._call("POST", f"/follow/{quote(token, safe='')}/attachments", data=data,
                          extra_headers={"Content-Type": content_type})

    def photo_data_url(self, path: str) -> str:
        """Return a photo or thumbnail behind the link (its store path) as a data: URL."""
        headers = {"Accept": "image/*", **self._auth()}
        response = send("GET", f"{self.settings.store_url}{path}", service=SERVICE_NAME, headers=headers)
        return data_url(response.headers.get("Content-Type"), response.content)

    def rate(self, token: str, rating: int, comment: str | None = None) -> dict[str, Any]:
        """Rate the closed ticket, once."""
        payload: dict[str, Any] = {"rating": int(rating)}
        if comment and comment.strip():
            payload["comment"] = comment
        return self._call("POST", f"/follow/{quote(token, safe='')}/rating", json=payload)


def public_url(fallback: str | None = None) -> str:
    """Return the web app's address for links people keep: HELPDESK_PUBLIC_URL, else *fallback*."""
    configured = os.environ.get("HELPDESK_PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    if fallback is None:
        try:
            from flask import request

            fallback = request.host_url
        except RuntimeError:  # outside a request
            fallback = "http://127.0.0.1:8050"
    return fallback.rstrip("/")


def follow_url(token: str, base: str | None = None) -> str:
    """Return the follow page's absolute address for *token*."""
    return f"{public_url(base)}/follow/{quote(token, safe='')}"


def location_url(location: str, base: str | None = None) -> str:
    """Return the new-ticket page's address with *location* filled in."""
    return f"{public_url(base)}/tickets/new?{urlencode({'location': location})}"


def qr_svg(text: str, scale: int = 4) -> str:
    """Return a QR code of *text* as an SVG document."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False)
    return buffer.getvalue().decode()


def qr_png(text: str, scale: int = 10) -> bytes:
    """Return a QR code of *text* as PNG bytes (large enough to print)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def svg_data_uri(svg: str) -> str:
    """Return *svg* as a data: address an <img> shows."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def remember(mine: list[dict[str, Any]] | None, ticket: Mapping[str, Any], token: str, reported: bool,
             seen: int | None = None) -> list[dict[str, Any]]:
    """Return the browser's list with this ticket added or refreshed (newest first)."""
    entries = [entry for entry in (mine or []) if isinstance(entry, dict)]
    previous = next((entry for entry in entries if entry.get("token") == token), None)
    entry = {"id": ticket.get("id"), "token": token, "title": ticket.get("title") or ticket.get("description", "")[:80],
             "reported": reported or bool(previous and previous.get("reported")),
             "seen": seen if seen is not None else int((previous or {}).get("seen") or 0)}
    others = [item for item in entries if item.get("token") != token and item.get("id") != ticket.get("id")]
    return [entry, *others][:MINE_LIMIT]


def staff_replies(followed: Mapping[str, Any]) -> int:
    """Return how many staff replies the followed ticket's thread holds."""
    return sum(1 for message in followed.get("messages", []) if message.get("author_role") == "staff")
