"""Tickets, their messages and their history: every SQL statement behind a named method."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable

import duckdb
import pyarrow as pa

from . import follow, known_clocks, known_titles, outbox, rules, search
from .db import Database
from .known_dictionary import KnownDictionary
from .known_tickets import KnownTickets
from .service_levels import DEFAULT_TARGETS, Target, due_times, sla_state_sql

if TYPE_CHECKING:  # the API's layer parses queries and describes records; here only their fields are used
    from .payloads import TicketQuery
    from .records import Ticket

TICKET_COLUMNS = (
    "id, title, description, location, reporter, category, category_source, category_confidence, "
    "status, opened_at, updated_at, closed_at, version, message_count, "
    "priority, assignee, first_response_at, response_due_at, resolution_due_at, public_message_count, language, "
    "contact, attachment_count, me_too_count, merged_into"
)
#: Stored beside the due times, so that sla_state compares timestamps only (see service_levels).
RISK_COLUMNS = "response_risk_at, resolution_risk_at"
MESSAGE_COLUMNS = "id, ticket_id, author_role, author_name, body, created_at, internal"
EVENT_COLUMNS = "id, ticket_id, occurred_at, role, kind, old, new"
EDITABLE_FIELDS = ("title", "description", "location", "reporter")
#: What staff set through a PATCH besides the text and the category, with the event each change records.
TRIAGE_EVENTS = {"priority": "priority_changed", "assignee": "assigned"}
#: Events a campus user never sees: an internal note is for staff only.
STAFF_ONLY_EVENTS = ("note_posted",)


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
     status, opened_at, updated_at, closed_at, version, message_count,
     priority, assignee, first_response_at, response_due_at, resolution_due_at, public_message_count, language,
     contact, attachment_count, me_too_count, merged_into, sla_state) = row
    return {
        "id": id_, "title": title, "description": description, "location": location, "reporter": reporter,
        "category": category, "category_source": source, "category_confidence": confidence,
        "needs_review": source == "auto" and confidence < review_threshold,
        "status": status, "opened_at": iso(opened_at), "updated_at": iso(updated_at), "closed_at": iso(closed_at),
        "version": version, "message_count": message_count,
        "priority": priority, "assignee": assignee, "first_response_at": iso(first_response_at),
        "response_due_at": iso(response_due_at), "resolution_due_at": iso(resolution_due_at), "sla_state": sla_state,
        "public_message_count": public_message_count, "language": language, "contact": contact,
        "attachment_count": attachment_count, "me_too_count": me_too_count, "merged_into": merged_into,
    }


def record_event(db: Database, ticket_id: int, version: int, at: datetime, role: str, kind: str,
                 old: dict | None, new: dict | None, name: str | None = None) -> None:
    """Append one entry to a ticket's history, with the ticket's version it produced and who (*name*) did it."""
    db.insert_later("events", f"{EVENT_COLUMNS}, version, name",
                    (db.reserve_ids("events"), ticket_id, at, role, kind,
                     None if old is None else json.dumps(old), None if new is None else json.dumps(new), version,
                     name))


def ticket_select(now: datetime) -> str:
    """Return the select list of a ticket's row: its columns and its sla_state at *now*."""
    return f"{TICKET_COLUMNS}, {sla_state_sql(now)} AS sla_state"


def fetch_ticket_row(cursor: duckdb.DuckDBPyConnection, ticket_id: int, now: datetime) -> tuple | None:
    """Return the ticket's row with its sla_state at *now*, or None."""
    return cursor.execute(f"SELECT {ticket_select(now)} FROM tickets WHERE id = ?", [ticket_id]).fetchone()


