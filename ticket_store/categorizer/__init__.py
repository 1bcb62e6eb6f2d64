"""Assign a ticket its category from its text: the one seam the store calls."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Protocol, Sequence

CATEGORIES: tuple[str, ...] = ("facility", "it", "services")
LABELS: dict[str, str] = {
    "facility": "Facility management",
    "it": "Technical IT",
    "services": "Services complaints",
}


@dataclass(frozen=True)
class Categorization:
    """The category a text gets, how sure the categorizer is, and why."""

    category: str
    confidence: float
    scores: dict[str, float]
    explanation: list[str] = field(default_factory=list)
    #: The language the text is written in: "en", "it", "de", "fr", "es" or "other".
    language: str = "other"


class Categorizer(Protocol):
    """What the store needs from any categorizer."""

    #: Below this confidence an automatically assigned category is flagged for review.
    review_threshold: float

    def categorize(self, text: str) -> Categorization:
        """Return the category for one ticket text."""

    def categorize_many(self, texts: Sequence[str]) -> list[Categorization]:
        """Return the categories for many texts at once (bulk import; explanations may be left empty)."""

    def learn(self, corrections: Iterable[tuple[str, str]]) -> None:
        """Take staff corrections (text, category) into account for later texts."""


def ticket_text(title: str | None, description: str) -> str:
    """Return the text a ticket is categorized by: its title and description."""
    return f"{title}\n{description}" if title else description


def load_categorizer() -> Categorizer:
    """Return the categorizer the store uses, fitted on the shipped training tickets."""
    from .language import detect_language
    from .learning import LearningCategorizer

    categorizer = LearningCategorizer.load()
    detect_language("warm")  # builds the language profiles now, not on the first ticket
    return categorizer
