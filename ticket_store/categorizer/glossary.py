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
#: A German word this long is also read by its last part, as compounds are.
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


#: Read a text in this language with that language's terms only; a text in another language
#: (English with a foreign word, or one the detector cannot place) with every language's terms.
#: Across languages a term means something else: Italian "casse" (speakers) is French "cassé" (broken)
#: once accents are folded, and French "table" ends "comfortable".
SCOPED_LANGUAGES = frozenset({"it", "de", "fr", "es"})
EVERY_LANGUAGE = "*"
#: Languages whose long words are compounds, read by their parts ("Wohnheimflur" → housing, corridor);
#: "other" and no language given (Dutch is one), but not English: "comfortable" does not end in a table.
COMPOUND_LANGUAGES = frozenset({"de", "other", EVERY_LANGUAGE})
#: The shortest last part a German compound is read by ("Wohnheimflur", "Hallendach").
GERMAN_HEAD_CHARS = 4


@dataclass(frozen=True)
class _Terms:
    """The terms of one language (or of every language): single words, prefixes, phrases."""

    words: dict[str, str]
    prefixes: tuple[tuple[str, str], ...]
    phrases: dict[str, str]

    @cached_property
    def prefix_pattern(self) -> re.Pattern[str]:
        alternatives = "|".join(re.escape(prefix) for prefix, _ in self.prefixes) or "(?!)"
        return re.compile(f"(?:{alternatives})")

    @cached_property
    def prefix_english(self) -> dict[str, str]:
        return dict(self.prefixes)


@dataclass(frozen=True, eq=False)
class Glossary:
    """Campus words in German, French, Italian, Spanish, Portuguese, Dutch, Polish, Chinese."""

    words: dict[str, str]
    prefixes: tuple[tuple[str, str], ...]
    phrases: dict[str, str]
    characters: dict[str, str]
    #: The terms of each language, so a text is read with its own language's.
    by_language: dict[str, _Terms] | None = None

    @classmethod
    def load(cls, path: Path = DATA / "glossary.csv") -> "Glossary":
        """Read the glossary: a term ending in * matches every word it begins."""
        words: dict[str, str] = {}
        prefixes: list[tuple[str, str]] = []
        phrases: dict[str, str] = {}
        characters: dict[str, str] = {}
        scoped: dict[str, tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]] = {}
        with open(path, newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                term, english = fold(row["term"].strip()), row["english"].strip()
                own = scoped.setdefault((row.get("language") or "").strip(), ({}, [], {}))
                if _CJK.search(term):
                    characters[term] = english
                elif " " in term:
                    phrases[term] = english
                    own[2][term] = english
                elif term.endswith("*"):
                    prefixes.append((term[:-1], english))
                    own[1].append((term[:-1], english))
                else:
                    words[term] = english
                    own[0][term] = english
        by_language = {language: _Terms(w, tuple(p), ph) for language, (w, p, ph) in scoped.items()}
        by_language[EVERY_LANGUAGE] = _Terms(words, tuple(prefixes), phrases)
        return cls(words, tuple(prefixes), phrases, characters, by_language)

    def _terms(self, language: str) -> tuple[str, _Terms]:
        """Return the scope a text of *language* is read in and its terms."""
        scope = language if language in SCOPED_LANGUAGES and language in (self.by_language or {}) else EVERY_LANGUAGE
        if self.by_language is None:
            return EVERY_LANGUAGE, _Terms(self.words, self.prefixes, self.phrases)
        return scope, self.by_language[scope]

    @cached_property
    def english_words(self) -> frozenset[str]:
        """Return every English word the glossary can add."""
        meanings = [*self.words.values(), *dict(self.prefixes).values(), *self.phrases.values(), *self.characters.values()]
        return frozenset(word for meaning in meanings for word in meaning.split())

    @cached_property
    def _known(self) -> dict[tuple[str, str], str | None]:
        return {}

    def _english(self, token: str, language: str = EVERY_LANGUAGE) -> str | None:
        """Return the English for one lower-cased word, or None; remembered, as words repeat."""
        scope, terms = self._terms(language)
        known = self._known
        english = known.get((language, token), _UNSEEN)
        if english is not _UNSEEN:
            return english
        folded = fold(token)
        english = terms.words.get(folded)
        if english is None:
            prefix = terms.prefix_pattern.match(folded)
            english = None if prefix is None else terms.prefix_english[prefix.group()]
            if language in COMPOUND_LANGUAGES and len(folded) >= COMPOUND_CHARS:
                # A compound's last part names the thing ("Wohnheimflur": the corridor of a dorm).
                head = self._compound_head(folded, terms, GERMAN_HEAD_CHARS if language == "de" else HEAD_CHARS)
                if head is not None and head != english:
                    english = head if english is None else f"{english} {head}"
        if len(known) >= WORD_CACHE:
            known.clear()
        known[(language, token)] = english
        return english

    @staticmethod
    def _compound_head(folded: str, terms: _Terms, shortest: int = HEAD_CHARS) -> str | None:
        """Return the English of the longest known word a compound ends with ("wohnheimbad" → bath)."""
        for start in range(1, len(folded) - shortest + 1):
            head = folded[start:]
            for ending in ("", "e", "n", "en", "s", "er"):
                if ending and not head.endswith(ending):
                    continue
                stem = head[: len(head) - len(ending)] if ending else head
                if len(stem) >= shortest and stem in terms.words:
                    return terms.words[stem]
        return None

    def translations(self, text: str, language: str = EVERY_LANGUAGE) -> list[tuple[str, str]]:
        """Return (term as written, English equivalent) for each glossary term in *text* of *language*."""
        written = _WORD.findall(text.lower())
        # A word the glossary gives as it is ("laptop") adds nothing: it is left out.
        found = [
            (original, english) for original in written
            if (english := self._english(original, language)) is not None and english != original
        ]
        phrases = self._terms(language)[1].phrases
        if phrases:
            joined = f" {' '.join(fold(token) for token in written)} "
            found += [(phrase, english) for phrase, english in phrases.items() if f" {phrase} " in joined]
        if _CJK.search(text):
            found += [(term, english) for term, english in self.characters.items() if term in text]
        return found

    def expand(self, text: str, language: str = EVERY_LANGUAGE) -> str:
        """Return *text* followed by the English equivalents of the glossary terms in it."""
        found = self.translations(text, language)
        if not found:
            return text
        return text + "\n" + " ".join(english for _, english in found)
