"""The new-ticket page's category preview: the category a text will get, once it says enough to judge."""

from __future__ import annotations

from typing import Any

from dash import html

from ..present import category_label
from ..service_errors import InvalidInput, ServiceError
from ..store_client import StoreClient

#: The preview judges at most this much text, the store's limit for a categorization.
PREVIEW_LIMIT = 10_000
#: A guess needs this much text: "the lift in bui" says too little to file it anywhere.
PREVIEW_MIN_WORDS = 4
PREVIEW_MIN_LETTERS = 25
START_HINT = "Start describing the problem to see its category."
MORE_HINT = "Keep describing the problem: after a few more words the category it will get shows here."


def preview(text: str | None, store: StoreClient) -> Any:
    """Return the category preview for the text typed so far, once it says enough to judge."""
    if not text or not text.strip():
        return START_HINT
    words = text.split()
    if len(words) < PREVIEW_MIN_WORDS or sum(len(word) for word in words) < PREVIEW_MIN_LETTERS:
        return html.Span(MORE_HINT, id="new-preview-more")
    try:
        # A long text is judged by its first part; the whole text is still sent with the ticket.
        answer = store.categorize(text[:PREVIEW_LIMIT])
    except InvalidInput as error:
        return html.Span(f"The category cannot be previewed for this text. {error.message}", className="text-secondary")
    except ServiceError as error:
        return html.Span(
            f"The category preview is unavailable right now. {error.message}", className="text-warning-emphasis"
        )
    confidence = float(answer.get("confidence") or 0)
    return html.Div(
        [
            html.Div(
                [
                    html.Span(
                        category_label(answer.get("category")), id="new-preview-category", className="fs-5 fw-semibold"
                    ),
                    html.Span(f" · {sureness(confidence)}", className="text-secondary", id="new-preview-sure"),
                ]
            ),
        ]
    )


def sureness(confidence: float) -> str:
    """Return how sure the guess is in words, never rounded up to certainty."""
    percent = min(int(confidence * 100), 99)
    if confidence < 0.5:
        return f"a rough guess ({percent} %); staff will check it"
    return f"{percent} % sure"
