"""The rules of reporting a problem once: photos per ticket, "me too", merging duplicates.

Like rules.py they know tickets as records and nothing of HTTP or SQL; each refusal is a Refusal.
"""
from __future__ import annotations

from .rules import Refusal, TicketRecord, refuse_closed

MAX_PHOTOS = 20


class TooMany(Refusal):
    """The ticket already holds as many photos as a ticket may."""


class CannotMerge(Refusal):
    """The merge asked for would lose a ticket or make a loop."""


def refuse_more_photos(ticket: TicketRecord, role: str) -> None:
    """Refuse a photo for a closed ticket or for one that already has MAX_PHOTOS."""
    refuse_closed(ticket, role, "given photos")
    if ticket["attachment_count"] >= MAX_PHOTOS:
        raise TooMany(f"Ticket #{ticket['id']} already has {MAX_PHOTOS} photos, as many as a ticket may hold.")


def refuse_merge(duplicate: TicketRecord, main: TicketRecord | None, role: str) -> None:
    """Refuse merging *duplicate* into *main* unless both are not closed and are two tickets."""
    refuse_closed(duplicate, role, "merged")
    if main is None:
        return
    if main["id"] == duplicate["id"]:
        raise CannotMerge(f"Ticket #{duplicate['id']} cannot be merged into itself; name the main ticket.")
    if main["status"] == "closed":
        where = f" (it was merged into #{main['merged_into']})" if main.get("merged_into") else ""
        raise CannotMerge(f"Ticket #{main['id']} is closed{where}; merge into a ticket that is open or active.")
