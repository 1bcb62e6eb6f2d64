"""A first categorizer: weighted keywords from the category guide."""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from . import CATEGORIES, Categorization

KEYWORDS: dict[str, tuple[str, ...]] = {
    "facility": (
        "heating", "heater", "radiator", "cold", "hot", "temperature", "air conditioning",
        "ventilation", "leak", "leaking", "water", "toilet", "toilets", "sink", "flood",
        "elevator", "lift", "door", "lock", "window", "blind", "light", "lights", "lamp",
        "socket", "power", "electricity", "chair", "desk", "furniture", "whiteboard",
        "clean", "dirty", "bin", "mould", "mold", "pest", "mice", "cockroach", "stairs",
        "ramp", "parking", "car park", "barrier", "snow", "ice", "fire", "alarm", "roof",
        "ceiling", "floor", "broken glass", "smell", "noise", "card reader",
    ),
    "it": (
        "wifi", "wi-fi", "eduroam", "network", "internet", "vpn", "password", "account",
        "login", "log in", "email", "e-mail", "moodle", "portal", "app", "software",
        "licence", "license", "computer", "laptop", "pc", "printer", "print", "scanner",
        "copier", "projector", "screen", "monitor", "hdmi", "audio", "microphone",
        "phone", "server", "storage", "phishing", "virus", "website", "error", "crash",
        "mfa", "authenticator", "teams", "zoom", "outlook",
    ),
    "services": (
        "canteen", "cafeteria", "food", "meal", "menu", "price", "prices", "expensive",
        "queue", "waiting", "rude", "unhelpful", "staff", "library", "fine", "fines",
        "opening hours", "office", "enrolment", "enrollment", "fees", "certificate",
        "transcript", "scholarship", "housing", "dorm", "shuttle", "bus", "timetable",
        "sports", "gym", "counselling", "health", "event", "vending", "coffee", "service",
    ),
}


class KeywordCategorizer:
    """Count category keywords in the text; the most frequent category wins."""

    review_threshold = 0.6

    def __init__(self) -> None:
        self._patterns = {
            category: [(word, re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)) for word in words]
            for category, words in KEYWORDS.items()
        }

    def categorize(self, text: str) -> Categorization:
        """Return the category whose keywords the text mentions most."""
        hits = {
            category: [word for word, pattern in patterns if pattern.search(text)]
            for category, patterns in self._patterns.items()
        }
        weights = {category: len(words) + 0.5 for category, words in hits.items()}
        total = sum(weights.values())
        scores = {category: round(weights[category] / total, 4) for category in CATEGORIES}
        best = max(CATEGORIES, key=lambda category: (scores[category], category == "facility"))
        explanation = [f'mentions "{word}"' for word in hits[best][:5]] or [
            "no known keywords; defaulted to the most common category"
        ]
        return Categorization(best, scores[best], scores, explanation)

    def categorize_many(self, texts: Sequence[str]) -> list[Categorization]:
        """Return the category for each text."""
        return [self.categorize(text) for text in texts]

    def learn(self, corrections: Iterable[tuple[str, str]]) -> None:
        """Keyword rules do not learn; corrections are ignored."""
