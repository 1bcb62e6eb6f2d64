"""What the store answers: the records its responses carry, typed for the code and for the OpenAPI document.

They are TypedDicts: the store builds plain dicts on its hot path and never validates its own
answers; pydantic turns these types into the document's JSON schemas, against which the tests
check every answer. (No postponed annotations here: TypedDict reads NotRequired only from real ones.)
"""
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import NotRequired, TypedDict  # pydantic reads typing.TypedDict only from Python 3.12

from .payloads import Category, Language, Priority, SlaState, Status, text

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
    message_count: Annotated[Count, Field(description="Messages in the thread; for campus users, public ones only.")]
    priority: Priority
    assignee: text("assignee")
    first_response_at: Annotated[Timestamp | None, Field(description="The first public staff message.")]
    response_due_at: Annotated[Timestamp, Field(description="When the first staff response is due.")]
    resolution_due_at: Annotated[Timestamp, Field(description="When the ticket should be closed.")]
    sla_state: Annotated[SlaState, Field(description="At the time of answering: at_risk once 75 % of a running "
                                                     "target is used, breached once a target was missed.")]
    public_message_count: Annotated[Count, Field(description="Messages a campus user sees (internal notes "
                                                             "excluded).")]
    language: Annotated[Language | None, Field(description=(
        "The language detected when the ticket was created; null when unknown (tickets stored before it "
        "was kept, imported tickets that came with a category)."))]
    contact: NotRequired[Annotated[str | None, Field(description="The reporter's e-mail address: in answers to "
                                                                 "helpdesk staff only, when the ticket has one.")]]
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
    internal: Annotated[bool, Field(description="An internal note, shown to staff only.")]


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
                  "priority_changed", "assigned", "note_posted", "rated", "photo_added", "me_too", "merged_into",
                  "merged_from"]
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    name: Annotated[text("author_name"), Field(description="The display name of who did it (X-Helpdesk-Name), "
                                                           "when it was sent.")]


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
    status: Literal["ok", "degraded"]
    problem: NotRequired[str]  # what is wrong, in words, when degraded (e.g. writes refused for a full disk)


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


@with_config(EXACT)
class BulkOutcome(TypedDict):
    id: int
    status: Annotated[int, Field(description="The HTTP status this change alone would have had.")]
    error: NotRequired[Annotated[str, Field(description="Why it was refused.")]]
    version: NotRequired[Annotated[int, Field(description="The ticket's version after the change.")]]


@with_config(EXACT)
class BulkResults(TypedDict):
    results: list[BulkOutcome]
    changed: Count
    refused: Count


@with_config(EXACT)
class FirstResponseFigures(TypedDict):
    start: Timestamp
    end: Timestamp
    opened: Annotated[Count, Field(description="Tickets opened from start (included) to end (excluded), by at.")]
    responded: Annotated[Count, Field(description="How many of them had a first public staff message by at.")]
    avg_first_response_hours: Annotated[float | None, Field(description="Mean of first_response_at − opened_at.")]
    median_first_response_hours: Annotated[float | None, Field(description="Median (interpolated).")]
    within_target_pct: Annotated[float | None, Field(description="Of the responded, the percentage answered "
                                                                 "before their response was due.")]


@with_config(EXACT)
class PriorityFirstResponse(FirstResponseFigures):
    priority: Priority
    response_target_hours: float
    resolution_target_hours: float


@with_config(EXACT)
class SlaNow(TypedDict):
    at_risk: Annotated[Count, Field(description="Tickets not closed at at whose running target is 75 % used.")]
    breached: Annotated[Count, Field(description="Tickets not closed at at that missed a target.")]


@with_config(EXACT)
class ServiceLevelBuckets(TypedDict):
    at: Timestamp
    buckets: list[FirstResponseFigures]
    overall: FirstResponseFigures
    by_priority: list[PriorityFirstResponse]
    now: SlaNow


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


@with_config(EXACT)
class CreatedTicket(Ticket):
    follow_token: Annotated[str, Field(description="The secret of the ticket's follow link, /follow/<token>: given "
                                                   "once, here; the store keeps only its hash.")]


@with_config(EXACT)
class Rating(TypedDict):
    ticket_id: int
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: str | None
    rated_at: Timestamp


@with_config(EXACT)
class FollowedTicket(Ticket):
    messages: Annotated[list[Message], Field(description="The public thread, oldest first.")]
    rating: Rating | None


@with_config(EXACT)
class FollowToken(TypedDict):
    ticket_id: int
    follow_token: Annotated[str, Field(description="The new secret of the follow link; the old one stopped "
                                                   "working.")]


@with_config(EXACT)
class OutboxMail(TypedDict):
    id: int
    ticket_id: int
    kind: Literal["created", "staff_reply", "status_changed", "follow_link", "me_too_added"]
    recipient: str
    details: dict[str, Any]
    follow_token: Annotated[str | None, Field(description="For mails that carry the follow link.")]
    attempts: Annotated[int, Field(ge=1, description="This attempt's number.")]
    created_at: Timestamp


@with_config(EXACT)
class OutboxLeaseAnswer(TypedDict):
    items: list[OutboxMail]


@with_config(EXACT)
class OutboxMailStatus(TypedDict):
    id: int
    attempts: Count
    next_attempt_at: Timestamp
    sent_at: Timestamp | None
    given_up_at: Timestamp | None
    last_error: str | None


@with_config(EXACT)
class OutboxCounts(TypedDict):
    due: Count
    waiting: Count
    leased: Count
    sent: Count
    given_up: Count
    skipped: Count
