"""What clients may send: request bodies and list queries, validated into typed records."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from .categorizer import CATEGORIES
from .categorizer.language import NAMES as LANGUAGE_NAMES
from .errors import InvalidInput
from .search import MAX_WORDS, count_words

STATUSES = ("open", "active", "closed")
Status = Literal["open", "active", "closed"]
Category = Literal["facility", "it", "services"]
Priority = Literal["low", "normal", "high", "urgent"]
SlaState = Literal["ok", "at_risk", "breached"]
MAX_BULK = 500
#: The languages the categorizer tells apart (result.language).
Language = Literal["en", "it", "de", "fr", "es", "other"]

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What trimming removes: Unicode White_Space (tab, newline, no-break and wide spaces …).
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
FIELD_LIMITS = {"title": 120, "description": 10_000, "location": 200, "reporter": 80, "author_name": 80, "assignee": 80,
                "body": 10_000, "text": 10_000, "q": 200, "contact": 254}
CONTROL = CONTROL_CHARACTERS.pattern.removeprefix("[").removesuffix("]")
WHITE = "".join(f"\\u{ord(character):04x}" for character in WHITE_SPACE)
# What the document says of a text: its characters as a pattern; its limit in words, because the
# limit counts after trimming and a JSON Schema maxLength would count the white space too.
PLAIN_TEXT = f"^[^{CONTROL}]*$"
NON_BLANK_TEXT = f"^[^{CONTROL}]*[^{WHITE}{CONTROL}][^{CONTROL}]*$"
NOT_SETTABLE = {
    "id": "ids are assigned by the store",
    "status": "new tickets are always open; staff change the status with the status endpoint",
    "category": "the category is assigned automatically; staff may correct it afterwards",
    "category_source": "it is set by the store",
    "category_confidence": "it is set by the store",
    "needs_review": "it is set by the store",
    "opened_at": "timestamps are set by the store",
    "updated_at": "timestamps are set by the store",
    "closed_at": "timestamps are set by the store",
    "version": "it is set by the store",
    "message_count": "it is set by the store",
    "public_message_count": "it is set by the store",
    "priority": "new tickets are normal; staff set the priority afterwards",
    "assignee": "staff assign tickets afterwards",
    "first_response_at": "timestamps are set by the store",
    "response_due_at": "the service levels set it",
    "resolution_due_at": "the service levels set it",
    "sla_state": "it is computed by the store",
    "language": "it is detected by the store",
    "author_role": "the author's role comes from the X-Helpdesk-Role header",
    "ticket_id": "it comes from the address",
    "created_at": "timestamps are set by the store",
}


# What shows nothing: format characters (Unicode category Cf, as of Unicode 14: zero-width spaces and joiners,
# direction marks and overrides, the byte order mark, tag characters …), the Hangul fillers and the
# variation selectors. A text made only of these and white space is empty.
INVISIBLE_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891),
    (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
    (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
    (0x115F, 0x1160), (0x3164, 0x3164), (0xFFA0, 0xFFA0),  # Hangul fillers
    (0x180B, 0x180D), (0x180F, 0x180F), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF),  # variation selectors
)
INVISIBLE_OR_WHITE = re.compile(
    "[" + "".join(f"{chr(first)}-{chr(last)}" for first, last in INVISIBLE_RANGES) + re.escape(WHITE_SPACE) + "]*")
#: The same class for DuckDB's regular expressions (RE2), which the import checks with.
INVISIBLE_OR_WHITE_RE2 = "[" + "".join(
    f"\\x{{{first:X}}}-\\x{{{last:X}}}" for first, last in INVISIBLE_RANGES) + "".join(
    f"\\x{{{ord(character):X}}}" for character in WHITE_SPACE) + "]*"
MAX_JSON_DEPTH = 32


class JsonRefused(ValueError):
    """A body (or an import line) that is not JSON the helpdesk reads; the message says why, in words."""


def refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build a JSON object, refusing a key that appears twice (which one would count is a guess)."""
    record = dict(pairs)
    if len(record) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise JsonRefused(f"the key {json.dumps(duplicate)} appears more than once in one object")
    return record


def refuse_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON value")


