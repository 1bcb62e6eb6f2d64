"""The fitted text model: TF-IDF words and characters plus a static embedding, into a logistic regression."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from scipy.sparse import csr_matrix, hstack

from . import CATEGORIES, LABELS, Categorization
from .clauses import emphasise
from .embedding import StaticEmbedding
from .features import TfidfFeatures
from .function_words import content_words, is_function_word, without_function_words
from .glossary import Glossary
from .language import detect_language
from .training import DATA

#: Only the start of a long ticket is read: it is where the main problem is stated.
MAX_CHARS = 2000
#: Inverse regularisation strength of the logistic regression.
C = 10.0
#: How many texts are scored at once in bulk, to bound memory.
CHUNK = 4096
WORDS_SHOWN = 3
#: Known words and word pairs a text needs for its scores to count in full.
EVIDENCE_TERMS = 3
EXAMPLE_CHARS = 90
#: A text with fewer meaningful words than this ("the lift in bui") is never more sure than SHORT_CAP:
#: on a few words a misreading costs the whole text, and the training tickets are mostly longer.
SHORT_WORDS = 4
SHORT_CAP = 0.9
#: How far a text is pulled towards the category of the staff corrections it resembles: its
#: words' cosine similarity to the closest correction of a category, times this, joins that
#: category's score. A correction is what staff said of such wording here, which no weight of
#: one training ticket among thousands conveys ("Marvin is sulking" → it, however often
#: "lunch" means the canteen).
STAFF_PULL = 3.0


#: Change when the features or the classifier change, so saved models are refitted.
FORMAT = "clauses/glossary-by-language-compounds-both/no-foreign-function-words/words1-2+chars2-4+minilm128/logreg-C10-nointercept/evidence3/v4"


@dataclass(frozen=True)
class Resources:
    """What every fit shares and nothing changes: the embedding and the glossary."""

    embedding: StaticEmbedding
    glossary: Glossary
    digest: str

    @classmethod
    def load(cls, directory: Path = DATA) -> "Resources":
        """Read the embedding and the glossary from the package data."""
        digest = hashlib.sha256(FORMAT.encode())
        for name in ("minilm_static.npz", "minilm_tokenizer.json", "glossary.csv"):
            digest.update((directory / name).read_bytes())
        return cls(StaticEmbedding.load(directory), Glossary.load(directory / "glossary.csv"), digest.hexdigest())

    def prepare(self, texts: Sequence[str], languages: Sequence[str] | None = None) -> list[str]:
        """Return the texts as the model reads them: truncated, main clauses first, with their language's translations."""
        if languages is None:
            languages = [detect_language(text) for text in texts]
        return [
            without_function_words(self.glossary.expand(emphasise(text[:MAX_CHARS]), language))
            for text, language in zip(texts, languages)
        ]


#: Calibration temperatures by the language a text is written in; ANY_LANGUAGE is for the rest.
Temperatures = Mapping[str, float]
ANY_LANGUAGE = "*"


def as_temperatures(temperature: float | Temperatures) -> dict[str, float]:
    """Return *temperature* as temperatures by language (one number serves every language)."""
    if isinstance(temperature, Mapping):
        return {ANY_LANGUAGE: 1.0, **{language: float(t) for language, t in temperature.items()}}
    return {ANY_LANGUAGE: float(temperature)}


@dataclass(frozen=True)
class Example:
    """A labelled text the model was fitted on; *from_staff* marks a staff correction."""

    text: str
    category: str
    from_staff: bool = False


# Words too common to explain anything on their own.
_PLAIN_WORDS = frozenset(
    """a about after again all also am an and any are as at be been before being but by can cannot could did do
    does doing don during each even every few for from get gets got had has have having he her here hers him
    his how i if im in into is isn it its itself just keep keeps last like me more most my no nor not now of off
    on once one only or other our out over own please same she should since so some still such than that the
    their them then there these they this those through to too under until up us very was we were what when where
    which while who why will with would yet you your""".split()
)


def _telling(term: str) -> bool:
    """Return whether a word feature says something to a person (no number, no function word of any language)."""
    return all(
        len(word) > 2 and word.isalpha() and word not in _PLAIN_WORDS and not is_function_word(word)
        for word in term.split()
    )


