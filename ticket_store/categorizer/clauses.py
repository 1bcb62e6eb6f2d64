"""Weigh a ticket's clauses as the category guide does: the first and main problem decides."""
from __future__ import annotations

import re

# Clause boundaries: sentence ends, "but", a comma before "it's/the/that's", dashes.
_CLAUSE = re.compile(r"(?<=[.;!?\n])\s+|,\s*(?=but\b)|\s+(?=but\b)|,\s+(?=it'?s\b|the\b|that'?s\b)|\s+[-–—]\s+", re.IGNORECASE)
# A clause in which the writer says something works or is not the problem.
_DISMISSED = re.compile(
    r"\b(?:is|are|was|were|works?|seems?|looks?|itself is|themselves are)\s+(?:\w+ly\s+)?"
    r"(?:fine|ok|okay|great|good|nice|lovely|helpful|friendly|clean|working|apologetic)\b"
    r"|\b(?:is|are|was|were)\s+not\s+the\s+(?:problem|issue)"
    r"|\b(?:isn'?t|aren'?t|wasn'?t)\s+the\s+(?:problem|issue)"
    r"|\bnot\s+the\s+(?:problem|issue)\b|\bnothing wrong with\b|\bno problem with\b"
    r"|(?<!n't )(?<!not )(?<!never )\bworks?\s*$"
    r"|\bwork(?:s|ing)?\s+(?:fine|great|perfectly)\b",
    re.IGNORECASE,
)
# Words every dismissed clause contains: texts without any are left alone at once.
_MARKERS = re.compile(
    r"\b(?:fine|ok|okay|great|good|nice|lovely|helpful|friendly|clean|working|apologetic|problem|issue|wrong|works?)\b",
    re.IGNORECASE,
)
_FIRST_SENTENCE = re.compile(r"(?<=[.!?\n])\s+")


def without_dismissed(text: str) -> str:
    """Drop the clauses that say something works ("the Wi-Fi is fine, but …"); keep all if all would go."""
    clauses = [clause for clause in _CLAUSE.split(text) if clause and clause.strip()]
    if not _MARKERS.search(text):
        return " ".join(clauses) if clauses else text
    kept = [clause for clause in clauses if not _DISMISSED.search(clause)]
    return " ".join(kept) if kept else text


def emphasise(text: str) -> str:
    """Return *text* without dismissed clauses and with its first sentence repeated, so it weighs double."""
    text = without_dismissed(text.strip())
    first = _FIRST_SENTENCE.split(text, maxsplit=1)[0]
    return f"{first}\n{text}" if first != text else text
