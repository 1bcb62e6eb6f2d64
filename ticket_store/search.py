"""Text search (SPEC §7.4): how text becomes terms, and the inverted index of tickets' public text.

A ticket's public text (title, description, location, reporter; never a staff-only field or a
message) is cut into terms. ``ticket_terms`` holds one row per distinct term of a ticket: the
term's id (63 bits of its MD5, so Python and DuckDB compute it alike with no lookup), the ticket
and a weight (2 for a word of the title). ``search_terms`` is the dictionary: each term's text
(for prefixes), how many tickets had it when imports counted (the order in which a search
looks its words up) and its head, the first 8 bytes of its UTF-8 as an integer, so that a prefix
is an integer range (scanned 4× faster than the text). Both are written in the ticket's own
transaction.

Terms: text is NFKC-normalised, case-folded and stripped of accents (NFD without nonspacing
marks), so ``café``, ``CAFE\u0301`` and ``cafe`` are one term. A word is a run of letters and
digits in which single joiners (hyphens, apostrophes, dots, underscores) may stand between two of
them; the joiners are dropped, so ``wi-fi`` is ``wifi``, and a joined word also gives its parts,
so ``rossi`` finds ``anna.rossi@campus.example``.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable, Protocol

import duckdb
import numpy as np
import pyarrow as pa

from .known_tickets import CATEGORY_CODES, CODES, STATUSES, KnownTickets

MAX_WORDS = 32
TITLE_WEIGHT, TEXT_WEIGHT = 2, 1  # a word in the title counts twice for sort=relevance
SEARCHED_FIELDS = ("title", "description", "location", "reporter")
JOINERS = "-_'.\u00b7\u2010\u2011\u2019\u02bc"
_JOINER_CLASS = "[" + re.escape(JOINERS) + "]"
# [^\W_] is a letter or digit (str.isalnum), in any script.
WORD = re.compile(rf"[^\W_]+(?:{_JOINER_CLASS}[^\W_]+)*")
JOINER = re.compile(_JOINER_CLASS)
INDEX_BATCH = 100_000  # tickets indexed at once by a migration or an import (their words fit in memory)
VERIFY_LIMIT = 200  # candidates few enough to check the remaining words on their text, in Python
SEPARATE_TERMS = 16  # a prefix of at most this many terms looks each up on its own
COMMON_SHARE = 0.05  # a word in more of the tickets is common: checked on the candidates' text when they are few
# With no word in more of the tickets, the words are intersected in memory (ids_array). A word's count is the
# imports' (a create leaves it as it was), so a word may look rarer than it is: that costs time, never an answer.
MASK_SHARE = 0.05

SCHEMA = """
CREATE TABLE ticket_terms (
    term BIGINT NOT NULL,
    ticket_id INTEGER NOT NULL,
    weight UTINYINT NOT NULL
);
CREATE TABLE search_terms (
    id BIGINT PRIMARY KEY,
    term VARCHAR NOT NULL,
    tickets BIGINT NOT NULL DEFAULT 0,
    head UBIGINT
);
"""

# The words of ASCII text in DuckDB, as terms() cuts them (there fold() is lower() and the joiners are
# - _ ' .): every run of letters and digits (the words and the parts of joined words), and each
# joined word without its joiners.
ASCII_RUNS = "regexp_extract_all(lower(text), '[a-z0-9]+')"
ASCII_JOINED = ("regexp_replace(unnest(regexp_extract_all(lower(text), '[a-z0-9]+(?:[-_''.][a-z0-9]+)+')), "
                "'[-_''.]', '', 'g')")
HAS_JOINED = "regexp_matches(text, '[a-zA-Z0-9][-_''.][a-zA-Z0-9]')"  # cheaper than looking for joined words
TERM_ID_SQL = "(md5_number({}) >> 65)::BIGINT"  # term_id() in DuckDB
HEAD_BYTES = 8
HEAD_SQL = "('0x' || rpad(left(hex(encode({})), 16), 16, '0'))::UBIGINT"  # term_head() in DuckDB


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


def term_id(term: str) -> int:
    """Return the term's id: 63 bits of its MD5 (TERM_ID_SQL in DuckDB)."""
    return int.from_bytes(hashlib.md5(term.encode()).digest(), "little") >> 65


