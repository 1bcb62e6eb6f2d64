"""Words, labels and dates the pages show for tickets, messages and events."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

CATEGORY_LABELS: dict[str, str] = {
    "facility": "Facility management",
    "it": "Technical IT",
    "services": "Services complaints",
}
STATUS_LABELS: dict[str, str] = {"open": "Open", "active": "Active", "closed": "Closed"}
#: The languages the store detects in a ticket, as staff read them.
LANGUAGE_LABELS: dict[str, str] = {
    "en": "English", "it": "Italian", "de": "German", "fr": "French", "es": "Spanish", "other": "Other language",
}
#: Bootstrap colours of the status badges.
STATUS_COLORS: dict[str, str] = {"open": "primary", "active": "warning", "closed": "secondary"}
ROLE_LABELS: dict[str, str] = {"user": "Campus user", "staff": "Helpdesk staff"}
#: The only transition staff may make from each status (SPEC §2), with its button text.
NEXT_TRANSITION: dict[str, tuple[str, str]] = {
    "open": ("active", "Start work (mark active)"),
    "active": ("closed", "Close ticket"),
}
FIELD_LABELS: dict[str, str] = {
    "title": "title",
    "description": "description",
    "location": "location",
    "reporter": "name",
    "category": "category",
    "status": "status",
}
HEADING_LENGTH = 80


def parse_time(value: str | None) -> datetime | None:
    """Return the UTC instant of an ISO 8601 timestamp, or None when there is none."""
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant


def format_time(value: str | None, zone: ZoneInfo, *, with_zone: bool = True) -> str:
    """Return a timestamp as local campus time, e.g. ``2025-03-04 11:05 CET``."""
    instant = parse_time(value)
    if instant is None:
        return "—"
    local = instant.astimezone(zone)
    text = local.strftime("%Y-%m-%d %H:%M")
    return f"{text} {local.tzname()}" if with_zone else text


def relative_time(value: str | None, now: datetime | None = None) -> str:
    """Return how long ago a timestamp was, e.g. ``3 hours ago``."""
    instant = parse_time(value)
    if instant is None:
        return "—"
    seconds = ((now or datetime.now(timezone.utc)) - instant).total_seconds()
    if seconds < 0:
        return "just now" if seconds > -60 else "in the future"
    for size, unit in ((86_400 * 365, "year"), (86_400 * 30, "month"), (86_400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def language_label(language: str | None) -> str | None:
    """Return a ticket's language as people read it, or None when it is unknown."""
    return LANGUAGE_LABELS.get(language, language) if language else None


def category_label(category: str | None) -> str:
    """Return a category's name as people read it."""
    if not category:
        return "—"
    return CATEGORY_LABELS.get(category, category)


def status_label(status: str | None) -> str:
    """Return a status as people read it."""
    return STATUS_LABELS.get(status or "", status or "—")


def confidence_percent(confidence: Any) -> str:
    """Return a confidence between 0 and 1 as a whole percentage."""
    try:
        return f"{round(float(confidence) * 100)} %"
    except (TypeError, ValueError):
        return "—"


def ticket_heading(ticket: Mapping[str, Any], length: int = HEADING_LENGTH) -> str:
    """Return the ticket's title, or the start of its description when it has none."""
    title = (ticket.get("title") or "").strip()
    if title:
        return title
    description = " ".join((ticket.get("description") or "").split())
    if len(description) <= length:
        return description
    return description[: length - 1].rstrip() + "…"


def ticket_number(ticket_id: Any) -> str:
    """Return a ticket's number as shown everywhere, ``#123``."""
    return f"#{ticket_id}"


#: Set on a ticket the page read with its history when that history holds a category change.
CORRECTED = "category_corrected"


def category_source_text(ticket: Mapping[str, Any]) -> str:
    """Return how the ticket got its category, in words; only a recorded change is a correction.

    An imported ticket keeps the category the helpdesk gave it back then: that was set by
    staff, but nobody corrected it.
    """
    if ticket.get("category_source") == "staff":
        return "corrected by helpdesk staff" if ticket.get(CORRECTED) else "set by helpdesk staff"
    return f"assigned automatically, {confidence_percent(ticket.get('category_confidence'))} confidence"


def _value_text(field: str, value: Any, limit: int = 160) -> str:
    if value is None or value == "":
        return "(empty)"
    if field == "category":
        return category_label(str(value))
    if field == "status":
        return status_label(str(value))
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def event_sentence(event: Mapping[str, Any]) -> str:
    """Return one history entry as a sentence, e.g. ``Status changed: Open → Active``."""
    kind = event.get("kind")
    old = event.get("old") or {}
    new = event.get("new") or {}
    if kind == "created":
        return "Ticket opened"
    if kind == "imported":
        return "Ticket imported from the helpdesk's history"
    if kind == "message_posted":
        return "Message posted"
    if kind == "status_changed":
        return f"Status changed: {status_label(old.get('status'))} → {status_label(new.get('status'))}"
    if kind == "category_changed":
        change = f"{category_label(old.get('category'))} → {category_label(new.get('category'))}"
        if new.get("category_source") == "auto":
            confidence = confidence_percent(new.get("category_confidence"))
            return f"Category re-checked after the edit: {change} ({confidence} confidence)"
        return f"Category changed: {change}"
    if kind == "edited":
        fields = [name for name in new if name not in ("version", "updated_at")] or list(old)
        changes = [
            f"{FIELD_LABELS.get(name, name)}: {_value_text(name, old.get(name))} → {_value_text(name, new.get(name))}"
            for name in fields
        ]
        return "Edited — " + "; ".join(changes) if changes else "Edited"
    return str(kind or "Changed").replace("_", " ").capitalize()


def role_label(role: str | None) -> str:
    """Return a role as people read it."""
    return ROLE_LABELS.get(role or "user", role or "Campus user")
