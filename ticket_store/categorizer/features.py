"""TF-IDF features of words and character n-grams, in plain numpy so loading stays fast."""
from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy.sparse import csr_matrix

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
        size = len(self.idf)
        # One key per (row, column): its distinct keys, counted, are the rows' term counts in order
        # (half the time of building a COO matrix for one ticket, the same matrix).
        keys = np.repeat(np.arange(len(texts), dtype=np.int64), lengths) * size + np.asarray(columns, dtype=np.int64)
        keys, counts = np.unique(keys, return_counts=True)
        rows, indices = np.divmod(keys, size)
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
        data = (1 + np.log(counts.astype(np.float32))) * self.idf[indices]
        norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=len(texts)))
        data /= norms[rows].astype(np.float32)
        return csr_matrix((data, indices.astype(np.int32), indptr.astype(np.int32)), shape=(len(texts), size))
