"""Tell which language a ticket is written in: English, Italian, German, French, Spanish or other.

Character trigrams of the training tickets of each language (naive Bayes), plus the
function words of each language, which weigh most. Everything is computed from the
shipped data at first use (about 50 ms); nothing is downloaded.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

import numpy as np

from .function_words import FUNCTION_WORDS, words
from .training import DATA, read_labelled

LANGUAGES: tuple[str, ...] = ("en", "it", "de", "fr", "es")
#: What detect_language returns for a text in none of LANGUAGES (or in no language at all).
OTHER = "other"
NAMES: dict[str, str] = {"en": "English", "it": "Italian", "de": "German", "fr": "French", "es": "Spanish", OTHER: "other"}
#: How many nats one function word of a language adds to that language's score.
FUNCTION_WORD_NATS = 3.0
#: Only the start of a text is read: a ticket keeps to its language.
MAX_CHARS = 400
_ENGLISH_FILES = ("train_a.csv", "train_b.csv", "train_c.csv")


def _trigrams(folded_words: list[str]) -> list[str]:
    """Return the character trigrams of each space-padded word (numbers left out)."""
    grams: list[str] = []
    for word in folded_words:
        if word.isdigit():
            continue
        padded = f" {word} "
        grams += [padded[i : i + 3] for i in range(len(padded) - 2)]
    return grams


def _function_word_votes(folded_words: list[str]) -> Counter[str]:
    """Return, per language, its function words among the words; a word of several languages is shared out."""
    votes: Counter[str] = Counter()
    for word in folded_words:
        owners = _OWNERS.get(word)
        if owners:
            for language in owners:
                votes[language] += 1 / len(owners)
    return votes


_OWNERS: dict[str, tuple[str, ...]] = {}
for _language, _known in FUNCTION_WORDS.items():
    for _word in _known:
        _OWNERS[_word] = (*_OWNERS.get(_word, ()), _language)


class _Profiles:
    """Trigram log-probabilities of each language, learnt from the training tickets."""

    def __init__(self, texts: dict[str, list[str]]) -> None:
        counts = {
            language: Counter(g for text in texts[language] for g in _trigrams(_words(text))) for language in LANGUAGES
        }
        grams = sorted(set().union(*counts.values()))
        vocabulary = len(grams) + 1
        totals = np.array([sum(counts[language].values()) + vocabulary for language in LANGUAGES], dtype=np.float64)
        table = np.log(np.array([[counts[language][g] + 1 for language in LANGUAGES] for g in grams]) / totals)
        #: Row of each known trigram; the last row is for a trigram no language's tickets have.
        self.row = {g: i for i, g in enumerate(grams)}
        self.table = np.vstack([table, np.log(1 / totals)])

    def scores(self, folded_words: list[str]) -> np.ndarray:
        """Return each language's log-likelihood of the words' trigrams, in LANGUAGES order."""
        unseen = len(self.table) - 1
        rows = [self.row.get(g, unseen) for g in _trigrams(folded_words)]
        return self.table[rows].sum(axis=0)


def _words(text: str) -> list[str]:
    return words(text[:MAX_CHARS])


@lru_cache(maxsize=1)
def _profiles() -> _Profiles:
    """Return the language profiles built from the shipped training tickets."""
    texts: dict[str, list[str]] = {language: [] for language in LANGUAGES}
    for language in LANGUAGES[1:]:
        for part in ("", "_later"):
            texts[language] += [ticket.text for ticket in read_labelled(DATA / f"train_{language}{part}.csv")]
    for name in _ENGLISH_FILES:
        for ticket in read_labelled(DATA / name):
            # The English files hold a few tickets in other languages: only clearly English ones count.
            votes = _function_word_votes(_words(ticket.text))
            if votes and votes.most_common(1)[0][0] == "en" and votes["en"] >= 2:
                texts["en"].append(ticket.text)
    return _Profiles(texts)


def _mostly_latin(text: str) -> bool:
    """Return whether most letters of *text* are Latin ones (Latin-1 and Latin Extended included)."""
    latin = other = 0
    for char in text[:MAX_CHARS]:
        if char.isalpha():
            if ord(char) < 0x250:
                latin += 1
            else:
                other += 1
    return latin > other


def language_scores(text: str) -> dict[str, float]:
    """Return each language's score for *text* (log-likelihood plus function words; higher is likelier)."""
    folded = _words(text)
    votes = _function_word_votes(folded)
    scores = _profiles().scores(folded)
    return {language: float(scores[i]) + FUNCTION_WORD_NATS * votes[language] for i, language in enumerate(LANGUAGES)}


def detect_language(text: str) -> str:
    """Return "en", "it", "de", "fr", "es", or "other" for another language or no language at all."""
    if not _mostly_latin(text):
        return OTHER
    folded = _words(text)
    if not any(not word.isdigit() for word in folded):
        return OTHER
    votes = _function_word_votes(folded)
    scores = _profiles().scores(folded) + FUNCTION_WORD_NATS * np.array([votes[language] for language in LANGUAGES])
    best = LANGUAGES[int(scores.argmax())]
    # Portuguese and Dutch are not told apart from the rest by trigrams: their function words say it.
    if max(votes["pt"], votes["nl"]) > votes[best] + 0.5:
        return OTHER
    return best
