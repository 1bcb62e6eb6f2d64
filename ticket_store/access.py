"""Who is asking: the optional service token and the caller's role."""
from __future__ import annotations

import hmac

from flask import current_app, g, request

from .errors import BadRequest, Unauthorized
from .rules import ROLES

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

