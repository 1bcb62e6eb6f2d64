"""The outbox: every mail a change causes, queued in the change's own transaction, leased by the sender.

A mail is queued with the write that causes it, so a change and its mail commit together or not
at all. The sender (a separate process: only the store opens the database) leases due mails for a
while, delivers them, and reports each one sent or failed; a failed mail is due again after a
back-off, and a lease that runs out (the sender died) makes its mails due again. A ticket's mails
are delivered one after the other, in the order of its changes. One change causes
one outbox row; a row is delivered again only when a sender died between SMTP accepting it and
reporting it sent, and the mail's Message-ID is the row's, so such a copy is recognisable.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import duckdb

from .db import Database

MAIL_KINDS = ("created", "staff_reply", "status_changed", "follow_link", "me_too_added")
#: The mails "me too" people get as well as the reporter; the others are the reporter's own.
TO_EVERYONE = ("staff_reply", "status_changed")
OUTBOX_COLUMNS = ("id, ticket_id, kind, recipient, details, follow_token, skip, created_at, next_attempt_at, "
                  "attempts, leased_until, sent_at, given_up_at, last_error")
LEASED_COLUMNS = "id, ticket_id, kind, recipient, details, follow_token, attempts, created_at"
MAX_ATTEMPTS = 30
BACK_OFF_BASE = 30.0  # seconds before the second attempt; doubled after each failure
BACK_OFF_MAX = 3600.0
DESCRIPTION_IN_MAIL = 500


def enqueue(db: Database, ticket: dict[str, Any], kind: str, now: datetime, details: dict[str, Any] | None = None,
            follow_token: str | None = None, skip: bool = False,
            cursor: duckdb.DuckDBPyConnection | None = None) -> None:
    """Queue the mail *kind* about *ticket* to its contact, at the end of this write (call inside a write).

    A ticket without a contact gets no mail. A mail every follower gets (TO_EVERYONE) also goes to
    each "me too" person with a contact, one row per address, never with the follow token (the
    reporter's secret); *cursor* (the write's) reads them, only when the ticket counts any.
    *skip* keeps a row that must never be delivered (an internal note): it is recorded, never leased.
    """
    recipients = [(ticket["contact"], False)] if ticket.get("contact") else []
    if kind in TO_EVERYONE and ticket.get("me_too_count"):
        if cursor is None:
            raise ValueError(f"queueing {kind} for a ticket with me-too people needs the write's cursor")
        seen = {ticket["contact"].lower()} if ticket.get("contact") else set()
        for contact in me_too_contacts(cursor, ticket["id"]):
            if contact.lower() not in seen:
                seen.add(contact.lower())
                recipients.append((contact, True))
    for recipient, me_too in recipients:
        enqueue_to(db, ticket, kind, recipient, now, {**(details or {}), **({"me_too": True} if me_too else {})},
                   None if me_too else follow_token, skip)


def enqueue_to(db: Database, ticket: dict[str, Any], kind: str, recipient: str, now: datetime,
               details: dict[str, Any] | None = None, follow_token: str | None = None, skip: bool = False) -> None:
    """Queue one mail about *ticket* to *recipient* at the end of this write (call inside a write)."""
    about = {"id": ticket["id"], "title": ticket["title"], "location": ticket["location"],
             "status": ticket["status"], "description": ticket["description"][:DESCRIPTION_IN_MAIL]}
    db.insert_later("outbox", OUTBOX_COLUMNS, (
        db.reserve_ids("outbox"), ticket["id"], kind, recipient, json.dumps({"ticket": about, **(details or {})}),
        follow_token, skip, now, now, 0, None, None, None, None))


def me_too_contacts(cursor: duckdb.DuckDBPyConnection, ticket_id: int) -> list[str]:
    """Return the contacts of the ticket's "me too" people (merged ones included), first come first."""
    rows = cursor.execute("SELECT contact FROM me_toos WHERE ticket_id = ? AND contact IS NOT NULL ORDER BY id",
                          [ticket_id]).fetchall()
    return [contact for (contact,) in rows]