def _written(term: str) -> str:
    """Return a glossary term as written without its function words ("en panne" → "panne")."""
    return " ".join(word for word in term.split() if not is_function_word(word)) or term


def _telling_source(term: str | None) -> bool:
    """Return whether a glossary term is worth showing as the source of a word: not a function word
    of some language (French "sono", sound system, is Italian for "are")."""
    return term is not None and any(not is_function_word(word) for word in term.split())


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def cap_short_texts(texts: Sequence[str], probabilities: np.ndarray) -> np.ndarray:
    """Pull the scores of texts with fewer than SHORT_WORDS meaningful words towards equal, to at most SHORT_CAP."""
    even = 1 / probabilities.shape[1]
    for row, text in enumerate(texts):
        best = probabilities[row].max()
        if best > SHORT_CAP and len(content_words(text[:200])) < SHORT_WORDS:
            share = (SHORT_CAP - even) / (best - even)
            probabilities[row] = share * probabilities[row] + (1 - share) * even
    return probabilities


def fingerprint(resources: Resources, examples: Sequence[Example], weights: Sequence[float] | None) -> str:
    """Return a digest of everything a fit depends on, to tell whether a saved model is current."""
    digest = hashlib.sha256(resources.digest.encode())
    for i, example in enumerate(examples):
        weight = 1.0 if weights is None else float(weights[i])
        digest.update(f"{example.text}\x1f{example.category}\x1f{example.from_staff}\x1f{weight}\x1e".encode())
    return digest.hexdigest()


def fit_text_model(
    resources: Resources,
    examples: Sequence[Example],
    weights: Sequence[float] | None = None,
    temperature: float | Temperatures = 1.0,
) -> "TextModel":
    """Fit the features and the logistic regression on *examples* (deterministic)."""
    # Imported only to fit: they are slow to import and answering needs neither.
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    prepared = resources.prepare([example.text for example in examples])
    words = TfidfFeatures.fit("words", prepared)
    characters = TfidfFeatures.fit("characters", prepared)
    word_features = words.transform(prepared)
    embedded = resources.embedding.encode(prepared)
    features = hstack([word_features, characters.transform(prepared), csr_matrix(embedded)], format="csr")
    labels = np.array([CATEGORIES.index(example.category) for example in examples])
    classifier = LogisticRegression(C=C, fit_intercept=False, max_iter=3000)
    # One BLAS thread: on two shared cores, threaded BLAS made this fit ten times slower.
    with threadpool_limits(1):
        classifier.fit(features, labels, sample_weight=None if weights is None else np.asarray(weights, dtype=float))
    if list(classifier.classes_) != list(range(len(CATEGORIES))):
        raise ValueError("the training examples must cover every category")
    return TextModel(
        resources, examples, words, characters, classifier.coef_, classifier.intercept_, temperature,
        example_words=word_features, example_embedding=embedded,
    )


