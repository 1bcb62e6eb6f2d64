"""Bulk import of historical tickets (CSV or NDJSON, all-or-nothing) and CSV export."""
from __future__ import annotations

import csv
import glob
import io
import os
import re
import tempfile
from typing import Any, BinaryIO

import duckdb
import pyarrow as pa

from .categorizer import Categorizer, ticket_text
from .db import STORAGE_FULL, Database, StorageFull, is_disk_full
from .errors import InsufficientStorage, InvalidInput, PayloadTooLarge
from .payloads import FIELD_LIMITS, INVISIBLE_OR_WHITE_RE2, WHITE_SPACE, JsonRefused, read_json
from .search import index_tickets
from .service_levels import DEFAULT_TARGETS, Target, due_times_sql
from .tickets import EVENT_COLUMNS, RISK_COLUMNS, TICKET_COLUMNS, utc_now

COLUMNS = ("title", "description", "location", "reporter", "category", "status", "opened_at", "closed_at")
IMPORT_LIMIT = 512 * 1024 * 1024
CHUNK = 1024 * 1024
ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
BARE_CARRIAGE_RETURN = re.compile(rb"\r(?!\n)")
# Text is trimmed of what the API trims (WHITE_SPACE); DuckDB's trim() alone keeps tabs and line breaks.
# trim() with a set of characters costs about 0.5 µs a row even when there is nothing to trim;
# checking the first and last character first makes the usual case ten times cheaper.
TRIM_TEXT_MACRO = (
    "CREATE OR REPLACE TEMP MACRO trim_text(text) AS "
    f"CASE WHEN contains('{WHITE_SPACE}', left(text, 1)) OR contains('{WHITE_SPACE}', right(text, 1)) "
    f"THEN trim(text, '{WHITE_SPACE}') ELSE text END"
)
# A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before them) as a
# formula (OWASP: CSV injection). Export puts a ' before every text cell that starts with any number
# of ' and then one of those (a spreadsheet then shows it as text); import takes exactly one ' off
# such a cell. Other cells are written and read unchanged, so export → import gives every text back
# exactly: a text that really starts with '= is exported as ''= and imported as '= again.
TEXT_COLUMNS = ("title", "description", "location", "reporter")
QUOTED_CELL = re.compile(r"'+[=+\-@\t\r]")
CELL_NEEDS_QUOTE = r"^'*[=+\-@\t\r]"
QUOTE_CELL_MACRO = (  # the first-character test first: the regular expression costs more
    "CREATE OR REPLACE TEMP MACRO quote_cell(text) AS "
    "CASE WHEN contains('''=+-@' || chr(9) || chr(13), left(text, 1)) "
    f"AND regexp_matches(text, '{CELL_NEEDS_QUOTE.replace(chr(39), chr(39) * 2)}') THEN '''' || text ELSE text END"
)
UNQUOTE_CELL_MACRO = (
    "CREATE OR REPLACE TEMP MACRO unquote_cell(text) AS "
    f"CASE WHEN left(text, 1) = '''' AND regexp_matches(text, '^{QUOTED_CELL.pattern.replace(chr(39), chr(39) * 2)}') "
    "THEN substr(text, 2) ELSE text END"
)


def unquote_cell(text: str) -> str:
    """Take off the ' that export put before a cell a spreadsheet would run as a formula."""
    return text[1:] if QUOTED_CELL.match(text) else text

# An optional text that is empty after trimming, or shows nothing, is not given (as the API treats it).
SHOWN_TEXT_MACRO = (
    "CREATE OR REPLACE TEMP MACRO shown_text(text) AS "
    f"CASE WHEN regexp_full_match(coalesce(text, ''), '{INVISIBLE_OR_WHITE_RE2}') THEN NULL ELSE trim_text(text) END"
)


def save_body(stream: BinaryIO, path: str, limit: int = IMPORT_LIMIT) -> int:
    """Copy the request body to *path* without holding it in memory; refuse more than *limit* bytes."""
    size = 0
    try:
        with open(path, "wb") as target:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge("The import is larger than 512 MiB; split it into several files.")
                target.write(chunk)
    except OSError as error:
        if is_disk_full(error):
            raise StorageFull(STORAGE_FULL) from error
        raise
    return size


def row_error(row: int, field: str | None, message: str) -> InvalidInput:
    """Return the 422 for the first bad row of an import; nothing is imported."""
    where = f"row {row}" + (f", field {field}" if field else "")
    return InvalidInput(f"Nothing was imported: {where}: {message}.",
                        [{"row": row, "field": field or "", "message": message}])


