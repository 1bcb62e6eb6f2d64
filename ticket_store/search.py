"""Text search: how text becomes search terms, and the inverted index of tickets' public text.

A ticket's public text (title, description, location, reporter; never staff-only fields) is cut
into terms kept in ``ticket_terms`` (term, ticket_id, weight), written in the same transaction as
the ticket. A search looks each of its words up there, so it reads the postings of its words
instead of every ticket.

Terms follow SPEC §7.4: text is NFKC-normalised, case-folded and stripped of accents (NFD without
nonspacing marks), so ``café``, ``CAFE\u0301`` and ``cafe`` are one term. A word is a run of
letters and digits in which single joiners (hyphens, apostrophes, dots, underscores) may stand
between two of them; the joiners are dropped, so ``wi-fi`` is the term ``wifi``. A word with
joiners also gives its parts as terms, so ``rossi`` finds ``anna.rossi@campus.example``.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from typing import Iterable, Iterator

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MAX_WORDS = 32
TITLE_WEIGHT, TEXT_WEIGHT = 2, 1  # a word in the title counts twice for sort=relevance
SEARCHED_FIELDS = ("title", "description", "location", "reporter")
JOINERS = "-_'.\u00b7\u2010\u2011\u2019\u02bc"
_JOINER_CLASS = "[" + re.escape(JOINERS) + "]"
# [^\W_] is a letter or digit (str.isalnum), in any script.
WORD = re.compile(rf"[^\W_]+(?:{_JOINER_CLASS}[^\W_]+)*")
JOINER = re.compile(_JOINER_CLASS)
INDEX_BATCH = 200_000  # tickets whose terms are computed and inserted at once by a bulk write

SCHEMA = """
CREATE TABLE ticket_terms (
    term VARCHAR NOT NULL,
    ticket_id BIGINT NOT NULL,
    weight TINYINT NOT NULL
);
-- How many tickets had each term when it was counted (by imports): the order in which a search
-- looks its words up. New tickets are not counted; an order needs no exact numbers.
CREATE TABLE term_counts (
    term VARCHAR NOT NULL,
    tickets BIGINT NOT NULL
);
"""


def fold(text: str) -> str:
    """Return *text* without case, accents or Unicode form differences (NFKC, casefold, no marks)."""
    if text.isascii():
        return text.lower()  # NFKC and accent stripping leave ASCII as it is; casefold is lower here
    # Dotless ı is i without its dot, as İ is i with one (whose dot, a mark, goes with the accents).
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold().replace("ı", "i"))
    return unicodedata.normalize("NFC", "".join(c for c in folded if unicodedata.category(c) != "Mn"))


def words(text: str) -> list[str]:
    """Return the words of *text* as terms, in order, each with its joiners dropped."""
    return [JOINER.sub("", word) for word in WORD.findall(fold(text))]


def terms(text: str) -> set[str]:
    """Return every term of *text*: its words, and the parts of words with joiners."""
    found = set(WORD.findall(fold(text)))
    for word in [word for word in found if not word.isalnum()]:
        found.discard(word)
        parts = JOINER.split(word)
        found.add("".join(parts))
        found.update(parts)
    return found


def ticket_terms(fields: dict) -> dict[str, int]:
    """Return each term of a ticket's public text with its weight (the title's words weigh more)."""
    weights: dict[str, int] = {}
    for key in SEARCHED_FIELDS:
        if fields.get(key):
            weight = TITLE_WEIGHT if key == "title" else TEXT_WEIGHT
            for term in terms(fields[key]):
                if weights.get(term, 0) < weight:
                    weights[term] = weight
    return weights


def posting_rows(ticket_id: int, fields: dict) -> list[tuple[str, int, int]]:
    """Return the ticket_terms rows of one ticket."""
    return [(term, ticket_id, weight) for term, weight in ticket_terms(fields).items()]


class SearchWords:
    """The words of a search, ready to be matched: at most MAX_WORDS, the last one maybe a prefix."""

    def __init__(self, query: str) -> None:
        self.words = list(dict.fromkeys(word for word in words(query) if word))
        # The last word is still being typed unless the query ends after it ("100%", "wifi.").
        self.prefix = bool(self.words) and bool(query) and query[-1].isalnum()
        self.numbers = {word: int(word) for word in self.words
                        if word.isascii() and word.isdigit() and len(word) < 18}

    def __len__(self) -> int:
        return len(self.words)

    def condition(self, word: str) -> tuple[str, list]:
        """Return the ticket_terms condition of one word (a range of terms for a prefix) and its parameters."""
        if self.prefix and word == self.words[-1]:
            # Every term starting with the word sorts between it and the word followed by the highest character.
            return f"term >= ? AND term < ? || '{chr(sys.maxunicode)}'", [word, word]
        return "term = ?", [word]

    def rarest_first(self, cursor: duckdb.DuckDBPyConnection) -> list[str]:
        """Return the words ordered by how many tickets have them, fewest first (from term_counts)."""
        if len(self.words) < 2:
            return list(self.words)
        exact = [word for word in self.words if not (self.prefix and word == self.words[-1])]
        sql = (f"SELECT term, sum(tickets) FROM term_counts WHERE term IN ({', '.join('?' * len(exact))}) "
               "GROUP BY term")
        params: list = list(exact)
        if len(exact) < len(self.words):
            condition, condition_params = self.condition(self.words[-1])
            sql += f" UNION ALL SELECT ?, sum(tickets) FROM term_counts WHERE {condition}"
            params += [self.words[-1], *condition_params]
        counts = dict(cursor.execute(sql, params).fetchall())
        return sorted(self.words, key=lambda word: counts.get(word) or 0)


def count_words(query: str) -> int:
    """Return how many words *query* has, as a search counts them."""
    return len(set(words(query)))


def matches_sql(search: SearchWords, order: list[str] | None = None) -> tuple[str, list]:
    """Return a query of (ticket_id, score) for the tickets that match every word, and its parameters.

    The words are looked up in *order* (rarest first, say): each looks only among the tickets
    the words before it matched, so a common word costs a scan of its postings, not a join of
    them. A word that is a number also matches the ticket with that id (``#123``). The score adds
    each word's weight in the ticket (a word in the title weighs more).
    """
    order = order or search.words
    if not order:
        return "SELECT NULL::BIGINT AS ticket_id, 0 AS score WHERE FALSE", []
    steps, params = [], []
    for index, word in enumerate(order):
        condition, condition_params = search.condition(word)
        within = f" AND ticket_id IN (SELECT ticket_id FROM w{index - 1})" if index else ""
        source = f"SELECT ticket_id, weight FROM ticket_terms WHERE {condition}{within}"
        params += condition_params
        if word in search.numbers:
            source += f" UNION ALL SELECT id, {TITLE_WEIGHT} FROM tickets WHERE id = ?{within}"
            params.append(search.numbers[word])
        steps.append(f"w{index} AS MATERIALIZED (SELECT ticket_id, max(weight) AS weight FROM ({source}) "
                     "GROUP BY ticket_id)")
    last = len(order) - 1
    if last == 0:
        return f"WITH {steps[0]} SELECT ticket_id, weight AS score FROM w0", params
    every = " UNION ALL ".join(f"SELECT ticket_id, weight FROM w{index}" for index in range(len(order)))
    return (f"WITH {', '.join(steps)} SELECT ticket_id, sum(weight) AS score FROM ({every}) "
            f"WHERE ticket_id IN (SELECT ticket_id FROM w{last}) GROUP BY ticket_id", params)


def index_rows(rows: Iterable[tuple]) -> pa.Table:
    """Return the ticket_terms rows of (id, title, description, location, reporter) rows, one by one in Python."""
    term_column, id_column, weight_column = [], [], []
    for ticket_id, *texts in rows:
        for term, weight in ticket_terms(dict(zip(SEARCHED_FIELDS, texts))).items():
            term_column.append(term)
            id_column.append(ticket_id)
            weight_column.append(weight)
    return pa.table({"term": pa.array(term_column, pa.string()), "ticket_id": pa.array(id_column, pa.int64()),
                     "weight": pa.array(weight_column, pa.int8())})


def sorted_by_term(postings: pa.Table) -> pa.Table:
    """Return ticket_terms rows sorted by term, then ticket (numbering the distinct terms sorts far fewer strings)."""
    encoded = pc.dictionary_encode(postings["term"]).combine_chunks() if postings.num_rows else None
    if encoded is None:
        return postings
    rank = np.empty(len(encoded.dictionary), np.int64)
    rank[pc.sort_indices(encoded.dictionary).to_numpy()] = np.arange(len(encoded.dictionary))
    order = np.lexsort((postings["ticket_id"].to_numpy(), rank[encoded.indices.to_numpy()]))
    return postings.take(pa.array(order))


def index_table(rows: Iterable[tuple]) -> pa.Table:
    """Return the ticket_terms rows of (id, *SEARCHED_FIELDS) rows, sorted by term then ticket."""
    return sorted_by_term(index_rows(rows))


def batches(cursor: duckdb.DuckDBPyConnection, first_id: int, stop_id: int) -> Iterator[list[tuple]]:
    """Yield the public text of tickets first_id ≤ id < stop_id, a batch at a time."""
    for start in range(first_id, stop_id, INDEX_BATCH):
        yield cursor.execute(
            f"SELECT id, {', '.join(SEARCHED_FIELDS)} FROM tickets WHERE id >= ? AND id < ? ORDER BY id",
            [start, min(stop_id, start + INDEX_BATCH)],
        ).fetchall()


def index_tickets(cursor: duckdb.DuckDBPyConnection, first_id: int, stop_id: int) -> None:
    """Add the terms of tickets first_id ≤ id < stop_id to the index (inside the write that stored them).

    Each batch goes in sorted by term, so the rows of one term lie together and a lookup reads
    only the row groups whose term range holds it.
    """
    for tickets in batches(cursor, first_id, stop_id):
        cursor.register("new_terms", index_table(tickets))
        try:
            cursor.execute("INSERT INTO ticket_terms SELECT term, ticket_id, weight FROM new_terms")
            cursor.execute("INSERT INTO term_counts SELECT term, count(*) FROM new_terms GROUP BY term ORDER BY term")
        finally:
            cursor.unregister("new_terms")


def create_index(cursor: duckdb.DuckDBPyConnection) -> None:
    """Create the index and fill it from every ticket (schema migration 6)."""
    cursor.execute(SCHEMA)
    first, last = cursor.execute("SELECT coalesce(min(id), 1), coalesce(max(id), 0) FROM tickets").fetchone()
    index_tickets(cursor, first, last + 1)


def replace_terms(cursor: duckdb.DuckDBPyConnection, ticket_id: int, old: dict, new: dict) -> None:
    """Replace the index rows of a ticket whose public text changed from *old* to *new*."""
    stale = list(ticket_terms(old))
    if stale:
        # Naming the old terms lets the scan skip every row group whose term range holds none of them.
        cursor.execute(f"DELETE FROM ticket_terms WHERE ticket_id = ? AND term IN ({', '.join('?' * len(stale))})",
                       [ticket_id, *stale])
    rows = posting_rows(ticket_id, new)
    if rows:
        cursor.execute(f"INSERT INTO ticket_terms VALUES {', '.join(['(?, ?, ?)'] * len(rows))}",
                       [value for row in rows for value in row])


def index_differences(cursor: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Return the index rows that are missing or stale compared with the tickets' text (none when consistent)."""
    first, last = cursor.execute("SELECT coalesce(min(id), 1), coalesce(max(id), 0) FROM tickets").fetchone()
    expected = pa.concat_tables([index_rows(rows) for rows in batches(cursor, first, last + 1)] or [index_rows([])])
    cursor.register("expected_terms", expected)
    try:
        return cursor.execute(
            "(SELECT 'missing', * FROM (SELECT term, ticket_id, weight FROM expected_terms "
            "EXCEPT ALL SELECT term, ticket_id, weight FROM ticket_terms)) UNION ALL "
            "(SELECT 'stale', * FROM (SELECT term, ticket_id, weight FROM ticket_terms "
            "EXCEPT ALL SELECT term, ticket_id, weight FROM expected_terms)) LIMIT 20"
        ).fetchall()
    finally:
        cursor.unregister("expected_terms")