def read_json(raw: bytes | str) -> Any:
    """Parse JSON text the one way every route and the import do, or raise JsonRefused saying why.

    UTF-8 only; no key twice in an object; no NaN or Infinity; at most 32 levels of arrays and
    objects; no lone surrogate (a \\ud800 escape without its pair) in any string or key.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise JsonRefused("it is not UTF-8 text") from None
    try:
        value = json.loads(raw, object_pairs_hook=refuse_duplicate_keys, parse_constant=refuse_constant)
    except RecursionError:
        raise JsonRefused(f"it is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except json.JSONDecodeError as error:
        raise JsonRefused(f"{error.msg[0].lower()}{error.msg[1:]} at character {error.pos}") from None
    check_json_value(value)
    return value


def check_json_value(value: Any) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and lone surrogates, walking the value without recursion."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            refuse_lone_surrogate(item)
        elif isinstance(item, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                raise JsonRefused(f"it is nested deeper than {MAX_JSON_DEPTH} levels")
            if isinstance(item, dict):
                for key in item:
                    refuse_lone_surrogate(key)
                pending.extend((child, depth + 1) for child in item.values())
            else:
                pending.extend((child, depth + 1) for child in item)


def refuse_lone_surrogate(text: str) -> None:
    """Refuse a string holding half of a surrogate pair, which is no character and cannot be stored as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise JsonRefused(f"it contains a lone surrogate escape (\\u{ord(text[error.start]):04x}), "
                          "half of a character") from None


def invisible(value: str) -> bool:
    """Return True when *value* shows nothing: only white space and invisible characters, or nothing at all."""
    return INVISIBLE_OR_WHITE.fullmatch(value) is not None


def plain_text(value: str) -> str:
    """Refuse control characters other than newline, carriage return and tab."""
    if CONTROL_CHARACTERS.search(value):
        raise ValueError("contains control characters; only newline, carriage return and tab are allowed")
    return value


ISO_DATE_START = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")


def iso_timestamp(value: Any) -> Any:
    """Refuse anything but an ISO 8601 date or timestamp (pydantic would read "0.5" as seconds since 1970)."""
    if not isinstance(value, str) or not ISO_DATE_START.match(value):
        raise ValueError("must be an ISO 8601 timestamp")
    return value


def utc_instant(moment: datetime) -> datetime:
    """Return *moment* as a naive UTC instant (no offset means UTC)."""
    try:
        return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo is not None else moment
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before the year 1 in UTC
        raise ValueError("must be an instant between the years 1 and 9999 in UTC") from None


def trimmed(value: str) -> str:
    """Remove white space at both ends."""
    return value.strip(WHITE_SPACE)


def not_blank(value: str) -> str:
    """Refuse a text that is empty after trimming, or shows nothing (only invisible characters)."""
    if invisible(value):
        raise PydanticCustomError("string_too_short", "must not be empty", {"min_length": 1})
    return value


def at_most(limit: int) -> AfterValidator:
    """Refuse a trimmed text longer than *limit* characters."""
    def check(value: str) -> str:
        if len(value) > limit:
            raise PydanticCustomError("string_too_long", "must be at most {max_length} characters", {"max_length": limit})
        return value
    return AfterValidator(check)


def empty_to_none(value: str | None) -> str | None:
    """Treat an optional text that is empty after trimming, or shows nothing, as not given."""
    return None if value is None or invisible(value) else value


def trimmed_text(limit: int, pattern: str = PLAIN_TEXT) -> Any:
    """Return the annotated type of plain text, trimmed, of at most *limit* characters after trimming."""
    return Annotated[str, AfterValidator(plain_text), AfterValidator(trimmed), at_most(limit),
                     Field(json_schema_extra={"pattern": pattern})]


def text(field: str, required: bool = False) -> Any:
    """Return the annotated type of the plain-text *field*, limited as FIELD_LIMITS says."""
    limit = FIELD_LIMITS[field]
    limit_in_words = Field(description=f"At most {limit:,} characters after trimming white space at both ends "
                                       "(a limit JSON Schema cannot state).")
    if required:
        return Annotated[trimmed_text(limit, NON_BLANK_TEXT), AfterValidator(not_blank), limit_in_words]
    return Annotated[trimmed_text(limit) | None, AfterValidator(empty_to_none), limit_in_words]


# An e-mail address as people type them: a dot-atom local part (RFC 5322) and a host name with a
# top-level domain of letters. Quoted local parts, IP literals and addresses without a dot after the
# @ are refused. The same expression is the document's pattern, so the schema and the store agree.
ADDRESS_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
ADDRESS_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
EMAIL_ADDRESS = re.compile(f"{ADDRESS_LOCAL}@{ADDRESS_DOMAIN}")
# White space around the address is trimmed; the control characters among it (U+0085) are refused.
PLAIN_WHITE = "".join(f"\\u{ord(character):04x}" for character in WHITE_SPACE
                      if not CONTROL_CHARACTERS.match(character))
