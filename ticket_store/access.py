"""Who is asking: the optional service token and the caller's role."""
from __future__ import annotations

import hmac
import re
from urllib.parse import unquote

from flask import current_app, g, request
from pydantic import TypeAdapter, ValidationError

from .errors import BadRequest, Unauthorized
from .payloads import text
from .rules import ROLES

NAME_HEADER = "X-Helpdesk-Name"
DISPLAY_NAME = TypeAdapter(text("author_name"))
LINE_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]")

OPEN_PATHS = ("/api/v1/health",)


def check_token() -> None:
    """Refuse requests without the configured bearer token (health excepted)."""
    token = current_app.config.get("API_TOKEN")
    if not token or request.path in OPEN_PATHS:
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Unauthorized("This service needs a valid API token: send the header Authorization: Bearer <token>.")


def read_role() -> None:
    """Remember the caller's role from X-Helpdesk-Role (absent means a campus user; empty is not a role)."""
    role = request.headers.get("X-Helpdesk-Role", "user").strip()
    if role not in ROLES:
        raise BadRequest("The X-Helpdesk-Role header must be 'user' or 'staff'.",
                         [{"field": "X-Helpdesk-Role", "message": "must be 'user' or 'staff'."}])
    g.role = role



def read_name() -> None:
    """Remember who is asking by the display name in X-Helpdesk-Name (percent-encoded UTF-8; optional)."""
    raw = request.headers.get(NAME_HEADER)
    g.name = None
    if raw is None:
        return
    try:
        name = unquote(raw, errors="strict")
        if LINE_BREAKS.search(name):  # a name is one line, unlike a message
            raise ValueError(name)
        g.name = DISPLAY_NAME.validate_python(name)
    except (ValueError, ValidationError):
        raise BadRequest(f"The {NAME_HEADER} header must be a plain-text name of at most 80 characters, "
                         "percent-encoded as UTF-8.",
                         [{"field": NAME_HEADER, "message": "must be plain text of at most 80 characters."}]) from None
