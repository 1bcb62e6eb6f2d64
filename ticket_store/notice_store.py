"""Known-issue notices in the database, and which of them match what a person is reporting."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from .similar import key_words, location_words
from .tickets import Tickets, iso, utc_now

if TYPE_CHECKING:
    from .records import Notice

NOTICE_COLUMNS = "id, text, category, location, ticket_id, expires_at, created_at"
#: A notice is shown until it is withdrawn, expires, or the ticket it was published from is closed.
ACTIVE = (
    "n.withdrawn_at IS NULL AND (n.expires_at IS NULL OR n.expires_at > ?) "
    "AND (n.ticket_id IS NULL OR NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = n.ticket_id AND t.status = 'closed'))"
)


def notice_record(row: tuple) -> Notice:
    """Return the API's notice from a database row."""
    id_, text, category, location, ticket_id, expires_at, created_at = row
    return {"id": id_, "text": text, "category": category, "location": location, "ticket_id": ticket_id,
            "expires_at": iso(expires_at), "created_at": iso(created_at)}


class Notices:
    """The known-issue notices of one database."""

    def __init__(self, tickets: Tickets) -> None:
        self.db = tickets.db

    def publish(self, text: str, category: str | None, location: str | None, ticket_id: int | None,
                expires_at: datetime | None) -> Notice:
        """Store a new notice; it is shown at once."""
        db = self.db

        def write(cursor: duckdb.DuckDBPyConnection) -> Notice:
            row = (db.reserve_ids("notices"), text, category, location, ticket_id, expires_at, utc_now())
            cursor.execute(f"INSERT INTO notices ({NOTICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", list(row))
            return notice_record(row)

        return db.write(write)

    def withdraw(self, notice_id: int) -> bool:
        """Stop showing the notice; False when there is no such notice still shown."""
        def write(cursor: duckdb.DuckDBPyConnection) -> bool:
            return cursor.execute("UPDATE notices SET withdrawn_at = ? WHERE id = ? AND withdrawn_at IS NULL "
                                  "RETURNING id", [utc_now(), notice_id]).fetchone() is not None

        return self.db.write(write)

    def active(self) -> list[Notice]:
        """Return the notices shown now, newest first."""
        rows = self.db.cursor().execute(
            f"SELECT {', '.join('n.' + c for c in NOTICE_COLUMNS.split(', '))} FROM notices n WHERE {ACTIVE} "
            "ORDER BY n.id DESC", [utc_now()]).fetchall()
        return [notice_record(row) for row in rows]

    def matching(self, text: str | None, location: str | None, category: str | None) -> list[Notice]:
        """Return the shown notices about what a person reports: shared words, the same place, the same category.

        A notice for a place is not shown for another place; one for a category not for another category.
        With no words yet, the notices of the place (or of the category) are shown.
        """
        words = set(key_words(text or "", limit=64))
        place = location_words(location)
        found: list[tuple[int, Notice]] = []
        for notice in self.active():
            if category and notice["category"] and notice["category"] != category:
                continue
            where = location_words(notice["location"])
            if place and where and not place & where:
                continue
            shared = len(words & set(key_words(f"{notice['text']} {notice['location'] or ''}", limit=64)))
            if shared or (not words and (place & where or (category and notice["category"] == category))):
                found.append((shared, notice))
        found.sort(key=lambda pair: (-pair[0], -pair[1]["id"]))
        return [notice for _, notice in found]
