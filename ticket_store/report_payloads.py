"""What clients may send to report a problem once: "me too", merges, notices and the similar-ticket query."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .errors import InvalidInput
from .payloads import NON_BLANK_TEXT, Category, DateOrTimestamp, Payload, describe, trimmed_text, whole_number
from .payloads import Contact as ReporterContact

NOTICE_LIMIT = 500
SIMILAR_LIMIT = 20


#: The reporter's address rules (the same pattern in the document and in the store).
Contact = Annotated[ReporterContact, Field(description="An e-mail address (at most 254 characters); mailed like "
                                                       "the reporter, shown to helpdesk staff only.")]


def not_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


class MeTooRequest(Payload):
    """Someone else has the same problem; optionally how to tell them about it."""

    contact: Contact = None


class MergeRequest(Payload):
    """Merge the addressed ticket, a duplicate, into the main ticket *into*."""

    into: Annotated[int, BeforeValidator(whole_number)] = Field(ge=1, description="The main ticket's id.")


class NoticeCreate(Payload):
    """A known issue the helpdesk tells people about before they report it again."""

    text: Annotated[trimmed_text(NOTICE_LIMIT, NON_BLANK_TEXT), AfterValidator(not_blank),
                    Field(description=f"At most {NOTICE_LIMIT} characters, e.g. 'Wi-Fi in the main library is "
                                      "down, we're on it'.")]
    category: Category | None = None
    location: trimmed_text(200) | None = None
    ticket_id: Annotated[int, Field(ge=1)] | None = None
    expires_at: Annotated[DateOrTimestamp, Field(strict=False)] | None = Field(
        None, description="When the notice stops being shown (ISO 8601; no offset means UTC).")


class NoticeQuery(BaseModel):
    """What a person is reporting, to show only the notices that match it."""

    model_config = ConfigDict(extra="forbid")

    text: trimmed_text(10_000) | None = Field(None, description="What the person has written so far.")
    location: trimmed_text(200) | None = Field(None, description="Where the problem is.")
    category: Category | None = Field(None, description="The category the report would get.")


class SimilarQuery(BaseModel):
    """The report being written, to find open and active tickets about the same problem."""

    model_config = ConfigDict(extra="forbid")

    text: trimmed_text(10_000) = Field(description="What the person has written so far (title and description).")
    location: trimmed_text(200) | None = Field(None, description="Where the problem is.")
    limit: int = Field(5, ge=1, le=SIMILAR_LIMIT, description=f"At most this many tickets (≤ {SIMILAR_LIMIT}).")


def parse_query(model: type[BaseModel], args: dict[str, str]) -> Any:
    """Validate a query string into *model*, or raise a 422 naming every invalid parameter."""
    try:
        return model.model_validate(args)
    except ValidationError as error:
        details = [describe(item) for item in error.errors(include_url=False)]
        raise InvalidInput(" ".join(item["message"] for item in details), details) from None


def future(moment: datetime | None, now: datetime) -> None:
    """Refuse an expiry that has already passed."""
    if moment is not None and moment <= now:
        raise InvalidInput("expires_at must be in the future.", [{"field": "expires_at",
                                                                   "message": "expires_at must be in the future."}])
