"""An in-memory word index of the open and active tickets, so similar tickets are found without a scan.

Built once from the database (in the background; until then the caller scans), then kept current
on every question from the tickets created or changed since: `id > last id OR updated_at > last
look − margin`, a scan of two narrow columns. Scoring is numpy over the index's postings.
"""
from __future__ import annotations

import bisect
import threading
from datetime import timedelta

import duckdb
import numpy as np

from .db import Database
from .similar import key_words
from .schema import SEARCH_TEXT as TICKET_TEXT  # the public text, lowercased
from .tickets import utc_now

#: Changes committed this long after the instant they were stamped with are still seen.
MARGIN = timedelta(seconds=30)
#: Rebuild when this share of the indexed tickets changed since the build.
REBUILD_SHARE = 0.1
#: Up to this many open and active tickets the index is built right away (well under a second);
#: beyond, in the background while the questions scan.
BUILD_NOW = 20_000


class OpenTicketIndex:
    """Which open or active, unmerged tickets contain each key word (stem)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock = threading.Lock()
        self.ready = False
        self.building = False
        self.ids = np.zeros(0, dtype=np.int64)
        self.alive = np.zeros(0, dtype=bool)
        self.position: dict[int, int] = {}
        self.postings: dict[str, np.ndarray] = {}
        self.vocabulary: list[str] = []
        self.changed: dict[int, frozenset[str]] = {}  # tickets indexed apart since the build (their new words)
        self.last_id = 0
        self.last_look = utc_now()

    def start_building(self) -> None:
        """Build the index in a background thread (once)."""
        with self.lock:
            if self.building:
                return
            self.building = True
        threading.Thread(target=self.build, name="similar-index", daemon=True).start()

    def build(self) -> None:
        """Index every open and active ticket not merged away."""
        try:
            cursor = self.db.connection.cursor()
            try:
                started = utc_now()
                last_id = cursor.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0]
                rows = cursor.execute(f"SELECT id, {TICKET_TEXT} FROM tickets WHERE status IN ('open', 'active') "
                                      "AND merged_into IS NULL AND id <= ? ORDER BY id", [last_id]).fetchall()
            finally:
                cursor.close()
        except duckdb.Error:  # the store is closing; a later question starts a new build
            with self.lock:
                self.building = False
            return
        lists: dict[str, list[int]] = {}
        for position, (_, text) in enumerate(rows):
            for word in key_words(text or "", limit=64):
                lists.setdefault(word, []).append(position)
        with self.lock:
            self.ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            self.alive = np.ones(len(rows), dtype=bool)
            self.position = {int(id_): position for position, id_ in enumerate(self.ids)}
            self.postings = {word: np.asarray(positions, dtype=np.int32) for word, positions in lists.items()}
            self.vocabulary = sorted(self.postings)
            self.changed = {}
            self.last_id, self.last_look = last_id, started - MARGIN
            self.ready = True
            self.building = False

    def catch_up(self) -> None:
        """Take in the tickets created or changed since the last look (call with the lock held)."""
        now = utc_now()
        rows = self.db.cursor().execute(
            f"SELECT id, status IN ('open', 'active') AND merged_into IS NULL, {TICKET_TEXT} FROM tickets "
            "WHERE id > ? OR updated_at > ?", [self.last_id, self.last_look]).fetchall()
        for id_, shown, text in rows:
            position = self.position.get(id_)
            if position is not None:
                self.alive[position] = False
            if shown:
                self.changed[id_] = frozenset(key_words(text or "", limit=64))
            else:
                self.changed.pop(id_, None)
            self.last_id = max(self.last_id, id_)
        self.last_look = now - MARGIN
        if len(self.changed) > max(1000, REBUILD_SHARE * len(self.ids)) and not self.building:
            self.building = True  # meanwhile the tickets indexed apart are still found
            threading.Thread(target=self.build, name="similar-index", daemon=True).start()

    def candidates(self, words: list[str], prefix: str | None, limit: int) -> list[int] | None:
        """Return the ids of up to *limit* tickets sharing the most (longest) words; None until built."""
        if not self.ready:
            shown = self.db.cursor().execute(
                "SELECT count(*) FROM tickets WHERE status IN ('open', 'active')").fetchone()[0]
            if shown > BUILD_NOW:
                self.start_building()
                return None
            self.build()
        with self.lock:
            self.catch_up()
            terms = dict.fromkeys(words)
            if prefix:
                start = bisect.bisect_left(self.vocabulary, prefix)
                for word in self.vocabulary[start:start + 50]:
                    if not word.startswith(prefix):
                        break
                    terms.setdefault(word)
            scores = np.zeros(len(self.ids), dtype=np.float32)
            for word in terms:
                found = self.postings.get(word)
                if found is not None:
                    scores[found] += len(word)  # a ticket is listed once per word
            scores[~self.alive] = 0
            extra = {id_: changed_score(terms, prefix, stems) for id_, stems in self.changed.items()}
            top = np.flatnonzero(scores)
            if len(top) > limit:
                top = top[np.argpartition(-scores[top], limit)[:limit]]
            ranked = [(float(scores[position]), int(self.ids[position])) for position in top]
            ranked += [(float(score), id_) for id_, score in extra.items() if score]
        ranked.sort(reverse=True)
        return [id_ for _, id_ in ranked[:limit]]


def changed_score(terms: dict[str, None], prefix: str | None, stems: frozenset[str]) -> float:
    """Return the words a ticket indexed apart shares with the question (the word being typed as a prefix)."""
    score = sum(len(word) for word in terms if word in stems)
    if prefix and prefix not in stems and any(stem.startswith(prefix) for stem in stems):
        score += len(prefix)
    return score
