"""What the analysis functions may ask the aggregate endpoints, validated into typed records."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, field_validator

from .payloads import Payload

MAX_EDGES = 1201  # a hundred years of months


def instant(value: Any) -> datetime:
    """Read an ISO 8601 timestamp as a naive UTC instant (no offset means UTC)."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 timestamp such as 2025-03-31T22:30:00Z")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("must be an ISO 8601 timestamp such as 2025-03-31T22:30:00Z") from None
    try:
        return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before the year 1 in UTC
        raise ValueError("must be an instant between the years 1 and 9999 in UTC") from None


Instant = Annotated[datetime, PlainValidator(instant), WithJsonSchema({"type": "string", "format": "date-time"})]


class NotClosedQuery(BaseModel):
    """Tickets opened from *since* to *until*, both included, that were not closed at *until*."""

    model_config = ConfigDict(extra="forbid")

    since: Instant = Field(description="Opened at or after this instant.")
    until: Instant | None = Field(None, description="Opened at or before this instant, and not closed at it "
                                                    "(default: now).")


class ActiveQuery(BaseModel):
    """Active tickets at the instant *at*."""

    model_config = ConfigDict(extra="forbid")

    at: Instant | None = Field(None, description="The instant to take the figures at (default: now); no offset "
                                                 "means UTC.")


class ResolutionQuery(Payload):
    """Buckets of opening time, given by their edges, and the instant the figures are taken at."""

    edges: list[Instant] = Field(min_length=2, max_length=MAX_EDGES,
                                 description="Bucket i holds the tickets opened from edges[i] (included) to "
                                             "edges[i+1] (excluded); strictly increasing UTC instants.")
    at: Instant | None = Field(None, description="Count tickets as closed only if they closed by then; "
                                                 "default: now.")

    @field_validator("edges")
    @classmethod
    def strictly_increasing(cls, edges: list[datetime]) -> list[datetime]:
        if any(later <= earlier for earlier, later in zip(edges, edges[1:])):
            raise ValueError("must be strictly increasing")
        return edges
