"""TF-IDF features of words and character n-grams, in plain numpy so loading stays fast."""
from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix

_TOKEN = re.compile(r"\b\w+\b")
#: Distinct words whose n-gram columns are remembered between calls.
WORD_CACHE = 200_000


def word_ngrams(text: str) -> list[str]:
    """Return the lower-cased words of *text* and its two-word sequences."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{first} {second}" for first, second in zip(words, words[1:])]


def _word_character_ngrams(word: str, shortest: int = 2, longest: int = 4) -> list[str]:
    padded = f" {word} "
    grams: list[str] = []
    for size in range(shortest, min(longest, len(padded)) + 1):
        grams += [padded[i : i + size] for i in range(len(padded) - size + 1)]
    return grams


def character_ngrams(text: str) -> list[str]:
    """Return the character n-grams inside each space-padded word, so typos still share most of them."""
    return [gram for word in text.lower().split() for gram in _word_character_ngrams(word)]


ANALYZERS: dict[str, Callable[[str], list[str]]] = {"words": word_ngrams, "characters": character_ngrams}


class TfidfFeatures:
    """Map texts to sublinear TF-IDF vectors of unit length over a fixed vocabulary."""

    def __init__(self, analyzer: str, vocabulary: Sequence[str], idf: np.ndarray) -> None:
        self.analyzer = analyzer
        self.names = np.asarray(vocabulary, dtype=object)
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        # Words repeat across tickets: remember each word's known n-gram columns.
        self._word_columns: dict[str, list[int]] = {}

    def _columns(self, text: str) -> list[int]:
        """Return the vocabulary columns of the terms in *text*, repeated as often as they occur."""
        index = self.index
        if self.analyzer == "words":
            return [i for i in map(index.get, word_ngrams(text)) if i is not None]
        columns: list[int] = []
        cache = self._word_columns
        for word in text.lower().split():
            known = cache.get(word)
            if known is None:
                if len(cache) >= WORD_CACHE:
                    cache.clear()
                known = cache[word] = [i for i in map(index.get, _word_character_ngrams(word)) if i is not None]
            columns += known
        return columns

    @classmethod
    def fit(cls, analyzer: str, texts: Iterable[str]) -> "TfidfFeatures":
        """Learn the vocabulary (sorted, so fits are reproducible) and smoothed IDF from *texts*."""
        documents = Counter()
        count = 0
        for text in texts:
            documents.update(set(ANALYZERS[analyzer](text)))
            count += 1
        vocabulary = sorted(documents)
        frequency = np.array([documents[term] for term in vocabulary], dtype=np.float64)
        idf = np.log((1 + count) / (1 + frequency)) + 1
        return cls(analyzer, vocabulary, idf)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """Return one L2-normalised row per text."""
        columns: list[int] = []
        lengths: list[int] = []
        for text in texts:
            found = self._columns(text)
            columns += found
            lengths.append(len(found))
        rows = np.repeat(np.arange(len(texts)), lengths)
        # Building from coordinates adds up repeated (row, column) pairs: the term counts.
        matrix = coo_matrix(
            (np.ones(len(columns), dtype=np.float32), (rows, np.asarray(columns, dtype=np.int64))),
            shape=(len(texts), len(self.idf)),
        ).tocsr()
        matrix.sum_duplicates()
        matrix.data = (1 + np.log(matrix.data)) * self.idf[matrix.indices]
        row_of_value = np.repeat(np.arange(len(texts)), np.diff(matrix.indptr))
        norms = np.sqrt(np.bincount(row_of_value, weights=matrix.data.astype(np.float64) ** 2, minlength=len(texts)))
        matrix.data /= norms[row_of_value].astype(np.float32)
        return matrix
