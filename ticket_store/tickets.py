"""Tickets, their messages and their history: every SQL statement behind a named method."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import duckdb

from . import rules, search
from .db import Database

if TYPE_CHECKING:  # the API's layer parses queries and describes records; here only their fields are used
    from .payloads import TicketQuery
    from .records import Ticket

TICKET_COLUMNS = (
    "id, title, description, location, reporter, category, category_source, category_confidence, "
    "status, opened_at, updated_at, closed_at, version, message_count"
)
MESSAGE_COLUMNS = "id, ticket_id, author_role, author_name, body, created_at"
EVENT_COLUMNS = "id, ticket_id, occurred_at, role, kind, old, new"
EDITABLE_FIELDS = ("title", "description", "location", "reporter")


def utc_now() -> datetime:
    """Return the current UTC time as a naive timestamp (how the database stores instants)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def iso(moment: datetime | None) -> str | None:
    """Return an ISO 8601 UTC timestamp ending in Z."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"  # strftime("%Y") drops the zeros of years < 1000


def ticket_record(row: tuple, review_threshold: float) -> Ticket:
    """Return the API's ticket from a database row."""
    (id_, title, description, location, reporter, category, source, confidence,
     status, opened_at, updated_at, closed_at, version, message_count) = row
    return {
        "id": id_, "title": title, "description": description, "location": location, "reporter": reporter,
        "category": category, "category_source": source, "category_confidence": confidence,
        "needs_review": source == "auto" and confidence < review_threshold,
        "status": status, "opened_at": iso(opened_at), "updated_at": iso(updated_at), "closed_at": iso(closed_at),
        "version": version, "message_count": message_count,
    }


def record_event(db: Database, ticket_id: int, version: int, at: datetime, role: str, kind: str,
                 old: dict | None, new: dict | None) -> None:
    """Append one entry to a ticket's history, with the ticket's version it produced."""
    db.insert_later("events", f"{EVENT_COLUMNS}, version",
                    (db.reserve_ids("events"), ticket_id, at, role, kind,
                     None if old is None else json.dumps(old), None if new is None else json.dumps(new), version))


def fetch_ticket_row(cursor: duckdb.DuckDBPyConnection, ticket_id: int) -> tuple | None:
    """Return the ticket's row, or None."""
    return cursor.execute(f"SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?", [ticket_id]).fetchone()


