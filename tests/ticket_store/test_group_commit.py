"""The group commit's deferred rows: few go in as VALUES, many as one INSERT of column lists."""
from __future__ import annotations

from datetime import datetime

import pytest

from ticket_store.db import UNNEST_FROM, Database

COLUMNS = "id, ticket_id, kind, recipient, details, follow_token, skip, created_at, next_attempt_at, attempts"


@pytest.mark.parametrize("count", [1, UNNEST_FROM - 1, UNNEST_FROM, 70])
def test_deferred_rows_arrive_whole_however_many(db_path, count):
    db = Database(str(db_path))
    at = datetime(2026, 1, 5, 9, 30, 0, 123456)
    rows = [(n + 1, n, "created", f"person{n}@campus.example", '{"é": "ü"}' if n % 2 else "{}", None,
             bool(n % 3), at, at, 0) for n in range(count)]  # follow_token: null in every row

    def defer(_cursor):
        for row in rows:
            db.insert_later("outbox", COLUMNS, row)

    try:
        db.write(defer)
        stored = db.cursor().execute(f"SELECT {COLUMNS} FROM outbox ORDER BY id").fetchall()
        assert stored == rows
    finally:
        db.close()


def test_a_refused_job_leaves_none_of_its_many_rows(db_path):
    from ticket_store.rules import NotPermitted

    db = Database(str(db_path))
    at = datetime(2026, 1, 5)

    def refuse(_cursor):
        for n in range(UNNEST_FROM + 2):
            db.insert_later("outbox", COLUMNS, (n + 1, n, "created", "a@campus.example", "{}", None, False, at, at, 0))
        raise NotPermitted("Only staff may do this.", "user")

    try:
        with pytest.raises(NotPermitted):
            db.write(refuse)
        db.write(lambda _cursor: None)
        assert db.cursor().execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    finally:
        db.close()