def stage_csv(cursor: duckdb.DuckDBPyConnection, path: str) -> None:
    """Load a CSV file into the staging table, refusing a wrong header or malformed rows."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as file:
        header = next(csv.reader(io.StringIO(file.readline())), [])
    if [name.strip() for name in header] != list(COLUMNS):
        raise InvalidInput(f"Nothing was imported: the first line must be the header {','.join(COLUMNS)}.",
                           [{"row": 0, "field": "", "message": "wrong or missing header"}])
    if has_bare_carriage_return(path):
        stage_csv_rows(cursor, path)
        return
    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in COLUMNS)
    cells = ", ".join(f"unquote_cell({name}) AS {name}" if name in TEXT_COLUMNS else name for name in COLUMNS)
    cursor.execute(UNQUOTE_CELL_MACRO)
    try:
        # The single-threaded reader: DuckDB 2.0's parallel one now and then gives up on a valid file
        # ("does not support a full read on this file"), seen once in about ten 1M-ticket demo loads;
        # reading 100,000 rows this way costs about 20 ms more.
        cursor.execute(
            f"CREATE OR REPLACE TEMP TABLE staging AS SELECT {cells} FROM read_csv(?, header = true, "
            f"auto_detect = false, columns = {{{columns}}}, delim = ',', quote = '\"', escape = '\"', "
            f"strict_mode = true, encoding = 'utf-8', parallel = false)",
            [path],
        )
    except (duckdb.InvalidInputException, duckdb.ConversionException) as error:
        line = re.search(r"Line: (\d+)", str(error))
        reason = str(error).split("\n")[1:3] if "\n" in str(error) else [str(error)]
        message = "the line is not valid CSV (" + "; ".join(part.strip() for part in reason if part.strip()) + ")"
        raise row_error(int(line.group(1)) - 1 if line else 0, None, message) from None


def has_bare_carriage_return(path: str) -> bool:
    """Return True when the file has a carriage return not followed by a line feed.

    DuckDB's CSV reader refuses or silently drops such a carriage return even inside a quoted field,
    where RFC 4180 allows it (and the API accepts it in every text field).
    """
    with open(path, "rb") as file:
        tail = b""
        while chunk := file.read(CHUNK):
            data = tail + chunk
            end = len(data) - 1 if data.endswith(b"\r") else len(data)  # its line feed may be in the next chunk
            if BARE_CARRIAGE_RETURN.search(data, 0, end):
                return True
            tail = data[end:]
    return tail == b"\r"


def stage_csv_rows(cursor: duckdb.DuckDBPyConnection, path: str) -> None:
    """Load a CSV file with Python's csv reader, in batches (slower than DuckDB's, exact for any text)."""
    cursor.execute(f"CREATE OR REPLACE TEMP TABLE staging ({', '.join(f'{name} VARCHAR' for name in COLUMNS)})")
    batch: list[list[str]] = []

    def flush() -> None:
        cursor.register("csv_rows", pa.table({name: pa.array(column, pa.string())
                                              for name, column in zip(COLUMNS, zip(*batch))}))
        cursor.execute("INSERT INTO staging SELECT * FROM csv_rows")
        cursor.unregister("csv_rows")
        batch.clear()

    row = 0
    with open(path, encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file, strict=True)
        try:
            next(reader)
            for record in reader:
                if not record:
                    continue
                row += 1
                if len(record) != len(COLUMNS):
                    raise row_error(row, None, f"the line has {len(record)} fields instead of {len(COLUMNS)}")
                batch.append([unquote_cell(cell) if name in TEXT_COLUMNS else cell
                              for name, cell in zip(COLUMNS, record)])
                if len(batch) == 50_000:
                    flush()
        except csv.Error as error:
            raise row_error(row + 1, None, f"the line is not valid CSV ({error})") from None
        except UnicodeDecodeError:
            raise row_error(row + 1, None, "the line is not UTF-8 text") from None
    if batch:
        flush()


def stage_ndjson(cursor: duckdb.DuckDBPyConnection, path: str) -> None:
    """Load an NDJSON file into the staging table, refusing unknown fields and non-text values."""
    check_ndjson_lines(path)
    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in COLUMNS)
    cursor.execute(
        f"CREATE OR REPLACE TEMP TABLE staging AS SELECT * FROM read_json(?, format = 'newline_delimited', "
        f"columns = {{{columns}}})",
        [path],
    )


def check_ndjson_lines(path: str) -> None:
    """Read the file once, line by line, and raise for the first line that is not a ticket object."""
    row = 0
    with open(path, "rb") as file:
        for raw in file:
            if not raw.strip():
                continue
            row += 1
            try:
                ticket = read_json(raw)
            except JsonRefused as refused:
                raise row_error(row, None, f"the line is not valid JSON: {refused}") from None
            if not isinstance(ticket, dict):
                raise row_error(row, None, "each line must be a JSON object")
            unknown = sorted(set(ticket) - set(COLUMNS))
            if unknown:
                raise row_error(row, unknown[0], f"{unknown[0]} is not a column of the import")
            for name, value in ticket.items():
                if value is not None and not isinstance(value, str):
                    raise row_error(row, name, f"{name} must be a string")


CHECKS: list[tuple[str, str, str]] = [
    *(
        (field, f"regexp_matches({field}, '[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]')",
         "contains control characters; only newline, carriage return and tab are allowed")
        for field in ("title", "description", "location", "reporter")
    ),
    ("description", f"description IS NULL OR regexp_full_match(description, '{INVISIBLE_OR_WHITE_RE2}')",
     "description is required (it is empty or shows nothing)"),
    *(
        (field, f"length(trim_text({field})) > {FIELD_LIMITS[field]}",
         f"must be at most {FIELD_LIMITS[field]:,} characters")
        for field in ("title", "description", "location", "reporter")
    ),
    ("category", "coalesce(trim_text(category), '') NOT IN ('', 'facility', 'it', 'services')",
     "must be facility, it, services or empty"),
    ("status", "coalesce(trim_text(status), '') NOT IN ('open', 'active', 'closed')", "must be open, active or closed"),
    ("opened_at", "opened IS NULL", "must be an ISO 8601 timestamp"),
    ("closed_at", "closed_at IS NOT NULL AND trim_text(closed_at) <> '' AND closed IS NULL",
     "must be an ISO 8601 timestamp or empty"),
    ("closed_at", "trim_text(status) = 'closed' AND closed IS NULL", "is required when the status is closed"),
    ("closed_at", "trim_text(status) <> 'closed' AND closed IS NOT NULL", "must be empty unless the status is closed"),
    ("opened_at", "opened > $now", "must not be in the future"),
    ("closed_at", "closed > $now", "must not be in the future"),
    ("closed_at", "closed < opened", "must not be before opened_at"),
]


def validate_staging(cursor: duckdb.DuckDBPyConnection, now: Any) -> None:
    """Raise for the first row that breaks a rule (rows counted from 1 after the header)."""
    cursor.execute(
        # rowids of tables written inside a transaction start at a large offset, so count rows instead.
        "CREATE OR REPLACE TEMP TABLE checked AS SELECT row_number() OVER (ORDER BY rowid) AS row, *, "
        "timezone('UTC', try_cast(nullif(trim_text(opened_at), '') AS TIMESTAMPTZ)) AS opened, "
        "timezone('UTC', try_cast(nullif(trim_text(closed_at), '') AS TIMESTAMPTZ)) AS closed FROM staging"
    )
    selects = ", ".join(f"min(row) FILTER (WHERE {condition})" for _, condition, _ in CHECKS)
    firsts = cursor.execute(f"SELECT {selects} FROM checked".replace("$now", "?"),
                            [now] * sum(condition.count("$now") for _, condition, _ in CHECKS)).fetchone()
    failures = [(row, field, message) for row, (field, _, message) in zip(firsts, CHECKS) if row is not None]
    if failures:
        row, field, message = min(failures, key=lambda failure: failure[0])  # the first rule broken in that row
        raise row_error(row, field, message)


def categorize_missing(cursor: duckdb.DuckDBPyConnection, categorizer: Categorizer) -> None:
    """Give rows without a category the categorizer's answer and language (rows with one keep NULL: unknown)."""
    rows = cursor.execute(
        "SELECT row, shown_text(title), trim_text(description) FROM checked "
        "WHERE coalesce(trim_text(category), '') = ''"
    ).fetchall()
    results = categorizer.categorize_many([ticket_text(title or None, description) for _, title, description in rows])
    cursor.register("assigned", pa.table({
        "row": pa.array([row for row, _, _ in rows], pa.int64()),
        "category": pa.array([result.category for result in results], pa.string()),
        "confidence": pa.array([result.confidence for result in results], pa.float64()),
        "language": pa.array([result.language for result in results], pa.string()),
    }))
    cursor.execute("CREATE OR REPLACE TEMP TABLE assigned_categories AS SELECT * FROM assigned")
    cursor.unregister("assigned")