def term_head(term: str) -> int:
    """Return the term's head: its first 8 bytes of UTF-8 as a big-endian integer, padded with zeros (HEAD_SQL)."""
    return int.from_bytes(term.encode()[:HEAD_BYTES].ljust(HEAD_BYTES, b"\0"), "big")


def prefix_heads(prefix: str) -> tuple[int, int]:
    """Return the range of heads of the terms that may start with *prefix* (all of them do when it fits in a head)."""
    low = term_head(prefix)
    free_bytes = max(0, HEAD_BYTES - len(prefix.encode()))  # the head's bytes after the prefix: any value
    return low, low + (1 << 8 * free_bytes) - 1


def add_heads(cursor: duckdb.DuckDBPyConnection) -> None:
    """Give every dictionary term its head (schema migration 11)."""
    cursor.execute("ALTER TABLE search_terms ADD COLUMN IF NOT EXISTS head UBIGINT")
    cursor.execute(f"UPDATE search_terms SET head = {HEAD_SQL.format('term')} WHERE head IS NULL")


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


class KnownTerms:
    """Term ids known to be in the committed dictionary, so that a create inserts only new terms there.

    Ids are added only after the write that inserted them committed (remember); a missing id only
    costs an insert that finds it there already. Bounded: past MAX_KNOWN it starts over.
    """

    MAX_KNOWN = 200_000

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def remember(self, ids: Iterable[int]) -> None:
        if len(self.ids) > self.MAX_KNOWN:
            self.ids = set()
        self.ids.update(ids)


def ticket_rows(ticket_id: int, fields: dict) -> tuple[list[tuple[int, int, int]], dict[int, str]]:
    """Return one ticket's ticket_terms rows, and its terms by id."""
    weights = ticket_terms(fields)
    ids = {term: term_id(term) for term in weights}
    return [(ids[term], ticket_id, weight) for term, weight in weights.items()], {id_: term for term, id_ in ids.items()}


def add_terms(cursor: duckdb.DuckDBPyConnection, terms_by_id: dict[int, str], known: KnownTerms | None) -> list[int]:
    """Add to the dictionary the terms it may not hold yet; return their ids (remember them once committed)."""
    new = [id_ for id_ in terms_by_id if known is None or id_ not in known.ids]
    if new:
        cursor.execute("INSERT INTO search_terms (id, term, head) SELECT unnest(?::BIGINT[]), unnest(?::VARCHAR[]), "
                       "unnest(?::UBIGINT[]) ON CONFLICT DO NOTHING",
                       [new, [terms_by_id[id_] for id_ in new], [term_head(terms_by_id[id_]) for id_ in new]])
    return new


def add_ticket(cursor: duckdb.DuckDBPyConnection, ticket_id: int, fields: dict,
               known: KnownTerms | None = None) -> list[int]:
    """Index one ticket's public text (inside the write that stores it); return the dictionary's new ids."""
    rows, terms_by_id = ticket_rows(ticket_id, fields)
    if rows:
        cursor.execute("INSERT INTO ticket_terms SELECT unnest(?::BIGINT[]), ?, unnest(?::UTINYINT[])",
                       [[row[0] for row in rows], ticket_id, [row[2] for row in rows]])
    return add_terms(cursor, terms_by_id, known)


def replace_ticket(cursor: duckdb.DuckDBPyConnection, ticket_id: int, old: dict, new: dict) -> list[int]:
    """Replace the index rows of a ticket whose public text changed from *old* to *new*."""
    stale = [term_id(term) for term in ticket_terms(old)]
    if stale:
        # Naming the old terms lets the scan skip every row group whose term range holds none of them.
        cursor.execute(f"DELETE FROM ticket_terms WHERE ticket_id = ? AND term IN ({', '.join('?' * len(stale))})",
                       [ticket_id, *stale])
    return add_ticket(cursor, ticket_id, new)