class Tickets:
    """The tickets of one database, with their threads and histories.

    *review_threshold* is the categorizer's: an automatic category less sure than that needs review.
    """

    def __init__(self, db: Database, review_threshold: float) -> None:
        self.db = db
        self.review_threshold = review_threshold

    def record(self, row: tuple) -> Ticket:
        """Return the API's ticket from a database row."""
        return ticket_record(row, self.review_threshold)

    def get_ticket(self, ticket_id: int) -> Ticket | None:
        """Return the ticket with *ticket_id*, or None."""
        row = fetch_ticket_row(self.db.cursor(), ticket_id)
        return None if row is None else self.record(row)

    def create_ticket(self, fields: dict[str, Any], category: str, confidence: float, role: str) -> Ticket:
        """Store a new open ticket and its 'created' event."""
        db = self.db

        def write(cursor: duckdb.DuckDBPyConnection) -> Ticket:
            now = utc_now()
            row = (db.reserve_ids("tickets"), fields.get("title"), fields["description"], fields.get("location"),
                   fields.get("reporter"), category, "auto", confidence, "open", now, now, None, 1, 0)
            db.insert_later("tickets", TICKET_COLUMNS, row)
            for posting in search.posting_rows(row[0], fields):
                db.insert_later("ticket_terms", "term, ticket_id, weight", posting)
            ticket = self.record(row)
            created = {key: ticket[key] for key in (*EDITABLE_FIELDS, "category", "category_confidence", "status")}
            record_event(db, ticket["id"], 1, now, role, "created", None, created)
            return ticket

        return db.write(write)

    def update_ticket(self, ticket_id: int, changes: dict[str, Any], role: str, expected: int | None) -> Ticket:
        """Apply *changes* to the ticket the caller saw at version *expected* (None: any version).

        Refused when the ticket is closed, or when a field being changed was changed after *expected*.
        """
        db = self.db

        def write(cursor: duckdb.DuckDBPyConnection) -> Ticket:
            current = self.record(fetch_ticket_row(cursor, ticket_id))
            rules.refuse_closed(current, role, "edited")
            rules.refuse_conflicting_edit(current, expected, changes,
                                          lambda version: self.fields_changed_since(cursor, ticket_id, version))
            edited = {key: value for key, value in changes.items() if key in EDITABLE_FIELDS and current[key] != value}
            recategorized = "category" in changes and (
                current["category"] != changes["category"] or current["category_source"] != "staff"
            )
            if not edited and not recategorized:
                return current
            now = utc_now()
            version = current["version"] + 1
            assignments = {**edited, "updated_at": now, "version": version}
            if edited:
                db.insert_deferred_now(cursor)  # the ticket's terms may still wait in this group commit
                search.replace_terms(cursor, ticket_id, current, {**current, **edited})
            if recategorized:
                assignments.update(category=changes["category"], category_source="staff")
            cursor.execute(
                f"UPDATE tickets SET {', '.join(f'{key} = ?' for key in assignments)} WHERE id = ?",
                [*assignments.values(), ticket_id],
            )
            if edited:
                record_event(db, ticket_id, version, now, role, "edited",
                             {key: current[key] for key in edited}, edited)
            if recategorized:
                record_event(db, ticket_id, version, now, role, "category_changed",
                             {"category": current["category"], "category_source": current["category_source"]},
                             {"category": changes["category"], "category_source": "staff"})
            return self.record(fetch_ticket_row(cursor, ticket_id))

        return db.write(write)

    def fields_changed_since(self, cursor: duckdb.DuckDBPyConnection, ticket_id: int, version: int) -> set[str]:
        """Return the patchable fields of the ticket that edits after *version* changed (call inside a write)."""
        self.db.insert_deferred_now(cursor)  # an earlier edit in this group commit may be the one
        rows = cursor.execute(
            "SELECT new FROM events WHERE ticket_id = ? AND version > ? AND kind IN ('edited', 'category_changed')",
            [ticket_id, version],
        ).fetchall()
        changed = {key for (new,) in rows for key in json.loads(new)}
        return changed & set(rules.PATCHABLE_FIELDS)

    def change_status(self, ticket_id: int, status: str, role: str, expected: int | None) -> Ticket:
        """Move the ticket to *status* if the workflow allows it and it is still at version *expected*."""
        db = self.db

        def write(cursor: duckdb.DuckDBPyConnection) -> Ticket:
            current = self.record(fetch_ticket_row(cursor, ticket_id))
            rules.refuse_transition(current, status)
            rules.refuse_stale(current, expected)
            now = utc_now()
            closed_at = now if status == "closed" else None
            cursor.execute(
                "UPDATE tickets SET status = ?, closed_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                [status, closed_at, now, ticket_id],
            )
            record_event(db, ticket_id, current["version"] + 1, now, role, "status_changed",
                         {"status": current["status"]}, {"status": status})
            return self.record(fetch_ticket_row(cursor, ticket_id))

        return db.write(write)

    def post_message(self, ticket_id: int, body: str, author_name: str | None, role: str) -> dict[str, Any]:
        """Add a message under a ticket that is not closed; it counts as a change of the ticket."""
        db = self.db

        def write(cursor: duckdb.DuckDBPyConnection) -> dict[str, Any]:
            current = self.record(fetch_ticket_row(cursor, ticket_id))
            rules.refuse_closed(current, role, "answered")
            now = utc_now()
            message_id = db.reserve_ids("messages")
            db.insert_later("messages", MESSAGE_COLUMNS, (message_id, ticket_id, role, author_name, body, now))
            cursor.execute(
                "UPDATE tickets SET message_count = message_count + 1, updated_at = ?, version = version + 1 "
                "WHERE id = ?",
                [now, ticket_id],
            )
            record_event(db, ticket_id, current["version"] + 1, now, role, "message_posted", None,
                         {"message_id": message_id, "author_name": author_name})
            return message_record((message_id, ticket_id, role, author_name, body, now))

        return db.write(write)

    def list_messages(self, ticket_id: int) -> list[dict[str, Any]]:
        """Return the ticket's thread, oldest first."""
        rows = self.db.cursor().execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE ticket_id = ? ORDER BY created_at, id", [ticket_id]
        ).fetchall()
        return [message_record(row) for row in rows]

    def list_events(self, ticket_id: int) -> list[dict[str, Any]]:
        """Return the ticket's history, oldest first."""
        rows = self.db.cursor().execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE ticket_id = ? ORDER BY occurred_at, id", [ticket_id]
        ).fetchall()
        return [
            {"id": id_, "ticket_id": tid, "at": iso(at), "role": role, "kind": kind,
             "old": None if old is None else json.loads(old), "new": None if new is None else json.loads(new)}
            for id_, tid, at, role, kind, old, new in rows
        ]

    def list_tickets(self, query: TicketQuery) -> dict[str, Any]:
        """Return one page of tickets matching *query*, the total, and optionally counts per status."""
        cursor = self.db.cursor()
        words = search.SearchWords(query.q or "")
        lookups = words.rarest_first(cursor)
        sort = query.sort
        if sort == "relevance":
            if lookups:
                return self.list_by_relevance(query, words, lookups)
            sort = "-id"  # nothing to weigh: newest first
        where, params = ticket_filters(query, self.review_threshold, order=lookups)
        column = sort.removeprefix("-")
        direction = "DESC" if sort.startswith("-") else "ASC"
        order = f"ORDER BY {column} {direction} NULLS LAST, id {direction}"
        # Sort only the narrow key columns to find the page's ids, then fetch those whole rows by
        # their ids: deep offsets stay cheap because the wide text columns are never sorted, and a
        # page whose tickets lie all over the table (sorted by title, say) is looked up by key
        # instead of joined against every row (at 1M tickets: 6 ms instead of 50).
        ids = [row[0] for row in cursor.execute(
            f"SELECT id FROM tickets WHERE {where} {order} LIMIT ? OFFSET ?", [*params, query.limit, query.offset]
        ).fetchall()]
        rows = cursor.execute(
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE id IN ({', '.join('?' * len(ids))}) {order}", ids
        ).fetchall() if ids else []
        return self.page(query, rows, lookups)

    def list_by_relevance(self, query: TicketQuery, words: search.SearchWords, order: list[str]) -> dict[str, Any]:
        """Return one page of the tickets matching *query*'s words, best matches first (newest among equals)."""
        cursor = self.db.cursor()
        where, params = ticket_filters(query, self.review_threshold, with_text=False)
        matches, match_params = search.matches_sql(words, order)
        ids = [row[0] for row in cursor.execute(
            f"SELECT id FROM tickets JOIN ({matches}) found ON found.ticket_id = tickets.id WHERE {where} "
            "ORDER BY found.score DESC, id DESC LIMIT ? OFFSET ?", [*match_params, *params, query.limit, query.offset]
        ).fetchall()]
        found = {row[0]: row for row in cursor.execute(
            f"SELECT {TICKET_COLUMNS} FROM tickets WHERE id IN ({', '.join('?' * len(ids))})", ids
        ).fetchall()} if ids else {}
        return self.page(query, [found[id_] for id_ in ids], order)

    def page(self, query: TicketQuery, rows: list[tuple], order: list[str]) -> dict[str, Any]:
        """Return the list's page of *rows*, with the total and optionally the counts per status."""
        cursor = self.db.cursor()
        where, params = ticket_filters(query, self.review_threshold, order=order)
        counts = None
        if query.with_counts:
            where_any_status, params = ticket_filters(query, self.review_threshold, with_status=False, order=order)
            found = dict(cursor.execute(
                f"SELECT status, count(*) FROM tickets WHERE {where_any_status} GROUP BY status", params
            ).fetchall())
            counts = {status: found.get(status, 0) for status in query.status or ("open", "active", "closed")}
            # The counts cover exactly the tickets the page's filters match, so they give the total
            # without a second scan (a text search at 1M tickets scans for hundreds of milliseconds).
            total = sum(counts.values())
        else:
            total = cursor.execute(f"SELECT count(*) FROM tickets WHERE {where}", params).fetchone()[0]
        page = {"items": [self.record(row) for row in rows], "total": total,
                "limit": query.limit, "offset": query.offset}
        if counts is not None:
            page["counts"] = counts
        return page

    def staff_corrections(self) -> list[tuple[str | None, str, str]]:
        """Return (title, description, category) of every ticket whose category staff corrected."""
        return self.db.cursor().execute(
            "SELECT t.title, t.description, t.category FROM tickets t "
            "WHERE t.category_source = 'staff' "
            "AND t.id IN (SELECT ticket_id FROM events WHERE kind = 'category_changed') ORDER BY t.id"
        ).fetchall()

    def ping(self) -> bool:
        """Return True when the database answers."""
        return self.db.cursor().execute("SELECT 1").fetchone()[0] == 1


