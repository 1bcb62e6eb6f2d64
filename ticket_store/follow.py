"""Follow links and ratings: a reporter's way back to their ticket without an account.

A follow token is 24 bytes in URL-safe base64: the ticket's id (8 bytes) and 128 random bits
(a split token: the id finds the row, the secret proves the link). Only its SHA-256 hash is
stored, in the ticket's own row (a plain hash is right for a secret of that entropy: there is
nothing to guess); a lookup reads the ticket by id and compares in constant time, and rotating
replaces the hash. Keeping it in the ticket's row spares every create a statement of its own.

Tokens issued before (migration 10) are 24 random bytes with one row each in follow_tokens,
looked up by hash; they keep working until staff rotate the ticket's link.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from . import rules
from .db import Database

if TYPE_CHECKING:
    from .tickets import Tickets

SECRET_BYTES = 16  # beside the ticket id's 8 bytes: 24 in all, 128 random bits
#: A token is 24 bytes in URL-safe base64: 32 characters of its alphabet; anything else cannot be one.
TOKEN_LENGTH = 32
TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
RATING_COLUMNS = "ticket_id, rating, comment, rated_at"


class NotRateable(rules.Refusal):
    """A rating before the ticket closed, or a second one."""


def token_hash(token: str) -> str:
    """Return the hex SHA-256 of *token*."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    """Return True when *token* has the form of a token this store issues."""
    return len(token) == TOKEN_LENGTH and set(token) <= TOKEN_ALPHABET


def new_token(ticket_id: int) -> str:
    """Return a new follow token for the ticket: its id and a fresh secret, in URL-safe base64."""
    return base64.urlsafe_b64encode(ticket_id.to_bytes(8, "big") + secrets.token_bytes(SECRET_BYTES)).decode()


def token_ticket_id(token: str) -> int:
    """Return the ticket id a token of today's form names (a token from before names a random one)."""
    return int.from_bytes(base64.urlsafe_b64decode(token)[:8], "big")


def rotate_token(db: Database, cursor: duckdb.DuckDBPyConnection, ticket_id: int, now: datetime) -> str:
    """Replace the ticket's follow token, revoking any from before migration 10 (call inside a write)."""
    db.insert_deferred_now(cursor)  # the ticket may have been created earlier in this group commit
    cursor.execute("UPDATE follow_tokens SET revoked_at = ? WHERE ticket_id = ? AND revoked_at IS NULL",
                   [now, ticket_id])
    token = new_token(ticket_id)
    cursor.execute("UPDATE tickets SET follow_hash = ? WHERE id = ?", [token_hash(token), ticket_id])
    return token


def ticket_id_for(cursor: duckdb.DuckDBPyConnection, token: str) -> int | None:
    """Return the id of the ticket a live *token* follows, or None."""
    if not looks_like_token(token):
        return None
    digest = token_hash(token)
    ticket_id = token_ticket_id(token)
    row = cursor.execute("SELECT follow_hash FROM tickets WHERE id = ?", [ticket_id]).fetchone() \
        if ticket_id < 2**63 else None
    if row is not None and row[0] is not None and hmac.compare_digest(row[0], digest):
        return ticket_id
    row = cursor.execute("SELECT token_hash, ticket_id FROM follow_tokens WHERE token_hash = ? AND revoked_at IS NULL",
                         [digest]).fetchone()
    if row is None or not hmac.compare_digest(row[0], digest):
        return None
    return row[1]


def rating_record(row: tuple | None) -> dict[str, Any] | None:
    """Return the API's rating from a database row."""
    if row is None:
        return None
    from .tickets import iso  # the ticket module imports this one

    ticket_id, rating, comment, rated_at = row
    return {"ticket_id": ticket_id, "rating": rating, "comment": comment, "rated_at": iso(rated_at)}


def fetch_rating(cursor: duckdb.DuckDBPyConnection, ticket_id: int) -> dict[str, Any] | None:
    """Return the ticket's rating, or None."""
    return rating_record(cursor.execute(f"SELECT {RATING_COLUMNS} FROM ratings WHERE ticket_id = ?",
                                        [ticket_id]).fetchone())


def refuse_rating(ticket: rules.TicketRecord, rated: bool) -> None:
    """Refuse a rating unless the ticket is closed and not rated yet."""
    if ticket["status"] != "closed":
        raise NotRateable(f"Ticket #{ticket['id']} is {ticket['status']}; it can be rated once it is closed.")
    if rated:
        raise NotRateable(f"Ticket #{ticket['id']} has been rated already; a ticket is rated once.")


class Following:
    """What a follow link may do with its ticket: read it, answer in its thread, rate it once closed."""

    def __init__(self, tickets: Tickets) -> None:
        self.tickets = tickets
        self.db = tickets.db

    def ticket_id(self, token: str) -> int | None:
        """Return the id of the ticket *token* follows, or None."""
        return ticket_id_for(self.db.cursor(), token)

    def rating(self, ticket_id: int) -> dict[str, Any] | None:
        """Return the ticket's rating, or None."""
        return fetch_rating(self.db.cursor(), ticket_id)

    def rotate(self, ticket_id: int) -> str:
        """Replace the ticket's follow token; mail the new link to the contact; return the new token once."""
        from . import outbox
        from .tickets import fetch_ticket_row

        def write(cursor: duckdb.DuckDBPyConnection) -> str:
            now = self.tickets.clock()
            token = rotate_token(self.db, cursor, ticket_id, now)
            ticket = self.tickets.record(fetch_ticket_row(cursor, ticket_id, now))
            outbox.enqueue(self.db, ticket, "follow_link", now, follow_token=token)
            return token

        return self.db.write(write)

    def rate(self, ticket_id: int, rating: int, comment: str | None) -> dict[str, Any]:
        """Store the rating of a closed ticket that has none, with a 'rated' event in its history."""
        from .tickets import fetch_ticket_row, record_event

        def write(cursor: duckdb.DuckDBPyConnection) -> dict[str, Any]:
            now = self.tickets.clock()
            ticket = self.tickets.record(fetch_ticket_row(cursor, ticket_id, now))
            refuse_rating(ticket, fetch_rating(cursor, ticket_id) is not None)
            # Inserted at once, not deferred: a second rating in the same group commit must see it.
            cursor.execute(f"INSERT INTO ratings ({RATING_COLUMNS}) VALUES (?, ?, ?, ?)",
                           [ticket_id, rating, comment, now])
            record_event(self.db, ticket_id, ticket["version"], now, "user", "rated", None, {"rating": rating})
            return rating_record((ticket_id, rating, comment, now))

        return self.db.write(write)
