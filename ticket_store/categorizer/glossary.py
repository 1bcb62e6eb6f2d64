"""Add English equivalents of common campus words written in other languages."""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
_WORD = re.compile(r"\w+")
#: Distinct words whose translation is remembered.
WORD_CACHE = 200_000
_UNSEEN = object()
#: A word this long that the glossary lacks is read by its last part, as German compounds are.
COMPOUND_CHARS = 8
#: The shortest last part a compound is read by: shorter ones match by chance ("parete" → "rete").
HEAD_CHARS = 5
_CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af]")


def fold(text: str) -> str:
    """Return *text* lower-cased and without accents, so "Hörsaal" matches "horsaal"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True, eq=False)
class Glossary:
    """Campus words in German, French, Italian, Spanish, Portuguese, Dutch, Polish, Chinese."""

    words: dict[str, str]
    prefixes: tuple[tuple[str, str], ...]
    phrases: dict[str, str]
    characters: dict[str, str]

    @classmethod
    def load(cls, path: Path = DATA / "glossary.csv") -> "Glossary":
        """Read the glossary: a term ending in * matches every word it begins."""
        words: dict[str, str] = {}
        prefixes: list[tuple[str, str]] = []
        phrases: dict[str, str] = {}
        characters: dict[str, str] = {}
        with open(path, newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                term, english = fold(row["term"].strip()), row["english"].strip()
                if _CJK.search(term):
                    characters[term] = english
                elif " " in term:
                    phrases[term] = english
                elif term.endswith("*"):
                    prefixes.append((term[:-1], english))
                else:
                    words[term] = english
        return cls(words, tuple(prefixes), phrases, characters)

    @cached_property
    def _prefix_pattern(self) -> re.Pattern[str]:
        alternatives = "|".join(re.escape(prefix) for prefix, _ in self.prefixes) or "(?!)"
        return re.compile(f"(?:{alternatives})")

    @cached_property
    def _prefix_english(self) -> dict[str, str]:
        return dict(self.prefixes)

    @cached_property
    def english_words(self) -> frozenset[str]:
        """Return every English word the glossary can add."""
        meanings = [*self.words.values(), *self._prefix_english.values(), *self.phrases.values(), *self.characters.values()]
        return frozenset(word for meaning in meanings for word in meaning.split())

    @cached_property
    def _known(self) -> dict[str, str | None]:
        return {}

    def _english(self, token: str) -> str | None:
        """Return the English for one lower-cased word, or None; remembered, as words repeat."""
        known = self._known
        english = known.get(token, _UNSEEN)
        if english is not _UNSEEN:
            return english
        folded = fold(token)
        english = self.words.get(folded)
        if english is None:
            prefix = self._prefix_pattern.match(folded)
            english = None if prefix is None else self._prefix_english[prefix.group()]
        if english is None and len(folded) >= COMPOUND_CHARS:
            english = self._compound_head(folded)
        if len(known) >= WORD_CACHE:
            known.clear()
        known[token] = english
        return english

    def _compound_head(self, folded: str) -> str | None:
        """Return the English of the longest known word a compound ends with ("wohnheimbad" → bath)."""
        for start in range(1, len(folded) - HEAD_CHARS + 1):
            head = folded[start:]
            for ending in ("", "e", "n", "en", "s", "er"):
                if ending and not head.endswith(ending):
                    continue
                stem = head[: len(head) - len(ending)] if ending else head
                if len(stem) >= HEAD_CHARS and stem in self.words:
                    return self.words[stem]
        return None

    def translations(self, text: str) -> list[tuple[str, str]]:
        """Return (term as written, English equivalent) for each glossary term in *text*."""
        written = _WORD.findall(text.lower())
        # A word the glossary gives as it is ("laptop") adds nothing: it is left out.
        found = [
            (original, english) for original in written
            if (english := self._english(original)) is not None and english != original
        ]
        if self.phrases:
            joined = f" {' '.join(fold(token) for token in written)} "
            found += [(phrase, english) for phrase, english in self.phrases.items() if f" {phrase} " in joined]
        if _CJK.search(text):
            found += [(term, english) for term, english in self.characters.items() if term in text]
        return found

    def expand(self, text: str) -> str:
        """Return *text* followed by the English equivalents of the glossary terms in it."""
        found = self.translations(text)
        if not found:
            return text
        return text + "\n" + " ".join(english for _, english in found)