def import_tickets(db: Database, path: str, kind: str, categorizer: Categorizer,
                   targets: dict[str, Target] | None = None) -> int:
    """Validate the whole file, then store every ticket in one transaction; return how many.

    Imported tickets are normal, with the service levels' due times counted from their opening and
    no first response (the import carries no thread).
    """
    risk_response, due_response, risk_resolution, due_resolution = due_times_sql(
        "opened_at", "'normal'", targets or DEFAULT_TARGETS)
    now = utc_now()
    with db.transaction() as cursor:
        cursor.execute(TRIM_TEXT_MACRO)
        cursor.execute(SHOWN_TEXT_MACRO)
        (stage_csv if kind == "csv" else stage_ndjson)(cursor, path)
        validate_staging(cursor, now)
        categorize_missing(cursor, categorizer)
        count = cursor.execute("SELECT count(*) FROM checked").fetchone()[0]
        first_ticket = db.reserve_ids("tickets", count)
        first_event = db.reserve_ids("events", count)
        cursor.execute(
            f"INSERT INTO tickets ({TICKET_COLUMNS}, {RISK_COLUMNS}) "
            f"SELECT * EXCLUDE (language), 'normal', NULL, NULL, {due_response}, {due_resolution}, 0, language, NULL, 0, 0, NULL, "
            f"{risk_response}, {risk_resolution} FROM ("
            "SELECT ? + c.row - 1 AS id, shown_text(c.title) AS title, trim_text(c.description) AS description, "
            "shown_text(c.location) AS location, shown_text(c.reporter) AS reporter, "
            "coalesce(a.category, trim_text(c.category)), CASE WHEN a.category IS NULL THEN 'staff' ELSE 'auto' END, "
            "coalesce(a.confidence, 1.0), trim_text(c.status), c.opened AS opened_at, coalesce(c.closed, c.opened), "
            "c.closed, 1, 0, a.language AS language "
            "FROM checked c LEFT JOIN assigned_categories a USING (row)) ORDER BY id",
            [first_ticket],
        )
        index_tickets(cursor, first_ticket, first_ticket + count)
        cursor.execute(
            f"INSERT INTO events ({EVENT_COLUMNS}, version) "
            "SELECT ? + c.row - 1, ? + c.row - 1, ?, 'staff', 'imported', NULL, "
            "json_object('status', trim_text(c.status), 'opened_at', strftime(c.opened, ?), "
            "'closed_at', strftime(c.closed, ?)), 1 FROM checked c ORDER BY c.row",
            [first_event, first_ticket, now, ISO_FORMAT, ISO_FORMAT],
        )
        for table in ("staging", "checked", "assigned_categories"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    return count


def export_tickets(db: Database, path: str) -> None:
    """Write every ticket, oldest first, as CSV in the columns the import reads; no cell runs as a formula."""
    cursor = db.cursor()
    cursor.execute(QUOTE_CELL_MACRO)
    cells = ", ".join(f"quote_cell({name}) AS {name}" for name in TEXT_COLUMNS)
    target = path.replace("'", "''")
    try:
        cursor.execute(
            f"COPY (SELECT {cells}, category, status, "
            f"strftime(opened_at, '{ISO_FORMAT}') AS opened_at, strftime(closed_at, '{ISO_FORMAT}') AS closed_at "
            f"FROM tickets ORDER BY id) TO '{target}' (FORMAT csv, HEADER true)"
        )
    except duckdb.Error as error:
        if is_disk_full(error):
            raise InsufficientStorage("The disk holding the ticket database is too full to write the export; "
                                      "nothing was changed, and the export works again once there is space.") from error
        raise


def spool_file(db_path: str, suffix: str) -> str:
    """Return a new empty file beside the database for an import's body or an export (removed after use).

    Beside the database, not in the system's temporary folder: a store killed while one is in use
    leaves it behind, and the next store of that database removes it (remove_spooled).
    """
    folder, name = os.path.split(os.path.abspath(db_path))
    try:
        handle, path = tempfile.mkstemp(prefix=f".{name}-spool-", suffix=f".{suffix}", dir=folder)
    except OSError as error:
        if is_disk_full(error):
            raise StorageFull(STORAGE_FULL) from error
        raise
    os.close(handle)
    return path


def remove_spooled(db_path: str) -> int:
    """Remove the spool files (spool_file) a store of *db_path* left when it was killed; return how many.

    Call it holding the database open: no other store can be using that database, so none is in use.
    """
    folder, name = os.path.split(os.path.abspath(db_path))
    left = glob.glob(os.path.join(glob.escape(folder), f".{glob.escape(name)}-spool-*"))
    for path in left:
        remove_quietly(path)
    return len(left)


def remove_quietly(path: str) -> None:
    """Delete a temporary file if it is still there."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