def index_tickets(cursor: duckdb.DuckDBPyConnection, first_id: int, stop_id: int) -> None:
    """Index the tickets first_id ≤ id < stop_id, set-based (an import, inside its write; the migration).

    ASCII text is cut into terms in DuckDB, other text in Python (terms(), as creates do). Each
    batch goes in sorted by term, so a term's rows lie together and a lookup reads only the row
    groups whose term range holds it.
    """
    for start in range(first_id, stop_id, INDEX_BATCH):
        index_batch(cursor, start, min(stop_id, start + INDEX_BATCH))


def index_batch(cursor: duckdb.DuckDBPyConnection, start: int, stop: int) -> None:
    """Index the tickets start ≤ id < stop (see index_tickets)."""
    def fields(ascii: bool) -> str:
        return " UNION ALL ".join(
            f"SELECT id, {field} AS text, {TITLE_WEIGHT if field == 'title' else TEXT_WEIGHT}::UTINYINT AS weight "
            f"FROM tickets WHERE id >= $1 AND id < $2 AND strlen({field}) {'=' if ascii else '<>'} length({field})"
            for field in SEARCHED_FIELDS)

    other = cursor.execute(fields(ascii=False), [start, stop]).fetchall()
    cut = [(ticket_id, weight, term) for ticket_id, text, weight in other for term in terms(text)]
    cursor.register("other_words", pa.table({
        "id": pa.array([row[0] for row in cut], pa.int64()), "weight": pa.array([row[1] for row in cut], pa.uint8()),
        "term": pa.array([row[2] for row in cut], pa.string())}))
    try:
        cursor.execute(
            f"CREATE OR REPLACE TEMP TABLE batch_words AS WITH fields AS ({fields(ascii=True)}) "
            f"SELECT id, weight, unnest({ASCII_RUNS}) AS term FROM fields "
            f"UNION ALL SELECT id, weight, {ASCII_JOINED} FROM fields WHERE {HAS_JOINED} "
            "UNION ALL SELECT id, weight, term FROM other_words", [start, stop])
    finally:
        cursor.unregister("other_words")
    # One row per term of a ticket, with its greatest weight (a word of the title and the description: 2);
    # numbering the distinct terms first lets the rows be grouped and sorted by integers.
    cursor.execute(
        f"CREATE OR REPLACE TEMP TABLE batch_terms AS SELECT term, {TERM_ID_SQL.format('term')} AS id, "
        "count(DISTINCT id) AS n FROM batch_words GROUP BY term")
    cursor.execute("INSERT INTO ticket_terms SELECT d.id, w.id, max(w.weight) FROM batch_words w "
                   "JOIN batch_terms d USING (term) GROUP BY d.id, w.id ORDER BY d.id, w.id")
    cursor.execute(f"INSERT INTO search_terms (id, term, tickets, head) SELECT id, term, n, {HEAD_SQL.format('term')} "
                   "FROM batch_terms ORDER BY term "
                   "ON CONFLICT DO UPDATE SET tickets = search_terms.tickets + excluded.tickets")
    for table in ("batch_words", "batch_terms"):
        cursor.execute(f"DROP TABLE {table}")


