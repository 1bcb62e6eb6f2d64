"""The role and display name a person chose, as kept in the browser."""

from __future__ import annotations

import time
from typing import Any, Mapping, TypedDict

from .analytics_client import AnalyticsClient
from .store_client import Role, StoreClient

#: The ``dcc.Store(storage_type="local")`` that holds the choice, in the shell.
SESSION_ID = "shell-session"
#: The shell's ``dcc.Location``; pages navigate by writing its ``pathname``.
URL_ID = "shell-url"
#: The shell's ``dcc.Store`` of the last confirmation; pages write ``notice(...)`` to its ``data``.
NOTICE_ID = "shell-notice"
#: How long a confirmation stays on screen.
NOTICE_MS = 6000


class Session(TypedDict, total=False):
    """What the browser remembers: the role and an optional display name."""

    role: Role
    name: str


def role_of(session: Mapping[str, Any] | None) -> Role:
    """Return the chosen role; a person who has not chosen yet is a campus user."""
    if session and session.get("role") == "staff":
        return "staff"
    return "user"


def name_of(session: Mapping[str, Any] | None) -> str:
    """Return the chosen display name, or an empty string."""
    name = (session or {}).get("name") or ""
    return str(name).strip()[:80]


def has_chosen(session: Mapping[str, Any] | None) -> bool:
    """Return whether the person has chosen a role on the entry page or in the navbar."""
    return bool(session) and session.get("role") in ("user", "staff")  # type: ignore[union-attr]


def make_session(role: str | None, name: str | None) -> Session:
    """Return the session for a role choice and a name."""
    session = Session(role="staff" if role == "staff" else "user")
    cleaned = (name or "").strip()[:80]
    if cleaned:
        session["name"] = cleaned
    return session


def notice(text: str) -> dict[str, Any]:
    """Return a confirmation for the shell's toast; the same words twice still show twice."""
    return {"text": text, "at": time.time()}


def store_for(session: Mapping[str, Any] | None) -> StoreClient:
    """Return a store client speaking with the session's role and display name."""
    return StoreClient(role_of(session), name=name_of(session))


def analytics() -> AnalyticsClient:
    """Return a client for the analysis functions."""
    return AnalyticsClient()
