"""Reporting a problem once, in the database: "me too", merging a duplicate, and finding similar tickets."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import duckdb
import numpy as np

from . import outbox, report_rules, rules
from .schema import SEARCH_TEXT as TICKET_TEXT  # the public text, lowercased
from .similar import fold, key_words, location_words
from .similar_index import OpenTicketIndex
from .tickets import Tickets, fetch_ticket_row, iso, record_event

if TYPE_CHECKING:
    from .categorizer.embedding import StaticEmbedding
    from .records import SimilarTicket, Ticket

#: Open and active tickets sharing the most key words are compared closely; at most this many.
CANDIDATES = 40
SIMILAR_COLUMNS = "id, title, description, location, status, category, me_too_count, attachment_count, opened_at"
STATUS = SIMILAR_COLUMNS.split(", ").index("status")
#: How the score weighs meaning (the embedding), shared key words and the same place.
MEANING, WORDS, PLACE = 0.45, 0.4, 0.15
#: Tickets whose vectors and key words are kept between questions.
REMEMBERED = 50_000
#: A ticket scoring less is about something else (it shares a common word or only the place).
MIN_SCORE = 0.2


class Duplicates:
    """The "me too" people of one database's tickets, their merges, and the search for similar tickets."""

    def __init__(self, tickets: Tickets, embedding: StaticEmbedding) -> None:
        self.tickets = tickets
        self.db = tickets.db
        self.embedding = embedding
        self.index = OpenTicketIndex(self.db)
        self._known: dict[int, tuple[str, np.ndarray, frozenset[str]]] = {}

    def add_me_too(self, ticket_id: int, contact: str | None, role: str) -> Ticket:
        """Count one more person with the ticket's problem (kept with their contact, if given)."""
        db = self.db

        def write(cursor: duckdb.DuckDBPyConnection) -> Ticket:
            current = self.tickets.record(fetch_ticket_row(cursor, ticket_id, self.tickets.clock()))
            rules.refuse_closed(current, role, "reported again")
            now = self.tickets.clock()
            cursor.execute("INSERT INTO me_toos (id, ticket_id, contact, created_at) VALUES (?, ?, ?, ?)",
                           [db.reserve_ids("me_toos"), ticket_id, contact, now])
            cursor.execute("UPDATE tickets SET me_too_count = me_too_count + 1, updated_at = ?, version = version + 1 "
                           "WHERE id = ?", [now, ticket_id])
            record_event(db, ticket_id, current["version"] + 1, now, role, "me_too",
                         {"me_too_count": current["me_too_count"]}, {"me_too_count": current["me_too_count"] + 1})
            if contact:  # they hear at once that they were added, then about every change, as the reporter does
                outbox.enqueue_to(db, current, "me_too_added", contact, now, {"me_too": True})
            return self.tickets.record(fetch_ticket_row(cursor, ticket_id, self.tickets.clock()))

        return db.write(write)

    def merge(self, duplicate_id: int, main_id: int, role: str) -> Ticket:
        """Close the duplicate into the main ticket: its reporter and "me too" people move to the main one."""
        db = self.db

        def write(cursor: duckdb.DuckDBPyConnection) -> Ticket:
            duplicate = self.tickets.record(fetch_ticket_row(cursor, duplicate_id, self.tickets.clock()))
            main_row = fetch_ticket_row(cursor, main_id, self.tickets.clock())
            main = None if main_row is None else self.tickets.record(main_row)
            report_rules.refuse_merge(duplicate, main, role)
            now = self.tickets.clock()
            people = cursor.execute("SELECT id FROM me_toos WHERE ticket_id = ? ORDER BY id", [duplicate_id]).fetchall()
            first = db.reserve_ids("me_toos", len(people) + 1)
            # The duplicate's reporter joins the main ticket's people, with their contact: mailed like its reporter.
            cursor.execute("INSERT INTO me_toos (id, ticket_id, contact, name, merged_from, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           [first, main_id, duplicate.get("contact"), duplicate["reporter"], duplicate_id,
                            duplicate["opened_at"].removesuffix("Z")])
            cursor.execute(
                "INSERT INTO me_toos (id, ticket_id, contact, name, merged_from, created_at) "
                "SELECT ? + row_number() OVER (ORDER BY id), ?, contact, name, ?, created_at "
                "FROM me_toos WHERE ticket_id = ?", [first, main_id, duplicate_id, duplicate_id])
            cursor.execute("UPDATE tickets SET status = 'closed', closed_at = ?, merged_into = ?, updated_at = ?, "
                           "version = version + 1 WHERE id = ?", [now, main_id, now, duplicate_id])
            moved = 1 + duplicate["me_too_count"]
            cursor.execute("UPDATE tickets SET me_too_count = me_too_count + ?, updated_at = ?, version = version + 1 "
                           "WHERE id = ?", [moved, now, main_id])
            record_event(db, duplicate_id, duplicate["version"] + 1, now, role, "merged_into",
                         {"status": duplicate["status"]}, {"status": "closed", "merged_into": main_id})
            outbox.enqueue(db, duplicate, "status_changed", now,
                           {"old": duplicate["status"], "new": "closed", "merged_into": main_id}, cursor=cursor)
            record_event(db, main_id, main["version"] + 1, now, role, "merged_from",
                         {"me_too_count": main["me_too_count"]},
                         {"ticket_id": duplicate_id, "people": moved, "me_too_count": main["me_too_count"] + moved})
            return self.tickets.record(fetch_ticket_row(cursor, duplicate_id, self.tickets.clock()))

        return db.write(write)

    def me_too_contacts(self, ticket_id: int) -> list[str]:
        """Return the contacts of the ticket's "me too" people, merged ones included (staff only)."""
        rows = self.db.cursor().execute(
            "SELECT contact FROM me_toos WHERE ticket_id = ? AND contact IS NOT NULL ORDER BY id", [ticket_id])
        return [contact for (contact,) in rows.fetchall()]

    def similar(self, text: str, location: str | None, limit: int) -> list[SimilarTicket]:
        """Return the open and active tickets most likely about the problem *text* describes, best first.

        The index of open and active tickets picks those sharing the most key words (the word being
        typed counts as a prefix); those few are then scored by meaning, shared words and place.
        """
        words = key_words(text)
        place = location_words(location)
        if not words and not place:
            return []
        terms = [*words, *sorted(place - set(words))]
        ids = self.index.candidates(terms, typed_prefix(text), CANDIDATES)
        if ids is None:  # the index is being built: scan
            hits = " + ".join(f"contains({TICKET_TEXT}, ?)::INT * {len(term)}" for term in terms)
            rows = self.db.cursor().execute(
                f"SELECT {SIMILAR_COLUMNS} FROM (SELECT {SIMILAR_COLUMNS}, {hits} AS hits FROM tickets "
                "WHERE status IN ('open', 'active') AND merged_into IS NULL) WHERE hits > 0 "
                "ORDER BY hits DESC, id DESC LIMIT ?", [*terms, CANDIDATES]).fetchall()
        else:
            rows = self.candidate_rows(ids)
        if not rows:
            return []
        scores = self.scores(text, words, place, rows)
        ranked = sorted(((score, row) for score, row in zip(scores, rows) if score >= MIN_SCORE),
                        key=lambda pair: (-pair[0], -pair[1][0]))[:limit]
        return [similar_record(row, score) for score, row in ranked]

    def candidate_rows(self, ids: list[int]) -> list[tuple]:
        """Return the SIMILAR_COLUMNS rows of those of *ids* still open or active and not merged away.

        Asked by id alone, which DuckDB looks up in the key's index; any other condition beside it
        would make it scan every ticket (at 1M tickets: 2 ms instead of 40–80), so the rest is checked here.
        """
        if not ids:
            return []
        found = self.db.cursor().execute(
            f"SELECT {SIMILAR_COLUMNS}, merged_into FROM tickets WHERE id IN ({', '.join('?' * len(ids))})",
            ids).fetchall()
        return [row[:-1] for row in found if row[STATUS] in ("open", "active") and row[-1] is None]

    def remembered(self, ticket_id: int, text: str) -> tuple[np.ndarray, frozenset[str]]:
        """Return the sentence vector and key words of a ticket's text, kept between questions (typing repeats them)."""
        kept = self._known.get(ticket_id)
        if kept is None or kept[0] != text:
            if len(self._known) >= REMEMBERED:
                self._known.clear()
            kept = self._known[ticket_id] = (text, self.embedding.encode([text])[0],
                                             frozenset(key_words(text, limit=200)))
        return kept[1], kept[2]

    def scores(self, text: str, words: list[str], place: set[str], rows: Sequence[tuple]) -> list[float]:
        """Return how likely each candidate row is about the same problem as *text*, 0–1."""
        texts = [f"{title}\n{description}" if title else description for _, title, description, *_ in rows]
        known = [self.remembered(row[0], text) for row, text in zip(rows, texts)]
        query = self.embedding.encode([text])[0]
        meaning = np.clip(np.stack([vector for vector, _ in known]) @ query, 0.0, 1.0)
        weight = sum(len(word) for word in words) or 1
        scores = []
        for row, alike, (_, found) in zip(rows, meaning, known):
            shared = sum(len(word) for word in words
                         if word in found or any(other.startswith(word) for other in found)) / weight
            where = location_words(row[3])
            same_place = len(place & where) / len(place | where) if place and where else 0.0
            scores.append(round(MEANING * float(alike) + WORDS * shared + PLACE * same_place, 4))
        return scores


def typed_prefix(text: str) -> str | None:
    """Return the start of the word being typed (the text's last, unfinished word), or None."""
    if not text or not text[-1].isalnum():
        return None
    last = fold(text.split()[-1])
    last = "".join(character for character in last if character.isalnum())
    return last[:7] if len(last) >= 3 else None


def similar_record(row: tuple, score: float) -> SimilarTicket:
    """Return the API's similar ticket from a row and its score."""
    id_, title, description, location, status, category, me_too_count, attachment_count, opened_at = row
    return {"id": id_, "title": title, "description": description, "location": location, "status": status,
            "category": category, "me_too_count": me_too_count, "attachment_count": attachment_count,
            "opened_at": iso(opened_at), "score": min(1.0, max(0.0, score))}