def message_record(row: tuple) -> dict[str, Any]:
    """Return the API's message from a database row."""
    id_, ticket_id, role, name, body, created_at = row
    return {"id": id_, "ticket_id": ticket_id, "author_role": role, "author_name": name, "body": body,
            "created_at": iso(created_at)}


def ticket_filters(query: TicketQuery, review_threshold: float, with_status: bool = True,
                   with_text: bool = True, order: list[str] | None = None) -> tuple[str, list]:
    """Return the WHERE clause and parameters for the list's filters (a search's words, looked up in *order*:
    see search.py)."""
    clauses, params = ["TRUE"], []
    if with_status and query.status:
        clauses.append(f"status IN ({', '.join('?' * len(query.status))})")
        params += query.status
    if query.category:
        clauses.append(f"category IN ({', '.join('?' * len(query.category))})")
        params += query.category
    if query.opened_after is not None:
        clauses.append("opened_at >= ?")
        params.append(query.opened_after)
    if query.opened_before is not None:
        clauses.append("opened_at <= ?")
        params.append(query.opened_before)
    if query.needs_review is not None:
        review = "(category_source = 'auto' AND category_confidence < ?)"
        clauses.append(review if query.needs_review else f"NOT {review}")
        params.append(review_threshold)
    words = search.SearchWords(query.q or "")
    if with_text and len(words):  # a search with no words (only punctuation, say) filters nothing
        matches, match_params = search.matches_sql(words, order)
        clauses.append(f"id IN (SELECT ticket_id FROM ({matches}))")
        params += match_params
    return " AND ".join(clauses), params
