"""A campus history with awkward edges, and the answers computed from it in plain Python.

The oracle here never asks how the functions or the store work: it converts each ticket's
own opening time to local time, filters lists and takes means and medians with statistics.
"""
from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
NOW = datetime(2024, 11, 15, 12, 0, tzinfo=UTC)
CATEGORIES = ("facility", "it", "services")
LABELS = {"facility": "Facility management", "it": "Technical IT", "services": "Services complaints"}
CSV_HEADER = "title,description,location,reporter,category,status,opened_at,closed_at"


@dataclass(frozen=True)
class Ticket:
    category: str
    status: str
    opened_at: datetime
    closed_at: datetime | None = None


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


EDGE_TICKETS = [
    Ticket("it", "open", NOW - timedelta(hours=24)),  # exactly the start of hours=24: counted
    Ticket("facility", "open", NOW - timedelta(hours=24, microseconds=1)),  # just before it: not counted
    Ticket("services", "active", NOW),  # exactly now: counted
    Ticket("it", "open", NOW + timedelta(microseconds=1)),  # after now: not there yet
    Ticket("facility", "closed", NOW - timedelta(hours=2), NOW + timedelta(hours=1)),  # closed only after now
    Ticket("it", "closed", NOW - timedelta(hours=3), NOW),  # closed exactly at now
    Ticket("services", "closed", NOW - timedelta(days=7), NOW - timedelta(days=6)),  # exactly the start of days=7
    Ticket("it", "closed", at("2024-03-31T22:30:00Z"), at("2024-04-01T08:15:30Z")),  # April in Rome, March in UTC
    Ticket("facility", "closed", at("2024-02-29T23:00:00Z"), at("2024-03-02T23:00:00Z")),  # 1 March 00:00 in Rome
    Ticket("facility", "closed", at("2024-02-29T22:59:59.999999Z"), at("2024-03-01T10:00:00Z")),  # still February
    Ticket("services", "closed", at("2024-03-31T00:59:59Z"), at("2024-03-31T02:00:00Z")),  # just before DST starts
    Ticket("services", "closed", at("2024-03-31T01:00:00Z"), at("2024-03-31T03:00:00Z")),  # just after it
    Ticket("it", "closed", at("2024-10-27T00:30:00Z"), at("2024-10-27T01:30:00Z")),  # the hour that repeats
    Ticket("it", "closed", at("2024-10-31T22:59:59Z"), at("2024-11-01T09:00:00Z")),  # October in Rome
    Ticket("facility", "closed", at("2024-10-31T23:00:00Z"), at("2024-11-04T09:00:00Z")),  # November in Rome
    Ticket("services", "open", at("2023-08-20T10:00:00Z")),  # a month with tickets but nothing closed
]


def make_history(count: int = 600, seed: int = 2024) -> list[Ticket]:
    """Return the edge tickets and *count* random ones from September 2023 to December 2024."""
    rng = random.Random(seed)
    start, end = at("2023-09-01T00:00:00Z"), at("2024-12-20T00:00:00Z")
    tickets = list(EDGE_TICKETS)
    for _ in range(count):
        opened = start + timedelta(microseconds=rng.randrange(int((end - start).total_seconds() * 1e6)))
        status = rng.choices(["open", "active", "closed"], weights=[1, 1, 4])[0]
        closed = opened + timedelta(seconds=rng.randrange(60, 30 * 86400)) if status == "closed" else None
        tickets.append(Ticket(rng.choice(CATEGORIES), status, opened, closed))
    return tickets


def history_csv(tickets: list[Ticket]) -> str:
    """Return *tickets* as the store's import CSV, with explicit timestamps."""

    def text(moment: datetime | None) -> str:
        return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    lines = [f",Ticket {number} from the history,Building A,,{ticket.category},{ticket.status},"
             f"{text(ticket.opened_at)},{text(ticket.closed_at)}" for number, ticket in enumerate(tickets)]
    return "\n".join([CSV_HEADER, *lines]) + "\n"


def status_at(ticket: Ticket, moment: datetime) -> str | None:
    """Return the ticket's status at *moment* (None before it was opened)."""
    if ticket.opened_at > moment:
        return None
    if ticket.closed_at is not None and ticket.closed_at <= moment:
        return "closed"
    return "open" if ticket.status == "open" else "active"


def open_since_answer(tickets: list[Ticket], since: datetime, until: datetime) -> dict:
    """Count tickets opened from *since* to *until*, both included, not closed at *until*."""
    hits = [(ticket, status_at(ticket, until)) for ticket in tickets if since <= ticket.opened_at <= until]
    hits = [(ticket, status) for ticket, status in hits if status in ("open", "active")]
    return {"count": len(hits),
            "by_status": {status: sum(1 for _, s in hits if s == status) for status in ("open", "active")},
            "by_category": {category: sum(1 for t, _ in hits if t.category == category) for category in CATEGORIES}}


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m")


def figures(opened: list[Ticket], now: datetime) -> dict:
    hours = [(t.closed_at - t.opened_at).total_seconds() / 3600 for t in opened
             if t.closed_at is not None and t.closed_at <= now]
    return {"opened": len(opened), "closed": len(hours),
            "avg_resolution_hours": statistics.mean(hours) if hours else None,
            "median_resolution_hours": statistics.median(hours) if hours else None}


def resolution_answer(tickets: list[Ticket], zone: ZoneInfo, months: list[str], now: datetime) -> dict:
    """Return the figures per local opening month and over all of *months*."""
    known = [ticket for ticket in tickets if ticket.opened_at <= now]
    return {
        "months": [{"month": month, **figures([t for t in known if month_of(t.opened_at, zone) == month], now)}
                   for month in months],
        "overall": figures([t for t in known if month_of(t.opened_at, zone) in months], now),
    }


def category_active_answer(tickets: list[Ticket], now: datetime) -> dict:
    active = [ticket for ticket in tickets if status_at(ticket, now) == "active"]
    categories = [{"category": category, "label": LABELS[category],
                   "active": sum(1 for ticket in active if ticket.category == category)} for category in CATEGORIES]
    return {"categories": categories, "total_active": len(active)}


def month_list(first: str, last: str) -> list[str]:
    """Return the months from *first* to *last*, both included, as YYYY-MM."""
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
