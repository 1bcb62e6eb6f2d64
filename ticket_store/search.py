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
import pyarrow as pa

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
        unique = list(dict.fromkeys(word for word in words(query) if word))
        self.words = unique
        # The last word is still being typed unless the query ends after it ("100%", "wifi.").
        self.prefix = bool(unique) and bool(query) and query[-1].isalnum()
        self.numbers = {word: int(word) for word in unique
                        if word.isascii() and word.isdigit() and len(word) < 18}

    def __len__(self) -> int:
        return len(self.words)


def count_words(query: str) -> int:
    """Return how many words *query* has, as a search counts them."""
    return len(set(words(query)))


def matches_sql(search: SearchWords) -> tuple[str, list]:
    """Return a query of (ticket_id, score) for the tickets that match every word, and its parameters.

    A word that is a number also matches the ticket with that id (``#123``). The score adds each
    word's weight in the ticket (a word in the title weighs more).
    """
    parts, params = [], []
    last = len(search.words) - 1
    for index, word in enumerate(search.words):
        if index == last and search.prefix:
            # Every term starting with the word sorts between it and the word followed by the highest character.
            parts.append(f"SELECT {index} AS word, ticket_id, weight FROM ticket_terms "
                         f"WHERE term >= ? AND term < ? || '{chr(sys.maxunicode)}'")
            params += [word, word]
        else:
            parts.append(f"SELECT {index} AS word, ticket_id, weight FROM ticket_terms WHERE term = ?")
            params.append(word)
        if word in search.numbers:
            parts.append(f"SELECT {index} AS word, id AS ticket_id, {TITLE_WEIGHT} AS weight FROM tickets WHERE id = ?")
            params.append(search.numbers[word])
    if not parts:
        return "SELECT NULL::BIGINT AS ticket_id, 0 AS score WHERE FALSE", []
    postings = " UNION ALL ".join(parts)
    return (
        "SELECT ticket_id, sum(weight) AS score FROM ("
        f"SELECT word, ticket_id, max(weight) AS weight FROM ({postings}) GROUP BY word, ticket_id"
        f") GROUP BY ticket_id HAVING count(*) = {len(search.words)}",
        params,
    )


def index_rows(rows: Iterable[tuple]) -> pa.Table:
    """Return the ticket_terms rows of (id, title, description, location, reporter) rows, sorted by term."""
    term_column, id_column, weight_column = [], [], []
    for ticket_id, *texts in rows:
        for term, weight in ticket_terms(dict(zip(SEARCHED_FIELDS, texts))).items():
            term_column.append(term)
            id_column.append(ticket_id)
            weight_column.append(weight)
    return pa.table({"term": pa.array(term_column, pa.string()), "ticket_id": pa.array(id_column, pa.int64()),
                     "weight": pa.array(weight_column, pa.int8())})


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
    for rows in batches(cursor, first_id, stop_id):
        cursor.register("new_terms", index_rows(rows))
        try:
            cursor.execute("INSERT INTO ticket_terms SELECT term, ticket_id, weight FROM new_terms ORDER BY term, ticket_id")
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
    expected = pa.concat_tables([index_rows(rows) for rows in batches(cursor, first, last + 1)]
                                or [index_rows([])])
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