def lease(db: Database, limit: int, lease_seconds: float, now: datetime) -> list[dict[str, Any]]:
    """Lease up to *limit* due mails, oldest first, for *lease_seconds*; count the attempt."""

    def write(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
        # Only each ticket's oldest undelivered mail is due, so a ticket's mails arrive in the order
        # of its changes even with several senders at work (the first one opens the thread).
        rows = cursor.execute(
            f"SELECT {LEASED_COLUMNS} FROM outbox WHERE id IN ("
            "SELECT id FROM (SELECT id, next_attempt_at, leased_until, "
            "row_number() OVER (PARTITION BY ticket_id ORDER BY id) AS place FROM outbox "
            "WHERE sent_at IS NULL AND given_up_at IS NULL AND NOT skip) "
            "WHERE place = 1 AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?)"
            ") ORDER BY id LIMIT ?",
            [now, now, limit]).fetchall()
        if rows:
            cursor.execute(
                f"UPDATE outbox SET leased_until = ?, attempts = attempts + 1 "
                f"WHERE id IN ({', '.join('?' * len(rows))})",
                [now + timedelta(seconds=lease_seconds), *(row[0] for row in rows)])
        return [mail_record(row) for row in rows]

    return db.write(write)


def mark_sent(db: Database, mail_id: int, now: datetime) -> bool:
    """Record that SMTP accepted the mail, and forget its follow token; False when there is no such mail."""

    def write(cursor: duckdb.DuckDBPyConnection) -> bool:
        found = cursor.execute("SELECT sent_at FROM outbox WHERE id = ?", [mail_id]).fetchone()
        if found is None:
            return False
        if found[0] is None:
            cursor.execute("UPDATE outbox SET sent_at = ?, leased_until = NULL, follow_token = NULL WHERE id = ?",
                           [now, mail_id])
        return True

    return db.write(write)


def exists(db: Database, mail_id: int) -> bool:
    """Return True when the outbox holds the mail *mail_id*."""
    return db.cursor().execute("SELECT count(*) FROM outbox WHERE id = ?", [mail_id]).fetchone()[0] > 0


def back_off(attempts: int) -> float:
    """Return the seconds to wait after the *attempts*-th failed attempt."""
    return min(BACK_OFF_BASE * 2 ** max(attempts - 1, 0), BACK_OFF_MAX)


def mark_failed(db: Database, mail_id: int, error: str, retry_after: float | None, permanent: bool,
                now: datetime) -> dict[str, Any] | None:
    """Record a failed attempt: due again after a back-off, or given up (permanent, or too many attempts)."""

    def write(cursor: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
        found = cursor.execute("SELECT attempts, sent_at FROM outbox WHERE id = ?", [mail_id]).fetchone()
        if found is None:
            return None
        attempts, sent_at = found
        if sent_at is not None:  # a late report from a sender whose lease ran out: the mail went
            return status_record(cursor, mail_id)
        if permanent or attempts >= MAX_ATTEMPTS:
            cursor.execute("UPDATE outbox SET given_up_at = ?, leased_until = NULL, follow_token = NULL, "
                           "last_error = ? WHERE id = ?", [now, error, mail_id])
        else:
            wait = back_off(attempts) if retry_after is None else retry_after
            cursor.execute("UPDATE outbox SET next_attempt_at = ?, leased_until = NULL, last_error = ? WHERE id = ?",
                           [now + timedelta(seconds=wait), error, mail_id])
        return status_record(cursor, mail_id)

    return db.write(write)


def status_record(cursor: duckdb.DuckDBPyConnection, mail_id: int) -> dict[str, Any]:
    """Return where one mail stands."""
    from .tickets import iso  # the ticket module imports this one

    attempts, next_attempt_at, sent_at, given_up_at, last_error = cursor.execute(
        "SELECT attempts, next_attempt_at, sent_at, given_up_at, last_error FROM outbox WHERE id = ?",
        [mail_id]).fetchone()
    return {"id": mail_id, "attempts": attempts, "next_attempt_at": iso(next_attempt_at), "sent_at": iso(sent_at),
            "given_up_at": iso(given_up_at), "last_error": last_error}


def counts(db: Database, now: datetime) -> dict[str, int]:
    """Return how many mails are due, waiting for a retry, leased, sent, given up and skipped."""
    row = db.cursor().execute(
        "SELECT count(*) FILTER (WHERE NOT skip AND sent_at IS NULL AND given_up_at IS NULL "
        "AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?)), "
        "count(*) FILTER (WHERE NOT skip AND sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at > ?), "
        "count(*) FILTER (WHERE sent_at IS NULL AND leased_until > ?), "
        "count(*) FILTER (WHERE sent_at IS NOT NULL), count(*) FILTER (WHERE given_up_at IS NOT NULL), "
        "count(*) FILTER (WHERE skip) FROM outbox", [now, now, now, now]).fetchone()
    return dict(zip(("due", "waiting", "leased", "sent", "given_up", "skipped"), (value or 0 for value in row)))


def mail_record(row: tuple) -> dict[str, Any]:
    """Return a leased mail as the sender gets it."""
    from .tickets import iso  # the ticket module imports this one

    mail_id, ticket_id, kind, recipient, details, follow_token, attempts, created_at = row
    return {"id": mail_id, "ticket_id": ticket_id, "kind": kind, "recipient": recipient,
            "details": json.loads(details), "follow_token": follow_token, "attempts": attempts + 1,
            "created_at": iso(created_at)}
