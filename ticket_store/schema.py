"""The database schema as numbered migrations, applied forward once each."""
from __future__ import annotations

from typing import Callable

import duckdb

from .search import add_heads, create_index
from .service_levels import DEFAULT_TARGETS, due_times_sql

#: A ticket's text fields lowercased in one column, so a text search scans one column that needs
#: no lowercasing at query time (at 1M tickets about a third of the time of four ILIKEs).
SEARCH_TEXT = "lower(concat_ws(chr(10), title, description, location, reporter))"

MIGRATIONS: list[tuple[int, str | Callable[[duckdb.DuckDBPyConnection], None]]] = [
    (
        1,
        """
        CREATE TABLE tickets (
            id BIGINT PRIMARY KEY,
            title VARCHAR,
            description VARCHAR NOT NULL,
            location VARCHAR,
            reporter VARCHAR,
            category VARCHAR NOT NULL,
            category_source VARCHAR NOT NULL,
            category_confidence DOUBLE NOT NULL,
            status VARCHAR NOT NULL,
            opened_at TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL,
            closed_at TIMESTAMP,
            version INTEGER NOT NULL,
            message_count INTEGER NOT NULL
        );
        CREATE TABLE messages (
            id BIGINT PRIMARY KEY,
            ticket_id BIGINT NOT NULL,
            author_role VARCHAR NOT NULL,
            author_name VARCHAR,
            body VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL
        );
        CREATE INDEX messages_by_ticket ON messages (ticket_id);
        CREATE TABLE events (
            id BIGINT PRIMARY KEY,
            ticket_id BIGINT NOT NULL,
            occurred_at TIMESTAMP NOT NULL,
            role VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            old VARCHAR,
            new VARCHAR
        );
        CREATE INDEX events_by_ticket ON events (ticket_id);
        """,
    ),
    (
        2,
        "ALTER TABLE tickets ADD COLUMN search_text VARCHAR;"
        f"UPDATE tickets SET search_text = {SEARCH_TEXT}",
    ),
    (
        3,
        # Each event records the ticket's version it produced, so a stale edit can tell which fields
        # changed since the caller's version. Before, every change (a PATCH's edit and category
        # change share one) was stamped with its own instant, so the distinct instants count versions.
        "ALTER TABLE events ADD COLUMN version INTEGER;"
        "UPDATE events SET version = numbered.version FROM ("
        "SELECT id, dense_rank() OVER (PARTITION BY ticket_id ORDER BY occurred_at) AS version FROM events"
        ") numbered WHERE events.id = numbered.id",
    ),
    (
        4,
        # Staff own and prioritise tickets and keep internal notes; each ticket carries the due times of
        # its service levels (its sla_state depends on now, so queries compute it from these). Existing
        # tickets are normal, due from their opening; their first response is their first staff message.
        # Campus users count only public messages, so they never learn that a note exists.
        "ALTER TABLE tickets ADD COLUMN priority VARCHAR DEFAULT 'normal';"
        "ALTER TABLE tickets ADD COLUMN assignee VARCHAR;"
        "ALTER TABLE tickets ADD COLUMN first_response_at TIMESTAMP;"
        "ALTER TABLE tickets ADD COLUMN response_risk_at TIMESTAMP;"
        "ALTER TABLE tickets ADD COLUMN response_due_at TIMESTAMP;"
        "ALTER TABLE tickets ADD COLUMN resolution_risk_at TIMESTAMP;"
        "ALTER TABLE tickets ADD COLUMN resolution_due_at TIMESTAMP;"
        "ALTER TABLE tickets ADD COLUMN public_message_count INTEGER DEFAULT 0;"
        "ALTER TABLE messages ADD COLUMN internal BOOLEAN DEFAULT false;"
        "UPDATE tickets SET public_message_count = message_count, "
        + ", ".join(f"{column} = {sql}" for column, sql in zip(
            ("response_risk_at", "response_due_at", "resolution_risk_at", "resolution_due_at"),
            due_times_sql("opened_at", "priority", DEFAULT_TARGETS))) + ";"
        "UPDATE tickets SET first_response_at = answered.at FROM ("
        "SELECT ticket_id, min(created_at) AS at FROM messages WHERE author_role = 'staff' GROUP BY ticket_id"
        ") answered WHERE tickets.id = answered.ticket_id",
    ),
    (
        5,
        # contact: the reporter's e-mail address, for staff only. Existing reporters stay as they
        # are, e-mail addresses included: a name that looks like an address may be one by choice.
        # Follow tokens are kept as SHA-256 hashes, one row per token ever issued: rotating revokes
        # the old row and adds a new one, so no indexed column is ever updated.
        # The outbox holds every mail a change causes, written in the change's own transaction.
        """
        ALTER TABLE tickets ADD COLUMN contact VARCHAR;
        CREATE TABLE follow_tokens (
            token_hash VARCHAR PRIMARY KEY,
            ticket_id BIGINT NOT NULL,
            issued_at TIMESTAMP NOT NULL,
            revoked_at TIMESTAMP
        );
        CREATE TABLE ratings (
            ticket_id BIGINT PRIMARY KEY,
            rating INTEGER NOT NULL,
            comment VARCHAR,
            rated_at TIMESTAMP NOT NULL
        );
        CREATE TABLE outbox (
            id BIGINT PRIMARY KEY,
            ticket_id BIGINT NOT NULL,
            kind VARCHAR NOT NULL,
            recipient VARCHAR NOT NULL,
            details VARCHAR NOT NULL,
            follow_token VARCHAR,
            skip BOOLEAN NOT NULL,
            created_at TIMESTAMP NOT NULL,
            next_attempt_at TIMESTAMP NOT NULL,
            attempts INTEGER NOT NULL,
            leased_until TIMESTAMP,
            sent_at TIMESTAMP,
            given_up_at TIMESTAMP,
            last_error VARCHAR
        );
        """,
    ),
    (
        6,
        # The inverted index of the tickets' public text (search.py), filled from every ticket; searches
        # look words up there instead of scanning search_text, which nothing reads or writes any more.
        lambda con: (create_index(con), con.execute("ALTER TABLE tickets DROP COLUMN search_text")),
    ),
    (
        7,
        # Photos (their bytes beside the ticket in the same database, so a backup holds them), "me too"
        # reports and merges of duplicates, and the helpdesk's known-issue notices.
        "ALTER TABLE tickets ADD COLUMN attachment_count INTEGER DEFAULT 0;"
        "ALTER TABLE tickets ADD COLUMN me_too_count INTEGER DEFAULT 0;"
        "ALTER TABLE tickets ADD COLUMN merged_into BIGINT;"
        "UPDATE tickets SET attachment_count = 0, me_too_count = 0;"
        """
        CREATE TABLE attachments (
            id BIGINT PRIMARY KEY,
            ticket_id BIGINT NOT NULL,
            content_type VARCHAR NOT NULL,
            bytes INTEGER NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            created_at TIMESTAMP NOT NULL,
            role VARCHAR NOT NULL,
            image BLOB NOT NULL,
            thumbnail_type VARCHAR NOT NULL,
            thumbnail BLOB NOT NULL
        );
        CREATE INDEX attachments_by_ticket ON attachments (ticket_id);
        CREATE TABLE me_toos (
            id BIGINT PRIMARY KEY,
            ticket_id BIGINT NOT NULL,
            contact VARCHAR,
            name VARCHAR,
            merged_from BIGINT,
            created_at TIMESTAMP NOT NULL
        );
        CREATE INDEX me_toos_by_ticket ON me_toos (ticket_id);
        CREATE TABLE notices (
            id BIGINT PRIMARY KEY,
            text VARCHAR NOT NULL,
            category VARCHAR,
            location VARCHAR,
            ticket_id BIGINT,
            expires_at TIMESTAMP,
            created_at TIMESTAMP NOT NULL,
            withdrawn_at TIMESTAMP
        );
        """,
    ),
    (
        8,
        # The language the categorizer detected when the ticket was created ("en", "it", "de", "fr",
        # "es" or "other"); NULL for tickets stored before it was kept, and for imported tickets
        # that came with their category: unknown.
        "ALTER TABLE tickets ADD COLUMN language VARCHAR;",
    ),
    (
        9,
        # Who did it, by the display name the web app sends (X-Helpdesk-Name); earlier entries have none.
        "ALTER TABLE events ADD COLUMN name VARCHAR;",
    ),
    (
        10,
        # The hash of the ticket's follow token, in its own row (follow.py): a create writes one
        # statement fewer. follow_tokens keeps the tokens issued before, which still work.
        "ALTER TABLE tickets ADD COLUMN follow_hash VARCHAR;",
    ),
    (
        11,
        # Each dictionary term's first 8 bytes as an integer (search.py): a prefix being typed is an
        # integer range, not a range of text (at 1M tickets: 1.92 ms → 0.82).
        add_heads,
    ),
    (
        12,
        # How many index rows were sorted by term as one run at the last sort (index_sorting.py): the
        # rows added since tell when to sort again. 0: never sorted (each import left a run of its own).
        "CREATE TABLE search_index_sorted (rows BIGINT NOT NULL); INSERT INTO search_index_sorted VALUES (0);",
    ),
]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration the database has not seen yet; return the schema version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
    )
    applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    for version, sql in MIGRATIONS:
        if version in applied:
            continue
        con.execute("BEGIN")
        try:
            sql(con) if callable(sql) else con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [version])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return max(version for version, _ in MIGRATIONS)
