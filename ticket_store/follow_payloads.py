"""What a follow link and the mail sender may send: ratings, leases and delivery reports."""
from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from .payloads import Payload, text, trimmed_text, whole_number

COMMENT_LIMIT = 2_000


class RatingCreate(Payload):
    """How the reporter rates the handling of their closed ticket."""

    rating: Annotated[int, BeforeValidator(whole_number)] = Field(ge=1, le=5, description="1 (poor) to 5 (very good).")
    comment: trimmed_text(COMMENT_LIMIT) | None = Field(
        None, description=f"At most {COMMENT_LIMIT:,} characters after trimming.")


class OutboxLease(Payload):
    """The sender asks for due mails, to deliver within the lease."""

    limit: Annotated[int, BeforeValidator(whole_number)] = Field(20, ge=1, le=200, description="At most this many mails.")
    lease_seconds: float = Field(60, ge=1, le=3600, description="Seconds before an unreported mail is due again.")


class DeliveryFailure(Payload):
    """The sender could not deliver a mail."""

    error: text("body", required=True)
    permanent: bool = Field(False, description="True when retrying cannot help (the address was refused).")
    retry_after_seconds: float | None = Field(
        None, ge=0, le=86_400, description="Seconds until the next attempt; default: a back-off that doubles.")
