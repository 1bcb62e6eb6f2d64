"""Tell which language a ticket is written in: English, Italian, German, French, Spanish or other.

Character trigrams of the training tickets of each language (naive Bayes), plus the
function words of each language, which weigh most. Everything is computed from the
shipped data at first use (about 50 ms); nothing is downloaded.
"""
from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from .function_words import FUNCTION_WORDS, fold, words
from .training import DATA, read_labelled

LANGUAGES: tuple[str, ...] = ("en", "it", "de", "fr", "es")
#: What detect_language returns for a text in none of LANGUAGES (or in no language at all).
OTHER = "other"
NAMES: dict[str, str] = {"en": "English", "it": "Italian", "de": "German", "fr": "French", "es": "Spanish", OTHER: "other"}
#: How many nats one function word of a language adds to that language's score.
FUNCTION_WORD_NATS = 3.0
#: Only the start of a text is read: a ticket keeps to its language.
MAX_CHARS = 600
_ENGLISH_FILES = ("train_a.csv", "train_b.csv", "train_c.csv")


def _trigrams(text: str) -> list[str]:
    """Return the character trigrams of each space-padded, folded word."""
    grams: list[str] = []
    for word in words(text[:MAX_CHARS]):
        if word.isdigit():
            continue
        padded = f" {word} "
        grams += [padded[i : i + 3] for i in range(len(padded) - 2)]
    return grams


def _function_word_votes(text: str) -> Counter[str]:
    """Return, per language, its function words in *text*; a word of several languages is shared out."""
    votes: Counter[str] = Counter()
    for word in words(text[:MAX_CHARS]):
        owners = [language for language, known in FUNCTION_WORDS.items() if word in known]
        for language in owners:
            votes[language] += 1 / len(owners)
    return votes


class _Profiles:
    """Trigram log-probabilities of each language, learnt from the training tickets."""

    def __init__(self, texts: dict[str, list[str]]) -> None:
        counts = {language: Counter(g for text in texts[language] for g in _trigrams(text)) for language in LANGUAGES}
        vocabulary = len(set().union(*counts.values())) + 1
        self.log_p: dict[str, dict[str, float]] = {}
        self.unseen: dict[str, float] = {}
        for language, counter in counts.items():
            total = sum(counter.values()) + vocabulary
            self.log_p[language] = {gram: math.log((n + 1) / total) for gram, n in counter.items()}
            self.unseen[language] = math.log(1 / total)

    def scores(self, text: str) -> dict[str, float]:
        """Return each language's log-likelihood of the text's trigrams."""
        grams = _trigrams(text)
        return {
            language: sum(self.log_p[language].get(g, self.unseen[language]) for g in grams) for language in LANGUAGES
        }


@lru_cache(maxsize=1)
def _profiles() -> _Profiles:
    """Return the language profiles built from the shipped training tickets."""
    texts: dict[str, list[str]] = {language: [] for language in LANGUAGES}
    for language in LANGUAGES[1:]:
        texts[language] = [ticket.text for ticket in read_labelled(DATA / f"train_{language}.csv")]
    for name in _ENGLISH_FILES:
        for ticket in read_labelled(DATA / name):
            # The English files hold a few tickets in other languages: only clearly English ones count.
            votes = _function_word_votes(ticket.text)
            if votes and votes.most_common(1)[0][0] == "en" and votes["en"] >= 2:
                texts["en"].append(ticket.text)
    return _Profiles(texts)


def _latin_share(text: str) -> float:
    """Return the share of the letters in *text* that are Latin ones."""
    letters = [char for char in text[:MAX_CHARS] if char.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for char in letters if fold(char).isascii()) / len(letters)


def language_scores(text: str) -> dict[str, float]:
    """Return each language's score for *text* (log-likelihood plus function words; higher is likelier)."""
    votes = _function_word_votes(text)
    scores = _profiles().scores(text)
    return {language: scores[language] + FUNCTION_WORD_NATS * votes[language] for language in LANGUAGES}


def detect_language(text: str) -> str:
    """Return "en", "it", "de", "fr", "es", or "other" for another language or no language at all."""
    if _latin_share(text) < 0.5 or not _trigrams(text):
        return OTHER
    votes = _function_word_votes(text)
    scores = language_scores(text)
    best = max(LANGUAGES, key=lambda language: scores[language])
    # Portuguese and Dutch are not told apart from the rest by trigrams: their function words say it.
    if max(votes["pt"], votes["nl"]) > votes[best] + 0.5:
        return OTHER
    return best
