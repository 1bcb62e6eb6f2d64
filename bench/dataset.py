"""Write N campus tickets as import CSV quickly, with DuckDB doing the generating."""
from __future__ import annotations

from pathlib import Path

import duckdb

PROBLEMS = {
    "facility": ["The radiator is stone cold", "Water is leaking from the ceiling", "The lift is stuck between floors",
                 "The door card reader rejects every card", "Lights keep flickering", "The toilets are blocked",
                 "The window will not close", "Broken chairs in the back rows"],
    "it": ["Eduroam keeps dropping", "I cannot log in to the learning platform", "The printer says paper jam",
           "The projector shows no signal", "VPN disconnects every ten minutes", "My password reset link expired",
           "The lab computers will not boot", "Email attachments fail to send"],
    "services": ["The canteen queue took forty minutes", "Staff at the registrar were rude",
                 "The shuttle bus never came", "Library fines are unfair", "Coffee at the café is always cold",
                 "The enrolment office lost my form", "Sports centre opening hours are too short",
                 "Food prices went up again"],
}
PLACES = ["Building A", "Main library", "Lecture hall 3", "Canteen", "Dorm block C", "Chemistry lab 2",
          "Sports centre", "Registrar office", "Car park North", "Student union"]


def write_tickets_csv(path: Path, count: int, months: int = 18, seed: int = 7) -> Path:
    """Write *count* tickets over the last *months* months to *path* in the import's CSV columns."""
    con = duckdb.connect()
    con.execute(f"SELECT setseed({seed / 100})")
    con.execute("SET TimeZone = 'UTC'")
    facility, it, services = (PROBLEMS[name] for name in ("facility", "it", "services"))
    con.execute(f"""
        COPY (
        WITH base AS (
            SELECT i, ['facility', 'it', 'services'][1 + (hash(i, 1) % 3)::INT] AS category,
                   now()::TIMESTAMP - to_seconds((random() * {months} * 30 * 86400)::BIGINT) AS opened,
                   random() AS r, hash(i, 2) AS h
            FROM range({count}) t(i)),
        shaped AS (
            SELECT *, CASE WHEN r < 0.08 THEN 'open' WHEN r < 0.16 THEN 'active' ELSE 'closed' END AS status,
                   to_seconds((3600 + random() * CASE category WHEN 'facility' THEN 10 ELSE 3 END * 86400)::BIGINT)
                       AS takes
            FROM base)
        SELECT NULL AS title,
               (CASE category WHEN 'facility' THEN {facility} WHEN 'it' THEN {it} ELSE {services} END)[1 + (h % 8)::INT]
                   || ' (report ' || i || ').' AS description,
               {PLACES}[1 + (h % 10)::INT] AS location, 'reporter' || (h % 5000) AS reporter,
               category, status,
               strftime(opened, '%Y-%m-%dT%H:%M:%S.%fZ') AS opened_at,
               CASE WHEN status = 'closed' THEN strftime(least(opened + takes, now()::TIMESTAMP),
                                                         '%Y-%m-%dT%H:%M:%S.%fZ') END AS closed_at
        FROM shaped ORDER BY opened
        ) TO '{path}' (FORMAT csv, HEADER true)
    """)
    return path