CONTACT_PATTERN = f"^[{PLAIN_WHITE}]*(?:{ADDRESS_LOCAL}@{ADDRESS_DOMAIN})?[{PLAIN_WHITE}]*$"


def email_address(value: str | None) -> str | None:
    """Refuse a text that is not an e-mail address (by its form only: no DNS); lowercase its domain."""
    if value is None:
        return None
    if not EMAIL_ADDRESS.fullmatch(value):
        raise ValueError("must be an e-mail address such as name@university.edu")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


Contact = Annotated[
    Annotated[str, AfterValidator(plain_text), AfterValidator(trimmed), at_most(FIELD_LIMITS["contact"]),
              Field(json_schema_extra={"pattern": CONTACT_PATTERN, "maxLength": FIELD_LIMITS["contact"]})] | None,
    AfterValidator(empty_to_none), AfterValidator(email_address),
    Field(description="The reporter's e-mail address, for helpdesk staff only: never shown to campus users or on a "
                      "follow link, never matched by a search. At most 254 characters.")]


def whole_number(value: Any) -> Any:
    """Read 5.0 as 5: JSON does not tell the two apart, and the document calls both an integer."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TicketCreate(Payload):
    """A new ticket as a campus user reports it."""

    description: text("description", required=True)
    title: text("title") = None
    location: text("location") = None
    reporter: text("reporter") = None
    contact: Contact = None


class TicketPatch(Payload):
    """Changes to an open or active ticket; category by staff only."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"minProperties": 1})

    title: text("title") = None
    description: text("description", required=True) = None
    location: text("location") = None
    reporter: text("reporter") = None
    category: Category = None  # explicit null is refused: a ticket always has a category
    priority: Priority = None  # staff only; explicit null is refused: a ticket always has a priority
    assignee: text("assignee") = None  # staff only; null or empty unassigns


class StatusChange(Payload):
    """A requested workflow transition."""

    status: Status


class MessageCreate(Payload):
    """A message posted under a ticket."""

    body: text("body", required=True)
    author_name: text("author_name") = None
    internal: bool = Field(False, description="An internal note: staff only, never shown to campus users.")


class BulkChange(Payload):
    """One action applied to many tickets, each under its own rules (staff)."""

    ids: list[Annotated[int, Field(ge=1)]] = Field(min_length=1, max_length=MAX_BULK,
                                                   description=f"The tickets, at most {MAX_BULK}.")
    action: Literal["status", "priority", "assignee"]
    value: Annotated[Any, Field(description="status: active or closed; priority: low, normal, high or urgent; "
                                            "assignee: a staff display name, or null to unassign.")]


class BulkStatus(Payload):
    value: Literal["active", "closed"]  # open is where tickets start; nothing moves back to it


class BulkPriority(Payload):
    value: Priority


class BulkAssignee(Payload):
    value: text("assignee")


class CategorizeRequest(Payload):
    """A text to categorize without storing anything."""

    text: text("text", required=True)


# A date means its midnight (pydantic reads 2025-03-01 as 2025-03-01T00:00:00).
DateOrTimestamp = Annotated[datetime, BeforeValidator(iso_timestamp), AfterValidator(utc_instant), WithJsonSchema(
    {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]})]