def saved_model_temperatures(saved: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Return the temperatures stored in a saved model (older files hold one for every language)."""
    if "temperature_languages" not in saved:
        return as_temperatures(float(saved["temperature"]))
    return dict(zip(saved["temperature_languages"].tolist(), saved["temperature_values"].astype(float).tolist()))


class TextModel:
    """A fitted model: probabilities, explanations, and the examples it learnt from."""

    def __init__(
        self,
        resources: Resources,
        examples: Sequence[Example],
        words: TfidfFeatures,
        characters: TfidfFeatures,
        coef: np.ndarray,
        intercept: np.ndarray,
        temperature: float | Temperatures,
        example_words: csr_matrix | None = None,
        example_embedding: np.ndarray | None = None,
    ) -> None:
        self.resources = resources
        self.examples = list(examples)
        self.words, self.characters = words, characters
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.temperatures = as_temperatures(temperature)
        split = (len(words.idf), len(words.idf) + len(characters.idf))
        self._word_coef = np.ascontiguousarray(self.coef[:, : split[0]].T)
        self._character_coef = np.ascontiguousarray(self.coef[:, split[0] : split[1]].T)
        self._embedding_coef = np.ascontiguousarray(self.coef[:, split[1] :].T)
        # A word's push towards a category is its weight there minus its mean weight.
        self._word_push = self._word_coef - self._word_coef.mean(axis=1, keepdims=True)
        if example_words is None or example_embedding is None:
            prepared = resources.prepare([example.text for example in self.examples])
            example_words, example_embedding = words.transform(prepared), resources.embedding.encode(prepared)
        self._example_words_t = example_words.T.tocsr()
        self._example_embedding_t = np.ascontiguousarray(example_embedding.T)
        self._example_labels = np.array([CATEGORIES.index(example.category) for example in self.examples])
        staff = np.flatnonzero([example.from_staff for example in self.examples])
        self._staff_words_t = self._example_words_t[:, staff] if len(staff) else None
        self._staff_labels = self._example_labels[staff]

    def save(self, path: Path, fingerprint: str) -> None:
        """Write the fitted parameters and the examples' features (not their texts) to an .npz file."""
        np.savez_compressed(
            path,
            fingerprint=np.array(fingerprint),
            word_vocabulary=np.array(self.words.names.tolist(), dtype=str),
            word_idf=self.words.idf,
            character_vocabulary=np.array(self.characters.names.tolist(), dtype=str),
            character_idf=self.characters.idf,
            coef=self.coef,
            intercept=self.intercept,
            temperature=np.array(self.temperature),
            temperature_languages=np.array(list(self.temperatures), dtype=str),
            temperature_values=np.array(list(self.temperatures.values())),
            # The examples' features, so loading need not compute them again.
            example_word_data=self._example_words_t.data,
            example_word_indices=self._example_words_t.indices,
            example_word_indptr=self._example_words_t.indptr,
            example_embedding=self._example_embedding_t.T.astype(np.float16),
        )

    @classmethod
    def load(cls, path: Path, resources: Resources, examples: Sequence[Example], fingerprint: str) -> "TextModel | None":
        """Return the model saved at *path*, or None when it was fitted on other data."""
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as saved:
            if str(saved["fingerprint"]) != fingerprint:
                return None
            words = TfidfFeatures("words", saved["word_vocabulary"].tolist(), saved["word_idf"])
            characters = TfidfFeatures("characters", saved["character_vocabulary"].tolist(), saved["character_idf"])
            example_words_t = csr_matrix(
                (saved["example_word_data"], saved["example_word_indices"], saved["example_word_indptr"]),
                shape=(len(words.idf), len(examples)),
            )
            return cls(
                resources, examples, words, characters,
                saved["coef"], saved["intercept"], saved_model_temperatures(saved),
                example_words=example_words_t.T, example_embedding=saved["example_embedding"].astype(np.float32),
            )

    @property
    def temperature(self) -> float:
        """Return the temperature of a text in none of the calibrated languages."""
        return self.temperatures[ANY_LANGUAGE]

    def calibrated(self, texts: Sequence[str], logits: np.ndarray, languages: Sequence[str]) -> np.ndarray:
        """Return probabilities: raw scores divided by their language's temperature, short texts capped."""
        temperature = np.array([self.temperatures.get(language, self.temperature) for language in languages])
        return cap_short_texts(texts, _softmax(np.asarray(logits, dtype=np.float64) / temperature[:, None]))

    def logits(self, prepared: Sequence[str]) -> tuple[np.ndarray, csr_matrix, np.ndarray]:
        """Return the raw class scores of prepared texts, with their word features and embedding."""
        word_features = self.words.transform(prepared)
        embedded = self.resources.embedding.encode(prepared)
        logits = (
            word_features @ self._word_coef
            + self.characters.transform(prepared) @ self._character_coef
            + embedded @ self._embedding_coef
            + self.intercept
        )
        if self._staff_words_t is not None:
            similarity = (word_features @ self._staff_words_t).toarray()
            for category in range(len(CATEGORIES)):
                mine = self._staff_labels == category
                if mine.any():
                    logits[:, category] += STAFF_PULL * similarity[:, mine].max(axis=1)
        # Few known words, little evidence: pull the scores towards "no idea" (all equal).
        evidence = np.minimum(1.0, np.diff(word_features.indptr) / EVIDENCE_TERMS).astype(np.float32)
        return np.asarray(logits) * evidence[:, None], word_features, embedded

    def raw_logits(self, texts: Sequence[str]) -> np.ndarray:
        """Return the uncalibrated class scores, one row per text."""
        rows = [self.logits(self.resources.prepare(texts[i : i + CHUNK]))[0] for i in range(0, len(texts), CHUNK)]
        return np.vstack(rows).astype(np.float64) if rows else np.zeros((0, len(CATEGORIES)))

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Return calibrated probabilities, one row per text, columns in CATEGORIES order."""
        return self.calibrated(texts, self.raw_logits(texts), [detect_language(text) for text in texts])

    def categorize(self, texts: Sequence[str], review_threshold: float, explain: bool = True) -> list[Categorization]:
        """Return a categorization for each text, with an explanation when *explain*."""
        results: list[Categorization] = []
        for start in range(0, len(texts), CHUNK):
            chunk = texts[start : start + CHUNK]
            languages = [detect_language(text) for text in chunk]
            prepared = self.resources.prepare(chunk, languages)
            logits, word_features, embedded = self.logits(prepared)
            probabilities = self.calibrated(chunk, logits, languages)
            best = probabilities.argmax(axis=1)
            nearest = self._nearest_examples(word_features, embedded, best) if explain else [None] * len(chunk)
            for row, (text, scores) in enumerate(zip(chunk, probabilities)):
                explanation = (
                    self._explain(word_features[row], best[row], nearest[row], text, languages[row]) if explain else []
                )
                if explain and scores[best[row]] < review_threshold:
                    explanation.append("The categorizer is not sure: staff should check this category.")
                results.append(
                    Categorization(
                        category=CATEGORIES[best[row]],
                        confidence=float(scores[best[row]]),
                        scores=dict(zip(CATEGORIES, scores.tolist())),
                        explanation=explanation,
                        language=languages[row],
                    )
                )
        return results

    def _nearest_examples(self, word_features: csr_matrix, embedded: np.ndarray, best: np.ndarray) -> list[int | None]:
        """Return, per text, the most similar training example of its predicted category."""
        similarity = (word_features @ self._example_words_t).toarray() + embedded @ self._example_embedding_t
        similarity[best[:, None] != self._example_labels[None, :]] = -np.inf
        nearest = similarity.argmax(axis=1)
        found = np.isfinite(similarity[np.arange(len(best)), nearest]) & (similarity.max(axis=1) > 0)
        return [int(index) if ok else None for index, ok in zip(nearest, found)]

    def _explain(self, word_row: csr_matrix, category: int, nearest: int | None, text: str, language: str) -> list[str]:
        """Return short sentences saying which words and which known ticket decided the category."""
        label = LABELS[CATEGORIES[category]]
        push = word_row.data * self._word_push[word_row.indices, category]
        order = np.argsort(-push, kind="stable")
        words = [str(self.words.names[word_row.indices[i]]) for i in order if push[i] > 0]
        words = [word for word in words if _telling(word)][:WORDS_SHOWN]
        if words:
            glossary = self.resources.glossary
            translated = (
                {word: term for term, english in glossary.translations(text, language) for word in english.split()}
                if glossary.english_words.intersection(words)
                else {}
            )
            shown = [
                f"“{word}” (from “{_written(translated[word])}”)" if _telling_source(translated.get(word)) else f"“{word}”"
                for word in words
            ]
            sentences = [f"Words that point to {label}: {', '.join(shown)}."]
        else:
            sentences = [f"No single word decided it; the wording as a whole is closest to {label}."]
        if nearest is not None:
            example = self.examples[nearest]
            flat = " ".join(example.text.split())
            quoted = flat if len(flat) <= EXAMPLE_CHARS else flat[: EXAMPLE_CHARS - 1] + "…"
            who = "Staff filed a similar ticket under" if example.from_staff else "It reads like this known"
            tail = f"{label}: “{quoted}”" if example.from_staff else f"{label} ticket: “{quoted}”"
            sentences.append(f"{who} {tail}")
        return sentences
