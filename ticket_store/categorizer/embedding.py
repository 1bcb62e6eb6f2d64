"""Sentence vectors from a static word-piece embedding distilled from all-MiniLM-L6-v2."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.sparse import csr_matrix
from tokenizers import Tokenizer

DATA = Path(__file__).resolve().parent / "data"
#: Only the first word pieces count, as in the sentence model (and the first problem decides).
MAX_PIECES = 512
#: Texts gathered at once; bounds the memory of the gathered piece vectors.
BATCH = 1024
#: Up to this many texts, gathering vectors beats a sparse product (which copies the table).
FEW = 16
#: Distinct words whose pieces are remembered between calls.
WORD_CACHE = 200_000


class StaticEmbedding:
    """Average the vectors of a text's word pieces; no neural network runs at all."""

    def __init__(self, tokenizer: Tokenizer, vectors: np.ndarray) -> None:
        self._tokenizer = tokenizer
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_PIECES)
        self.vectors = vectors
        self.dimensions = vectors.shape[1]
        self._unknown = tokenizer.token_to_id("[UNK]")
        # Word pieces never cross white space, so each word is split once and remembered.
        self._word_pieces: dict[str, list[int]] = {}

    def _pieces(self, texts: Sequence[str]) -> list[list[int]]:
        """Return the known word-piece ids of each text, at most MAX_PIECES."""
        words = [text.split() for text in texts]
        cache = self._word_pieces
        known: dict[str, list[int]] = {}
        missing: list[str] = []
        for word in {word for text_words in words for word in text_words}:
            pieces = cache.get(word)
            if pieces is None:
                missing.append(word)
            else:
                known[word] = pieces
        if missing:
            missing.sort()
            encodings = self._tokenizer.encode_batch(missing, add_special_tokens=False)
            new = {word: [i for i in e.ids if i != self._unknown] for word, e in zip(missing, encodings)}
            if len(cache) + len(new) > WORD_CACHE:
                cache.clear()
            cache.update(new)
            known.update(new)
        return [[i for word in text_words for i in known[word]][:MAX_PIECES] for text_words in words]

    @classmethod
    def load(cls, directory: Path = DATA) -> "StaticEmbedding":
        """Read the tokenizer and the int8 vectors built by scripts/build_static_embedding.py."""
        tokenizer = Tokenizer.from_file(str(directory / "minilm_tokenizer.json"))
        with np.load(directory / "minilm_static.npz") as stored:
            vectors = stored["vectors"].astype(np.float32) * stored["scale"]
        return cls(tokenizer, vectors)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one unit-length vector per text (zeros for a text with no known piece)."""
        texts = list(texts)
        sentences = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            pieces = self._pieces(texts[start : start + BATCH])
            lengths = np.fromiter((len(ids) for ids in pieces), dtype=np.int64, count=len(pieces))
            ids = np.fromiter((i for ids in pieces for i in ids), dtype=np.int64, count=int(lengths.sum()))
            if len(pieces) <= FEW:
                filled = np.flatnonzero(lengths)
                if len(filled):
                    starts = np.concatenate(([0], np.cumsum(lengths[filled])[:-1]))
                    sentences[start + filled] = np.add.reduceat(self.vectors[ids], starts, axis=0)
            else:
                counts = csr_matrix(
                    (np.ones(len(ids), dtype=np.float32), ids, np.concatenate(([0], np.cumsum(lengths)))),
                    shape=(len(pieces), len(self.vectors)),
                )
                sentences[start : start + len(pieces)] = counts @ self.vectors
        norms = np.linalg.norm(sentences, axis=1, keepdims=True)
        return sentences / np.where(norms == 0, 1.0, norms)