def create_index(cursor: duckdb.DuckDBPyConnection) -> None:
    """Create the index and fill it from every ticket (schema migration 6)."""
    cursor.execute(SCHEMA)
    first, last = cursor.execute("SELECT coalesce(min(id), 1), coalesce(max(id), 0) FROM tickets").fetchone()
    index_tickets(cursor, first, last + 1)


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

    def is_prefix(self, word: str) -> bool:
        return self.prefix and word == self.words[-1]

    def matches(self, cursor: duckdb.DuckDBPyConnection, dictionary: Dictionary | None = None) -> Matches:
        """Look the words up in the dictionary (*dictionary*: held in memory) and return how to find the tickets
        matching them all."""
        exact = [word for word in self.words if not self.is_prefix(word)]
        prefix = self.words[-1] if len(exact) < len(self.words) else None
        rows = dictionary.lookup(cursor, exact, prefix) if dictionary is not None else self.lookup(cursor, exact, prefix)
        found: dict[str, list[tuple[int, int]]] = {}
        for prefixed, term, id_, tickets in rows:
            word = self.words[-1] if prefixed else term
            found.setdefault(word, []).append((id_, tickets))
        lookups = []
        for word in self.words:
            ids = [id_ for id_, _ in found.get(word, [])]
            if not ids and word not in self.numbers:
                return Matches(self, [])  # a word no ticket has: nothing matches
            lookups.append(Lookup(word, ids, sum(tickets for _, tickets in found.get(word, [])),
                                  self.numbers.get(word), self.is_prefix(word)))
        return Matches(self, sorted(lookups, key=lambda lookup: lookup.tickets))

    @staticmethod
    def lookup(cursor: duckdb.DuckDBPyConnection, exact: list[str],
               prefix: str | None) -> list[tuple[bool, str, int, int]]:
        """Return (prefixed, term, id, tickets) for each word of *exact* in the dictionary, and each term starting
        with *prefix*, read from search_terms."""
        # Constants, so that the dictionary's key finds them; a prefix is a range of its sorted terms.
        sql = f"SELECT false, term, id, tickets FROM search_terms WHERE id IN ({', '.join('?' * len(exact))})"
        params: list = [term_id(word) for word in exact]
        if not exact:
            sql, params = "SELECT false, '', 0, 0 WHERE false", []
        if prefix is not None:
            # Every term starting with the word has a head in its range; one longer than a head is also checked whole.
            low, high = prefix_heads(prefix)
            sql += " UNION ALL SELECT true, term, id, tickets FROM search_terms WHERE head BETWEEN ? AND ?"
            params += [low, high]
            if len(prefix.encode()) > HEAD_BYTES:
                sql += " AND starts_with(term, ?)"
                params.append(prefix)
        return cursor.execute(sql, params).fetchall()


class Lookup:
    """One word of a search: its term ids (several for a prefix), how many tickets had them, its number."""

    def __init__(self, word: str, ids: list[int], tickets: int, number: int | None, prefix: bool) -> None:
        self.word, self.ids, self.tickets, self.number, self.prefix = word, ids, tickets, number, prefix

    def postings(self) -> tuple[str, list]:
        """Return a query of (ticket_id, weight) for this word's postings, and its parameters."""
        parts, params = [], []
        if 0 < len(self.ids) <= SEPARATE_TERMS:
            # One equality per term: the scan reads only the row groups whose term range holds it, and
            # filters its rows itself (an IN list only prunes row groups and leaves a filter above the scan).
            parts += ["SELECT ticket_id, weight FROM ticket_terms WHERE term = ?"] * len(self.ids)
            params += self.ids
        elif self.ids:
            parts.append(f"SELECT ticket_id, weight FROM ticket_terms WHERE term IN ({', '.join('?' * len(self.ids))})")
            params += self.ids
        if self.number is not None:
            parts.append(f"SELECT id::INTEGER AS ticket_id, {TITLE_WEIGHT}::UTINYINT AS weight FROM tickets WHERE id = ?")
            params.append(self.number)
        return " UNION ALL ".join(parts), params

    def in_terms(self, found: dict[str, int], ticket_id: int) -> int:
        """Return this word's weight in a ticket with the terms *found* (0: it does not match)."""
        weight = found.get(self.word, 0)
        if self.prefix:
            weight = max([weight, *(value for term, value in found.items() if term.startswith(self.word))])
        if self.number == ticket_id:
            weight = max(weight, TITLE_WEIGHT)
        return weight