class Tickets:
    """The tickets of one database, with their threads and histories.

    *review_threshold* is the categorizer's: an automatic category less sure than that needs review.
    *targets* are the service levels per priority; *clock* says what time it is (tests fix it).
    """

    def __init__(self, db: Database, review_threshold: float, targets: dict[str, Target] | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.db = db
        self.review_threshold = review_threshold
        self.targets = targets or dict(DEFAULT_TARGETS)
        self.clock = clock or utc_now
        self.known_terms = search.KnownTerms()
        self.known = KnownTickets(db)
        self.dictionary = KnownDictionary(db)
        self.clocks = known_clocks.KnownClocks(db)
        self.titles = known_titles.KnownTitles(db)

    def record(self, row: tuple) -> Ticket:
        """Return the API's ticket from a database row."""
        return ticket_record(row, self.review_threshold)

    def get_ticket(self, ticket_id: int) -> Ticket | None:
        """Return the ticket with *ticket_id*, or None."""
        row = fetch_ticket_row(self.db.cursor(), ticket_id, self.clock())
        return None if row is None else self.record(row)

    def create_ticket(self, fields: dict[str, Any], category: str, confidence: float, role: str,
                      language: str | None = None, name: str | None = None) -> Ticket:
        """Store a new open ticket, in the *language* the categorizer detected, its 'created' event,
        its follow token and the reporter's first mail.

        The answer carries the follow token itself (only its hash is stored), once.
        """
        db = self.db
        new_terms: list[int] = []

        def write(cursor: duckdb.DuckDBPyConnection) -> Ticket:
            now = self.clock()
            due = due_times(now, self.targets["normal"])
            row = (db.reserve_ids("tickets"), fields.get("title"), fields["description"], fields.get("location"),
                   fields.get("reporter"), category, "auto", confidence, "open", now, now, None, 1, 0,
                   "normal", None, None, due.response_due_at, due.resolution_due_at, 0, language,
                   fields.get("contact"), 0, 0, None)
            token = follow.new_token(row[0])
            db.insert_later("tickets", f"{TICKET_COLUMNS}, {RISK_COLUMNS}, follow_hash",
                            (*row, due.response_risk_at, due.resolution_risk_at, follow.token_hash(token)))
            # Its search terms go in with the group commit's other rows; the dictionary's new ones now.
            postings, terms_by_id = search.ticket_rows(row[0], fields)
            for posting in postings:
                db.insert_later("ticket_terms", "term, ticket_id, weight", posting)
            new_terms[:] = search.add_terms(cursor, terms_by_id, self.known_terms)
            ticket = self.record((*row, "ok"))  # no target can be 75 % used at the instant of opening
            created = {key: ticket[key] for key in (*EDITABLE_FIELDS, "category", "category_confidence", "status")}
            record_event(db, ticket["id"], 1, now, role, "created", None, created, name)
            outbox.enqueue(db, ticket, "created", now, follow_token=token)
            return {**ticket, "follow_token": token}

        ticket = db.write(write)
        self.known_terms.remember(new_terms)  # committed
        return ticket

    def update_ticket(self, ticket_id: int, changes: dict[str, Any], role: str, expected: int | None,
                      name: str | None = None,
                      automatic: Callable[[str | None, str], tuple[str, float]] | None = None) -> Ticket:
        """Apply *changes* to the ticket the caller saw at version *expected* (None: any version).

        *automatic* gives the (category, confidence) of a title and description: it replaces an
        automatic category when the title or description changes; a staff correction stays.
        Refused when the ticket is closed, or when a field being changed was changed after *expected*.
        """
        return self.db.write(lambda cursor: self.update_in(cursor, ticket_id, changes, role, expected, name,
                                                           automatic))

    def update_in(self, cursor: duckdb.DuckDBPyConnection, ticket_id: int, changes: dict[str, Any], role: str,
                  expected: int | None, name: str | None = None,
                  automatic: Callable[[str | None, str], tuple[str, float]] | None = None) -> Ticket:
        """Apply *changes* inside the caller's write (see update_ticket); refuse before writing anything."""
        db = self.db
        now = self.clock()
        current = self.record(fetch_ticket_row(cursor, ticket_id, now))
        rules.refuse_closed(current, role, "edited")
        rules.refuse_conflicting_edit(current, expected, changes,
                                      lambda version: self.fields_changed_since(cursor, ticket_id, version))
        edited = {key: value for key, value in changes.items() if key in EDITABLE_FIELDS and current[key] != value}
        triaged = {key: value for key, value in changes.items() if key in TRIAGE_EVENTS and current[key] != value}
        recategorized = "category" in changes and (
            current["category"] != changes["category"] or current["category_source"] != "staff"
        )
        rechecked = None
        if (automatic is not None and not recategorized and current["category_source"] == "auto"
                and {"title", "description"} & set(edited)):
            text = {**current, **edited}
            rechecked = automatic(text["title"], text["description"])
            if rechecked == (current["category"], current["category_confidence"]):
                rechecked = None
        if not edited and not triaged and not recategorized:
            return current
        version = current["version"] + 1
        assignments = {**edited, **triaged, "updated_at": now, "version": version}
        if edited:
            db.insert_deferred_now(cursor)  # the ticket's terms may still wait in this group commit
            search.replace_ticket(cursor, ticket_id, current, {**current, **edited})
        if recategorized:
            assignments.update(category=changes["category"], category_source="staff")
        if rechecked:
            assignments.update(category=rechecked[0], category_confidence=rechecked[1])
        if "priority" in triaged:  # the targets run from the opening, at the new priority's pace
            opened_at = datetime.fromisoformat(current["opened_at"].removesuffix("Z"))
            assignments.update(due_times(opened_at, self.targets[triaged["priority"]])._asdict())
        cursor.execute(
            f"UPDATE tickets SET {', '.join(f'{key} = ?' for key in assignments)} WHERE id = ?",
            [*assignments.values(), ticket_id],
        )
        if edited:
            record_event(db, ticket_id, version, now, role, "edited",
                         {key: current[key] for key in edited}, edited, name)
        if recategorized:
            record_event(db, ticket_id, version, now, role, "category_changed",
                         {"category": current["category"], "category_source": current["category_source"]},
                         {"category": changes["category"], "category_source": "staff"}, name)
        if rechecked and rechecked[0] != current["category"]:
            record_event(db, ticket_id, version, now, role, "category_changed",
                         {key: current[key] for key in ("category", "category_source", "category_confidence")},
                         {"category": rechecked[0], "category_source": "auto",
                          "category_confidence": rechecked[1]}, name)
        for key, value in triaged.items():
            record_event(db, ticket_id, version, now, role, TRIAGE_EVENTS[key], {key: current[key]}, {key: value},
                         name)
        return self.record(fetch_ticket_row(cursor, ticket_id, now))

    def fields_changed_since(self, cursor: duckdb.DuckDBPyConnection, ticket_id: int, version: int) -> set[str]:
        """Return the patchable fields of the ticket that edits after *version* changed (call inside a write)."""
        self.db.insert_deferred_now(cursor)  # an earlier edit in this group commit may be the one
        rows = cursor.execute(
            "SELECT new FROM events WHERE ticket_id = ? AND version > ? "
            "AND kind IN ('edited', 'category_changed', 'priority_changed', 'assigned')",
            [ticket_id, version],
        ).fetchall()
        changed = {key for (new,) in rows for key in json.loads(new)}
        return changed & set(rules.PATCHABLE_FIELDS)

    def change_status(self, ticket_id: int, status: str, role: str, expected: int | None,
                      name: str | None = None) -> Ticket:
        """Move the ticket to *status* if the workflow allows it and it is still at version *expected*."""
        return self.db.write(lambda cursor: self.change_status_in(cursor, ticket_id, status, role, expected, name))

    def change_status_in(self, cursor: duckdb.DuckDBPyConnection, ticket_id: int, status: str, role: str,
                         expected: int | None, name: str | None = None) -> Ticket:
        """Move the ticket inside the caller's write (see change_status); refuse before writing anything."""
        now = self.clock()
        current = self.record(fetch_ticket_row(cursor, ticket_id, now))
        rules.refuse_transition(current, status)
        rules.refuse_stale(current, expected)
        closed_at = now if status == "closed" else None
        cursor.execute(
            "UPDATE tickets SET status = ?, closed_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [status, closed_at, now, ticket_id],
        )
        record_event(self.db, ticket_id, current["version"] + 1, now, role, "status_changed",
                     {"status": current["status"]}, {"status": status}, name)
        outbox.enqueue(self.db, current, "status_changed", now, {"old": current["status"], "new": status},
                       cursor=cursor)
        return self.record(fetch_ticket_row(cursor, ticket_id, now))

    def change_many(self, ticket_ids: list[int], action: str, value: Any, role: str) -> list[Ticket | rules.Refusal | None]:
        """Apply one action ('status', 'priority' or 'assignee') to each ticket under its own rules, in one write.

        Answers, per id in order, the ticket after the change (its version and the changed fields;
        sla_state as before), the refusal of the rules, or None for no such ticket. The rules are
        asked ticket by ticket; the changes go in with one UPDATE and the history with grouped
        INSERTs, all in one commit (500 tickets cost about as much as a few single changes).
        """
        db = self.db

        def write(cursor: duckdb.DuckDBPyConnection) -> list[Ticket | rules.Refusal | None]:
            now = self.clock()
            unique = list(dict.fromkeys(ticket_ids))
            current = {row[0]: self.record(row) for row in cursor.execute(
                f"SELECT {ticket_select(now)} FROM tickets WHERE id IN ({', '.join('?' * len(unique))})",
                unique).fetchall()}
            outcomes: list[Ticket | rules.Refusal | None] = []
            changed: dict[int, dict[str, Any]] = {}
            for ticket_id in ticket_ids:
                ticket = current.get(ticket_id)
                if ticket is None:
                    outcomes.append(None)
                    continue
                try:
                    if action == "status":
                        rules.refuse_transition(ticket, value)
                    else:
                        rules.refuse_closed(ticket, role, "edited")
                except rules.Refusal as refusal:
                    outcomes.append(refusal)
                    continue
                if action != "status" and ticket[action] == value:
                    outcomes.append(ticket)  # already so: nothing to change, as a single PATCH
                    continue
                columns: dict[str, Any] = {action: value}
                if action == "status":
                    columns["closed_at"] = now if value == "closed" else None
                elif action == "priority":
                    opened_at = datetime.fromisoformat(ticket["opened_at"].removesuffix("Z"))
                    columns.update(due_times(opened_at, self.targets[value])._asdict())
                version = ticket["version"] + 1
                kind = "status_changed" if action == "status" else TRIAGE_EVENTS[action]
                record_event(db, ticket_id, version, now, role, kind, {action: ticket[action]}, {action: value})
                if action == "status":
                    outbox.enqueue(db, ticket, "status_changed", now, {"old": ticket["status"], "new": value},
                                   cursor=cursor)
                ticket = {**ticket, **{key: iso(item) if isinstance(item, datetime) else item
                                       for key, item in columns.items() if key in ticket},
                          "version": version, "updated_at": iso(now)}
                current[ticket_id] = ticket
                changed[ticket_id] = {**columns, "version": version}
                outcomes.append(ticket)
            if changed:
                names = list(next(iter(changed.values())))
                table = pa.table({"id": pa.array(list(changed), pa.int64()),
                                  **{name: [columns[name] for columns in changed.values()] for name in names}})
                cursor.register("bulk_changes", table)
                try:
                    cursor.execute(f"UPDATE tickets SET {', '.join(f'{name} = bulk_changes.{name}' for name in names)}, "
                                   "updated_at = ? FROM bulk_changes WHERE tickets.id = bulk_changes.id", [now])
                finally:
                    cursor.unregister("bulk_changes")
            return outcomes

        return db.write(write)

    def post_message(self, ticket_id: int, body: str, author_name: str | None, role: str,
                     internal: bool = False, name: str | None = None) -> dict[str, Any]:
        """Add a message under a ticket that is not closed; a public one counts as a change of the ticket.

        A staff member's first public message is the ticket's first response (its service level's
        response clock stops). An internal note changes neither the ticket's version nor its
        updated_at, so nothing a campus user sees moves when staff write one.
        """
        db = self.db

        def write(cursor: duckdb.DuckDBPyConnection) -> dict[str, Any]:
            now = self.clock()
            current = self.record(fetch_ticket_row(cursor, ticket_id, now))
            rules.refuse_closed(current, role, "answered")
            message_id = db.reserve_ids("messages")
            db.insert_later("messages", MESSAGE_COLUMNS,
                            (message_id, ticket_id, role, author_name, body, now, internal))
            if internal:  # for staff only: no version, no updated_at, and never a mail
                cursor.execute("UPDATE tickets SET message_count = message_count + 1 WHERE id = ?", [ticket_id])
                record_event(db, ticket_id, current["version"], now, role, "note_posted", None,
                             {"message_id": message_id, "author_name": author_name}, name or author_name)
            else:
                responded = "coalesce(first_response_at, ?)" if role == "staff" else "first_response_at"
                cursor.execute(
                    "UPDATE tickets SET message_count = message_count + 1, "
                    "public_message_count = public_message_count + 1, "
                    f"first_response_at = {responded}, updated_at = ?, version = version + 1 WHERE id = ?",
                    [*([now] if role == "staff" else []), now, ticket_id],
                )
                record_event(db, ticket_id, current["version"] + 1, now, role, "message_posted", None,
                             {"message_id": message_id, "author_name": author_name}, name or author_name)
                if role == "staff":  # a reporter is not mailed their own words
                    outbox.enqueue(db, current, "staff_reply", now,
                                   {"message_id": message_id, "author_name": author_name, "body": body}, cursor=cursor)
            return message_record((message_id, ticket_id, role, author_name, body, now, internal))

        return db.write(write)

    def list_messages(self, ticket_id: int, with_internal: bool) -> list[dict[str, Any]]:
        """Return the ticket's thread, oldest first; internal notes only when *with_internal* (staff)."""
        public = "" if with_internal else " AND NOT internal"
        rows = self.db.cursor().execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE ticket_id = ?{public} ORDER BY created_at, id", [ticket_id]
        ).fetchall()
        return [message_record(row) for row in rows]

    def list_events(self, ticket_id: int, with_internal: bool) -> list[dict[str, Any]]:
        """Return the ticket's history, oldest first; internal notes' entries only when *with_internal* (staff)."""
        public = "" if with_internal else f" AND kind NOT IN ({', '.join(map(repr, STAFF_ONLY_EVENTS))})"
        rows = self.db.cursor().execute(
            f"SELECT {EVENT_COLUMNS}, name FROM events WHERE ticket_id = ?{public} ORDER BY occurred_at, id", [ticket_id]
        ).fetchall()
        return [
            {"id": id_, "ticket_id": tid, "at": iso(at), "role": role, "kind": kind,
             "old": None if old is None else json.loads(old), "new": None if new is None else json.loads(new),
             "name": name}
            for id_, tid, at, role, kind, old, new, name in rows
        ]

    def list_tickets(self, query: TicketQuery) -> dict[str, Any]:
        """Return one page of tickets matching *query*, the total, and optionally counts per status."""
        cursor = self.db.cursor()
        now = self.clock()
        words = search.SearchWords(query.q or "")
        # With no filter but the status and the category, the known ones (known_tickets) count the
        # tickets, and find the page when it is sorted by id: no scan.
        known = self.known if ticket_filters(query, self.review_threshold, now, with_status=False,
                                             with_category=False) == ("TRUE", []) else None
        if len(words):  # a search of no words (only punctuation, say) filters nothing
            # The page and the counts from the matches and the known statuses, or one statement (search.page).
            where_any_status, params = ticket_filters(query, self.review_threshold, now, with_status=False)
            ids, by_status = search.page(cursor, words, where_any_status, params, query, known, self.dictionary)
        else:
            where, params = ticket_filters(query, self.review_threshold, now)
            ids, by_status = self.list_page(cursor, query, now, known, where, params)
        found = {row[0]: row for row in cursor.execute(
            f"SELECT {ticket_select(now)} FROM tickets WHERE id IN ({', '.join('?' * len(ids))})", ids
        ).fetchall()} if ids else {}
        rows = [found[id_] for id_ in ids]
        counts = None
        if query.with_counts:
            if by_status is None:  # only the statuses asked for are counted, so the page's filters serve
                by_status = dict(cursor.execute(
                    f"SELECT status, count(*) FROM tickets WHERE {where} GROUP BY status", params
                ).fetchall())
            counts = {status: by_status.get(status, 0) for status in query.status or ("open", "active", "closed")}
            # The counts cover exactly the tickets the page's filters match, so they give the total
            # without a second scan (a text search at 1M tickets scans for hundreds of milliseconds).
            total = sum(counts.values())
        elif by_status is not None:
            total = sum(count for status, count in by_status.items() if not query.status or status in query.status)
        else:
            total = cursor.execute(f"SELECT count(*) FROM tickets WHERE {where}", params).fetchone()[0]
        page = {"items": [self.record(row) for row in rows], "total": total,
                "limit": query.limit, "offset": query.offset}
        if counts is not None:
            page["counts"] = counts
        return page

    def list_page(self, cursor: duckdb.DuckDBPyConnection, query: TicketQuery, now: datetime,
                  known: KnownTickets | None, where: str, params: list) -> tuple[list[int], dict[str, int] | None]:
        """Return the ids of a list's page (no search) and, when they come without a scan, its counts per status.

        From memory where it can: sorted by id with no filter but the status and the category
        (known_tickets), tickets not closed so filtered and sorted by title (known_titles), or sorted by
        a due time, also by service-level state (known_clocks: the staff's queue). Otherwise SQL sorts
        the narrow key columns.
        """
        column = query.sort.removeprefix("-")
        descending = query.sort.startswith("-")
        if known is not None and column == "id":
            return (known.page(cursor, query.status, query.category, descending, query.offset, query.limit),
                    known.counts(cursor, query.category))
        not_closed = bool(query.status) and set(query.status) <= {"open", "active"}
        if known is not None and column == "title" and not_closed:
            ids = self.titles.page(cursor, known, query.status, query.category, descending, query.offset, query.limit)
            if ids is not None:
                return ids, known.counts(cursor, query.category)
        if (column in known_clocks.SORTS and not_closed
                and ticket_filters(query, self.review_threshold, now, with_status=False, with_category=False,
                                   with_sla=False) == ("TRUE", [])):
            queued = self.clocks.queue(cursor, self.known, now, query.status, query.category, query.sla, query.sort,
                                       query.offset, query.limit)
            if queued is not None:
                return queued
        direction = "DESC" if descending else "ASC"
        order = f"ORDER BY {column} {direction} NULLS LAST, id {direction}"
        # Sort only the narrow key columns to find the page's ids, then fetch those whole rows by
        # their ids: deep offsets stay cheap because the wide text columns are never sorted, and a
        # page whose tickets lie all over the table (sorted by title, say) is looked up by key
        # instead of joined against every row (at 1M tickets: 6 ms instead of 50).
        ids = [row[0] for row in cursor.execute(
            f"SELECT id FROM tickets WHERE {where} {order} LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset]).fetchall()]
        return ids, known.counts(cursor, query.category) if known is not None else None

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
    id_, ticket_id, role, name, body, created_at, internal = row
    return {"id": id_, "ticket_id": ticket_id, "author_role": role, "author_name": name, "body": body,
            "created_at": iso(created_at), "internal": internal}


def ticket_filters(query: TicketQuery, review_threshold: float, now: datetime,
                   with_status: bool = True, with_category: bool = True, with_sla: bool = True) -> tuple[str, list]:
    """Return the WHERE clause and parameters for the list's filters (a search's words: search.page)."""
    clauses, params = ["TRUE"], []
    if with_status and query.status:
        clauses.append(f"status IN ({', '.join('?' * len(query.status))})")
        params += query.status
        # DuckDB checks an IN list only against each row group's range, so the scan would read every
        # row of the other filters' columns; a ticket is closed exactly when it has closed_at, and
        # that test filters rows in the scan (at 1M tickets, the staff's queue's count: 20 ms → 7).
        if "closed" not in query.status:
            clauses.append("closed_at IS NULL")
        elif len(query.status) == 1:
            clauses.append("closed_at IS NOT NULL")
    if with_category and query.category:
        clauses.append(f"category IN ({', '.join('?' * len(query.category))})")
        params += query.category
    if query.priority:
        clauses.append(f"priority IN ({', '.join('?' * len(query.priority))})")
        params += query.priority
    if query.assignee is not None:
        clauses.append("assignee IS NULL" if query.assignee == "none" else "assignee = ?")
        params += [] if query.assignee == "none" else [query.assignee]
    if with_sla and query.sla:
        clauses.append(f"({sla_state_sql(now)}) IN ({', '.join('?' * len(query.sla))})")
        params += query.sla
    if query.opened_after is not None:
        clauses.append("opened_at >= ?")
        params.append(query.opened_after)
    if query.opened_before is not None:
        clauses.append("opened_at <= ?")
        params.append(query.opened_before)
    if query.language:
        clauses.append(f"language IN ({', '.join('?' * len(query.language))})")
        params += query.language
    if query.needs_review is not None:
        review = "(category_source = 'auto' AND category_confidence < ?)"
        clauses.append(review if query.needs_review else f"NOT {review}")
        params.append(review_threshold)
    return " AND ".join(clauses), params