class TicketQuery(BaseModel):
    """Filters, search, sort and page of the ticket list; lists come as comma lists."""

    model_config = ConfigDict(extra="forbid")

    status: list[Status] | None = Field(None, description=(
        "Comma list of statuses (empty entries are ignored). Users: open and active by default, closed is "
        "refused; staff: all by default."))
    category: list[Category] | None = Field(None, description="Comma list of categories (empty entries are ignored).")
    priority: list[Priority] | None = Field(None, description="Comma list of priorities (empty entries are ignored).")
    assignee: trimmed_text(FIELD_LIMITS["assignee"]) | None = Field(None, description=(
        "Tickets assigned to this staff display name; 'none' for unassigned tickets."))
    sla: list[SlaState] | None = Field(None, description=(
        "Comma list of service-level states at the time of asking: ok, at_risk (75 % of a running target "
        "used), breached."))
    q: Annotated[trimmed_text(FIELD_LIMITS["q"]), AfterValidator(at_most_words)] | None = Field(None, description=(
        "Words that must all appear in title, description, location or reporter, ignoring case, accents, Unicode "
        "form and punctuation inside words (wi-fi = wifi); the last word also matches as a prefix unless the "
        f"text ends after it; #123 also matches a ticket id. At most {MAX_WORDS} words and "
        f"{FIELD_LIMITS['q']} characters after trimming."))
    opened_after: DateOrTimestamp | None = Field(
        None, description="Opened at or after this instant (a date means its midnight, UTC).")
    opened_before: DateOrTimestamp | None = Field(
        None, description="Opened at or before this instant (a date means its midnight, UTC).")
    needs_review: bool | None = Field(
        None, description="Only tickets whose automatic category has low confidence (or not).")
    language: list[Language] | None = Field(None, description=(
        "Comma list of languages detected at create (en, it, de, fr, es, other; empty entries are ignored). "
        "Tickets whose language is unknown match none."))
    with_counts: bool = Field(False, description="Add tickets per status for the same filters.")
    sort: Literal[
        "id", "-id", "opened_at", "-opened_at", "updated_at", "-updated_at", "closed_at", "-closed_at",
        "status", "-status", "category", "-category", "title", "-title",
        "response_due_at", "-response_due_at", "resolution_due_at", "-resolution_due_at", "relevance",
    ] = Field("-opened_at", description=(
        "Sort field, '-' for descending; default -opened_at. relevance (with q only): the tickets with more of "
        "the words, and words in the title, first; newest first among equals."))
    limit: int = Field(50, ge=1, le=200, description="Page size.")
    offset: int = Field(0, ge=0, le=10_000_000, description="Rows to skip.")


def at_most_words(value: str) -> str:
    """Refuse a search of more than MAX_WORDS words (every one must match, so none may be dropped)."""
    if count_words(value) > MAX_WORDS:
        raise ValueError(f"must have at most {MAX_WORDS} words")
    return value


def describe(error: dict[str, Any]) -> dict[str, str]:
    """Turn one pydantic error into a field name and a sentence."""
    field = ".".join(str(part) for part in error["loc"] if not isinstance(part, int)) or "body"
    kind = error["type"]
    if kind == "extra_forbidden":
        reason = NOT_SETTABLE.get(field)
        message = f"{field} cannot be set{': ' + reason if reason else '; it is not a known field'}."
        if error.get("input") is not None and isinstance(error["input"], str) and reason is None and "." not in field:
            message = f"{field} is not a known field or parameter."
    elif kind == "missing":
        message = f"{field} is required."
    elif kind == "string_too_short":
        message = f"{field} must not be empty."
    elif kind == "string_too_long":
        message = f"{field} must be at most {error['ctx']['max_length']:,} characters."
    elif kind in ("string_type", "str_type"):
        message = f"{field} must be a string."
    elif kind == "literal_error":
        message = f"{field} must be one of {error['ctx']['expected']}."
    elif kind in ("greater_than_equal", "less_than_equal"):
        bound = error["ctx"].get("ge", error["ctx"].get("le"))
        relation = "at least" if kind == "greater_than_equal" else "at most"
        message = f"{field} must be {relation} {bound}."
    elif kind.startswith("int") or kind.startswith("bool") or kind.startswith("datetime"):
        expected = {"int": "a whole number", "bool": "true or false", "datetime": "an ISO 8601 timestamp"}
        message = f"{field} must be {expected[kind.split('_')[0]]}."
    elif kind == "value_error":
        message = f"{field} {error['msg'].removeprefix('Value error, ')}."
    else:
        message = f"{field}: {error['msg']}."
    return {"field": field, "message": message}


def parse(model: type[Payload] | type[TicketQuery], data: Any) -> Any:
    """Validate *data* into *model*, or raise a 422 naming every invalid field."""
    if model is not TicketQuery and not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        details = [describe(item) for item in error.errors(include_url=False)]
        summary = details[0]["message"] if len(details) == 1 else f"{len(details)} fields are invalid: " + " ".join(
            item["message"] for item in details
        )
        raise InvalidInput(summary, details) from None


def parse_ticket_query(args: dict[str, str]) -> TicketQuery:
    """Validate the list endpoint's query string (comma lists for status, category and language)."""
    values: dict[str, Any] = dict(args)
    for name in ("status", "category", "priority", "sla", "language"):
        if name in values:
            values[name] = [part.strip() for part in values[name].split(",") if part.strip()] or None
    query = parse(TicketQuery, values)
    if query.sort == "relevance" and not query.q:
        raise InvalidInput("sort=relevance needs a search: give q too.",
                           [{"field": "sort", "message": "relevance needs q"}])
    return query


assert set(CATEGORIES) == set(Category.__args__)
assert set(LANGUAGE_NAMES) == set(Language.__args__)