class Matches:
    """The tickets that match every word of a search, found rarest word first."""

    def __init__(self, search: SearchWords, lookups: list[Lookup]) -> None:
        self.search = search
        self.lookups = lookups  # empty: nothing matches
        self.found: tuple[list[int], list[int]] | None = None  # (ids, scores) when already known

    def resolve(self, cursor: duckdb.DuckDBPyConnection, scored: bool = True) -> None:
        """For many words: intersect the rare ones, and when few tickets remain check the common ones on their text.

        Checking the common words on the candidates' text (the same terms() the index holds)
        spares scans of their long postings ("the" is in 90 % of tickets).
        """
        if len(self.lookups) <= 3 or self.found is not None:
            return
        tickets = cursor.execute("SELECT count(*) FROM tickets").fetchone()[0]
        rare = max(3, sum(lookup.tickets <= tickets * COMMON_SHARE for lookup in self.lookups))
        if scored:
            sql, params = self.chain(self.lookups[:rare])
            scores = dict(cursor.execute(sql, params).fetchall())
        else:  # only which tickets (an order by score needs the weights)
            sql, params = self.ids_chain(self.lookups[:rare])
            scores = {ticket_id: 0 for (ticket_id,) in cursor.execute(sql, params).fetchall()}
        for index, lookup in enumerate(self.lookups[rare:], rare):  # each common word among the candidates
            if len(scores) <= VERIFY_LIMIT:
                self.found = self.verify(cursor, scores, self.lookups[index:])
                return
            source, params = lookup.postings()
            rows = cursor.execute(f"SELECT ticket_id, max(weight) FROM ({source}) "
                                  "WHERE ticket_id IN (SELECT unnest(?::INTEGER[])) GROUP BY ticket_id",
                                  [*params, list(scores)]).fetchall()
            scores = {ticket_id: scores[ticket_id] + weight for ticket_id, weight in rows}
        self.found = self.verify(cursor, scores, [])

    def verify(self, cursor: duckdb.DuckDBPyConnection, scores: dict[int, int],
               rest: list[Lookup]) -> tuple[list[int], list[int]]:
        """Return the (ids, scores) of the candidates whose text also has every word of *rest*."""
        if not rest or not scores:
            return sorted(scores), [scores[ticket_id] for ticket_id in sorted(scores)]
        texts = cursor.execute(  # constants, so that the tickets' key finds them
            f"SELECT id, {', '.join(SEARCHED_FIELDS)} FROM tickets WHERE id IN ({', '.join('?' * len(scores))})",
            list(scores)).fetchall()
        ids, found_scores = [], []
        for ticket_id, *text in sorted(texts):
            found = ticket_terms(dict(zip(SEARCHED_FIELDS, text)))
            weights = [lookup.in_terms(found, ticket_id) for lookup in rest]
            if all(weights):
                ids.append(ticket_id)
                found_scores.append(scores[ticket_id] + sum(weights))
        return ids, found_scores

    def ids_chain(self, lookups: list[Lookup]) -> tuple[str, list]:
        """Return a query of the ids of the tickets having every word of *lookups* (maybe repeated), and its parameters."""
        sql, params = "", []
        for lookup in lookups:
            source, source_params = lookup.postings()
            sql = (f"SELECT ticket_id FROM ({source}) WHERE ticket_id IN ({sql})" if sql
                   else f"SELECT ticket_id FROM ({source})")
            params = [*source_params, *params]
        return sql, params

    def ids_sql(self) -> tuple[str, list]:
        """Return a query of the ids of the matching tickets (maybe repeated), and its parameters."""
        if not self.lookups:
            return "SELECT NULL::INTEGER AS ticket_id WHERE FALSE", []
        if self.found is not None:
            return "SELECT unnest(?::INTEGER[]) AS ticket_id", [self.found[0]]
        return self.ids_chain(self.lookups)

    def ids_array(self, cursor: duckdb.DuckDBPyConnection, common: float) -> np.ndarray:
        """Return the ids of the matching tickets, sorted, each once.

        With no word in more than *common* tickets, each word's postings are read on their own: the
        rarest word of one term first (its rows come sorted by ticket, in the index's order), then
        each other word keeps those of its tickets, by a mask. At 10M tickets "printer jam" (309,096
        and 234,661 postings) takes 19 ms so, against 34–42 in one statement. A common word's postings
        cost more to bring into memory than DuckDB takes to intersect them there, so then it does.
        """
        if self.found is not None:
            return np.asarray(self.found[0], np.int64)  # sorted, each once (verify)
        if any(lookup.tickets > common for lookup in self.lookups):
            sql, params = self.ids_sql()
            ids = np.asarray(cursor.execute(sql, params).fetchnumpy()["ticket_id"], np.int64)
        else:
            ids, _ = self.masked(cursor, self.first(), scored=False)
        if not (ids[1:] >= ids[:-1]).all():  # rows written since the last sort (index_sorting) come after
            ids = np.sort(ids)  # (np.unique hashes: 2 ms for 20,000 ids, against 0.3 for a sort)
        # Each once: a prefix's terms may name a ticket more than once.
        return ids[np.concatenate(([True], ids[1:] != ids[:-1]))] if len(ids) else ids

    def scored_array(self, cursor: duckdb.DuckDBPyConnection, common: float) -> tuple[np.ndarray, np.ndarray]:
        """Return the ids of the matching tickets, each once, and their scores (see chain), as ids_array finds them.

        In memory only when a word of one term comes first, since its tickets are then each named once.
        """
        if self.found is not None:
            return np.asarray(self.found[0], np.int64), np.asarray(self.found[1], np.int64)
        first = self.first()
        if (first is not None and len(first.ids) == 1 and first.number is None
                and not any(lookup.tickets > common for lookup in self.lookups)):
            ids, scores = self.masked(cursor, first, scored=True)
            return ids, scores
        sql, params = self.sql()
        found = cursor.execute(sql, params).fetchnumpy()
        return np.asarray(found["ticket_id"], np.int64), np.asarray(found["score"], np.int64)

    def first(self) -> Lookup | None:
        """Return the word masked() reads first: the rarest of one term (its rows in the index's order), or the rarest."""
        return next((lookup for lookup in self.lookups if len(lookup.ids) == 1 and lookup.number is None),
                    self.lookups[0] if self.lookups else None)

    def masked(self, cursor: duckdb.DuckDBPyConnection, first: Lookup | None,
               scored: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """Return the ids of the tickets having every word, read word by word from *first* on and kept by masks,
        and if *scored* their scores (each word adds its greatest weight in the ticket)."""
        if first is None:
            return np.zeros(0, np.int64), np.zeros(0, np.int64) if scored else None
        ids, scores = np.zeros(0, np.int64), None  # the tickets of the words read so far
        columns = "ticket_id, weight" if scored else "ticket_id"
        for lookup in [first, *(lookup for lookup in self.lookups if lookup is not first)]:
            sql, params = lookup.postings()
            found = cursor.execute(f"SELECT {columns} FROM ({sql})", params).fetchnumpy()
            postings = np.asarray(found["ticket_id"], np.int64)
            if lookup is first:
                ids, scores = postings, np.asarray(found["weight"], np.int64) if scored else None
            else:
                weights = np.zeros(max(int(ids.max()), int(postings.max(initial=0))) + 1, np.uint8)
                if scored:
                    for weight in sorted({TEXT_WEIGHT, TITLE_WEIGHT}):  # the greatest last: each ticket keeps it
                        weights[postings[found["weight"] == weight]] = weight
                else:
                    weights[postings] = 1
                kept = weights[ids]
                ids = ids[kept > 0]
                scores = scores[kept > 0] + kept[kept > 0] if scored else None
            if not len(ids):
                break
        return ids, scores

    def chain(self, lookups: list[Lookup]) -> tuple[str, list]:
        """Return a query of (ticket_id, score) for the tickets having every word of *lookups*, and its parameters.

        Each word is looked up only among the tickets the words before it matched, so a common word
        costs a scan of its own postings, not a join of them. The score adds each word's weight.
        """
        steps, params = [], []
        for index, lookup in enumerate(lookups):
            source, source_params = lookup.postings()
            within = f" WHERE ticket_id IN (SELECT ticket_id FROM w{index - 1})" if index else ""
            steps.append(f"w{index} AS MATERIALIZED (SELECT ticket_id, max(weight) AS weight FROM ({source}){within} "
                         "GROUP BY ticket_id)")
            params += source_params
        last = len(lookups) - 1
        if last == 0:
            return f"WITH {steps[0]} SELECT ticket_id, weight AS score FROM w0", params
        every = " UNION ALL ".join(f"SELECT ticket_id, weight FROM w{index}" for index in range(len(lookups)))
        return (f"WITH {', '.join(steps)} SELECT ticket_id, sum(weight) AS score FROM ({every}) "
                f"WHERE ticket_id IN (SELECT ticket_id FROM w{last}) GROUP BY ticket_id", params)

    def sql(self) -> tuple[str, list]:
        """Return a query of (ticket_id, score) for the matching tickets, and its parameters."""
        if not self.lookups:
            return "SELECT NULL::INTEGER AS ticket_id, 0 AS score WHERE FALSE", []
        if self.found is not None:
            return "SELECT unnest(?::INTEGER[]) AS ticket_id, unnest(?::INTEGER[]) AS score", list(self.found)
        return self.chain(self.lookups)


class Dictionary(Protocol):
    """What a search reads of a dictionary held in memory (known_dictionary.KnownDictionary)."""

    def lookup(self, cursor: duckdb.DuckDBPyConnection, exact: list[str],
               prefix: str | None) -> list[tuple[bool, str, int, int]]: ...


class PageQuery(Protocol):
    """What page() reads of the list's query (payloads.TicketQuery)."""

    status: list[str] | None
    category: list[str] | None
    sort: str
    limit: int
    offset: int


def page(cursor: duckdb.DuckDBPyConnection, search: SearchWords, where: str, params: list, query: PageQuery,
         known: KnownTickets | None = None,
         dictionary: Dictionary | None = None) -> tuple[list[int], dict[str, int]]:
    """Return the ids of the page of tickets matching *search* and *where* (the list's other filters but
    the status), and how many match per status.

    Given *known* (known_tickets: the list has no filter but the status and the category) and sorted
    by id or relevance, the matches' statuses and categories come from it, without reading the
    tickets; otherwise one statement scans the tickets once. *dictionary*: the terms held in memory.
    """
    matches = search.matches(cursor, dictionary)
    matches.resolve(cursor, scored=query.sort == "relevance")
    if known is not None and query.sort in ("id", "-id", "relevance"):
        answer = known_page(cursor, matches, query, known)
        if answer is not None:
            return answer
    if query.sort == "relevance":
        sql, match_params = matches.sql()
        source = f"SELECT id, status, found.score AS key FROM tickets JOIN ({sql}) found ON found.ticket_id = id WHERE {where}"
        params = [*match_params, *params]
        order = "key DESC, id DESC"  # the tickets whose matching words weigh most first, the newest among equals
    else:
        sql, match_params = matches.ids_sql()
        source = f"SELECT id, status, {query.sort.removeprefix('-')} AS key FROM tickets WHERE {where} AND id IN ({sql})"
        params = [*params, *match_params]
        direction = "DESC" if query.sort.startswith("-") else "ASC"
        order = f"key {direction} NULLS LAST, id {direction}"
    statuses_sql = f"WHERE status IN ({', '.join('?' * len(query.status))})" if query.status else ""
    ids, by_status = cursor.execute(
        f"WITH m AS MATERIALIZED ({source}) SELECT "
        f"(SELECT list(id ORDER BY {order}) FROM (SELECT id, key FROM m {statuses_sql} ORDER BY {order} LIMIT ? OFFSET ?)), "
        "(SELECT map(list(status), list(n)) FROM (SELECT status, count(*) AS n FROM m GROUP BY status))",
        [*params, *(query.status or []), query.limit, query.offset]).fetchone()
    return ids or [], dict(by_status or {})


def known_page(cursor: duckdb.DuckDBPyConnection, matches: Matches, query: PageQuery,
               known: KnownTickets) -> tuple[list[int], dict[str, int]] | None:
    """Return page()'s answer from the matches' ids alone, with their statuses and categories from *known*
    (None: not all known)."""
    relevance = query.sort == "relevance"
    codes = known.current(cursor)
    scores = None
    if relevance:
        ids, scores = matches.scored_array(cursor, common=len(codes) * MASK_SHARE)
    else:
        ids = matches.ids_array(cursor, common=len(codes) * MASK_SHARE)
    if len(ids) and (ids.max() >= len(codes) or not codes[ids].all()):
        codes = known.current(cursor)  # tickets created since the statuses were read: they are in the events now
        if ids.max() >= len(codes) or not codes[ids].all():
            return None
    if query.category:
        categories = known.categories
        if len(ids) and (len(categories) < len(codes) or not categories[ids].all()):
            return None  # a category outside the list
        keep = np.isin(categories[ids], [CATEGORY_CODES[category] for category in query.category])
        ids = ids[keep]
        scores = scores[keep] if scores is not None else None
    found_codes = codes[ids] if len(ids) else np.zeros(0, np.uint8)
    counts = np.bincount(found_codes, minlength=len(STATUSES))
    by_status = {status: int(counts[code]) for status, code in CODES.items() if counts[code]}
    if query.status:
        keep = np.isin(found_codes, [CODES[status] for status in query.status])
        ids = ids[keep]
        scores = scores[keep] if scores is not None else None
    if relevance:
        order = np.lexsort((-ids, -scores))  # the highest score first, the newest among equals
    else:
        order = np.arange(len(ids))[::-1] if query.sort.startswith("-") else np.arange(len(ids))
    return ids[order[query.offset:query.offset + query.limit]].tolist(), by_status


def count_words(query: str) -> int:
    """Return how many words *query* has, as a search counts them."""
    return len(set(words(query)))


def expected_rows(rows: Iterable[tuple]) -> pa.Table:
    """Return the ticket_terms rows (with each term's text) of (id, *SEARCHED_FIELDS) rows, in Python."""
    term_column, id_column, ticket_column, weight_column = [], [], [], []
    for ticket_id, *texts in rows:
        for term, weight in ticket_terms(dict(zip(SEARCHED_FIELDS, texts))).items():
            term_column.append(term)
            id_column.append(term_id(term))
            ticket_column.append(ticket_id)
            weight_column.append(weight)
    return pa.table({"text": pa.array(term_column, pa.string()), "term": pa.array(id_column, pa.int64()),
                     "ticket_id": pa.array(ticket_column, pa.int32()), "weight": pa.array(weight_column, pa.uint8())})


def index_differences(cursor: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Return the index rows that are missing or stale compared with the tickets' text (none when consistent)."""
    rows = cursor.execute(f"SELECT id, {', '.join(SEARCHED_FIELDS)} FROM tickets ORDER BY id").fetchall()
    cursor.register("expected_terms", expected_rows(rows))
    try:
        return cursor.execute(
            "(SELECT 'missing', * FROM (SELECT term, ticket_id, weight FROM expected_terms "
            "EXCEPT ALL SELECT term, ticket_id, weight FROM ticket_terms)) UNION ALL "
            "(SELECT 'stale', * FROM (SELECT term, ticket_id, weight FROM ticket_terms "
            "EXCEPT ALL SELECT term, ticket_id, weight FROM expected_terms)) UNION ALL "
            "(SELECT DISTINCT 'not in the dictionary', term, NULL, text FROM expected_terms "
            "WHERE (term, text) NOT IN (SELECT (id, term) FROM search_terms)) UNION ALL "
            f"(SELECT 'wrong head', id, NULL, term FROM search_terms WHERE head IS DISTINCT FROM {HEAD_SQL.format('term')}) "
            "LIMIT 20"
        ).fetchall()
    finally:
        cursor.unregister("expected_terms")
