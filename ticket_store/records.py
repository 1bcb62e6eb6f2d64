"""What the store answers: the records its responses carry, typed for the code and for the OpenAPI document.

They are TypedDicts: the store builds plain dicts on its hot path and never validates its own
answers; pydantic turns these types into the document's JSON schemas, against which the tests
check every answer. (No postponed annotations here: TypedDict reads NotRequired only from real ones.)
"""
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import NotRequired, TypedDict  # pydantic reads typing.TypedDict only from Python 3.12

from .payloads import Category, Status, text

Role = Literal["user", "staff"]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Count = Annotated[int, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]
EXACT = ConfigDict(extra="forbid")


@with_config(EXACT)
class Ticket(TypedDict):
    id: int
    title: text("title")
    description: text("description", required=True)
    location: text("location")
    reporter: text("reporter")
    category: Category
    category_source: Literal["auto", "staff"]
    category_confidence: Share
    needs_review: Annotated[bool, Field(description="True when the category was assigned automatically with low "
                                                    "confidence.")]
    status: Status
    opened_at: Timestamp
    updated_at: Timestamp
    closed_at: Timestamp | None
    version: Annotated[int, Field(ge=1)]
    message_count: Count
    attachment_count: Annotated[Count, Field(description="Photos attached to the ticket (at most 20).")]
    me_too_count: Annotated[Count, Field(description="People who reported the same problem besides the reporter.")]
    merged_into: Annotated[int | None, Field(description="The ticket this duplicate was merged into, else null.")]


@with_config(EXACT)
class StatusCounts(TypedDict, total=False):
    open: int | None
    active: int | None
    closed: int | None


@with_config(EXACT)
class TicketPage(TypedDict):
    items: list[Ticket]
    total: int
    limit: int
    offset: int
    counts: NotRequired[Annotated[StatusCounts | None, Field(description="Tickets per status for the same filters "
                                                                  "(with_counts=true).")]]


@with_config(EXACT)
class Message(TypedDict):
    id: int
    ticket_id: int
    author_role: Role
    author_name: text("author_name")
    body: text("body", required=True)
    created_at: Timestamp


@with_config(EXACT)
class MessageList(TypedDict):
    items: list[Message]


@with_config(EXACT)
class Event(TypedDict):
    id: int
    ticket_id: int
    at: Timestamp
    role: Role
    kind: Literal["created", "edited", "status_changed", "category_changed", "message_posted", "imported",
                  "photo_added", "me_too", "merged_into", "merged_from"]
    old: dict[str, Any] | None
    new: dict[str, Any] | None


@with_config(EXACT)
class EventList(TypedDict):
    items: list[Event]


@with_config(EXACT)
class Attachment(TypedDict):
    id: int
    ticket_id: int
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    bytes: Annotated[int, Field(ge=1, description="Size of the stored photo (re-encoded, without metadata).")]
    width: Annotated[int, Field(ge=1)]
    height: Annotated[int, Field(ge=1)]
    created_at: Timestamp
    url: str
    thumbnail_url: str


@with_config(EXACT)
class AttachmentList(TypedDict):
    items: list[Attachment]


@with_config(EXACT)
class SimilarTicket(TypedDict):
    id: int
    title: text("title")
    description: text("description", required=True)
    location: text("location")
    status: Status
    category: Category
    me_too_count: Count
    attachment_count: Count
    opened_at: Timestamp
    score: Annotated[Share, Field(description="How likely the ticket is about the same problem, 0–1.")]


@with_config(EXACT)
class SimilarTickets(TypedDict):
    items: list[SimilarTicket]


@with_config(EXACT)
class Notice(TypedDict):
    id: int
    text: str
    category: Category | None
    location: str | None
    ticket_id: int | None
    expires_at: Timestamp | None
    created_at: Timestamp


@with_config(EXACT)
class NoticeList(TypedDict):
    items: list[Notice]


@with_config(EXACT)
class Categorization(TypedDict):
    category: Category
    confidence: Share
    scores: dict[str, float]
    explanation: list[str]
    needs_review: bool


@with_config(EXACT)
class ImportResult(TypedDict):
    imported: int


@with_config(EXACT)
class Health(TypedDict):
    status: Literal["ok"]


@with_config(EXACT)
class CategoryCounts(TypedDict):
    facility: Count
    it: Count
    services: Count


@with_config(EXACT)
class NotClosedStatusCounts(TypedDict):
    open: Count
    active: Count


@with_config(EXACT)
class NotClosedCounts(TypedDict):
    since: Timestamp
    until: Timestamp
    count: Annotated[Count, Field(description="Tickets opened from since to until (both included) not closed at "
                                              "until.")]
    by_status: Annotated[NotClosedStatusCounts, Field(description="The status each of them had at until.")]
    by_category: CategoryCounts


@with_config(EXACT)
class ActiveByCategory(TypedDict):
    at: Timestamp
    by_category: Annotated[CategoryCounts, Field(description="Tickets active at the instant, every category listed.")]
    total: Count


@with_config(EXACT)
class ResolutionFigures(TypedDict):
    start: Timestamp
    end: Timestamp
    opened: Annotated[Count, Field(description="Tickets opened from start (included) to end (excluded), by at.")]
    closed: Annotated[Count, Field(description="How many of them were closed at at.")]
    avg_resolution_hours: Annotated[float | None, Field(description="Mean of closed_at − opened_at; null when none "
                                                                    "closed.")]
    median_resolution_hours: Annotated[float | None, Field(description="Median (interpolated); null when none "
                                                                       "closed.")]


@with_config(EXACT)
class ResolutionBuckets(TypedDict):
    at: Timestamp
    buckets: list[ResolutionFigures]
    overall: Annotated[ResolutionFigures, Field(description="The same figures over all buckets together.")]


class ErrorDetail(TypedDict):
    field: NotRequired[str | None]
    message: str
    row: NotRequired[int | None]


class Error(TypedDict):
    """The SPEC's error shape; a few errors add what the caller needs to go on."""

    status: int
    error: str
    details: list[ErrorDetail]
    current: NotRequired[Annotated[Ticket | None, Field(description="On 412: the ticket as it is now.")]]
    allowed: NotRequired[Annotated[list[str] | None, Field(description="On 409 for a transition: the statuses allowed "
                                                                "next.")]]
