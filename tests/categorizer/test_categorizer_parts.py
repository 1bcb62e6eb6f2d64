"""The categorizer's parts: features, clauses, glossary, embedding, calibration, explanations."""
from __future__ import annotations

import numpy as np
import pytest

from ticket_store.categorizer import LABELS
from ticket_store.categorizer.calibration import fit_temperature, reliability_table
from ticket_store.categorizer.clauses import emphasise, without_dismissed
from ticket_store.categorizer.features import TfidfFeatures, character_ngrams, word_ngrams
from ticket_store.categorizer.glossary import Glossary
from ticket_store.categorizer.learning import saved_temperature


def test_word_and_character_ngrams():
    assert word_ngrams("Wi-Fi down!") == ["wi", "fi", "down", "wi fi", "fi down"]
    assert character_ngrams("ab") == [" a", "ab", "b ", " ab", "ab ", " ab "]


def test_tfidf_rows_have_unit_length_or_are_empty():
    features = TfidfFeatures.fit("characters", ["heating broken", "printer jam", "rude staff"])
    matrix = features.transform(["heating heating", "", "🥶", "printer rude"])
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert norms == pytest.approx([1.0, 0.0, 0.0, 1.0], abs=1e-5)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("The Wi-Fi in the canteen is fine, but the toilets are blocked.", "but the toilets are blocked."),
        ("The printers work, the price is the problem.", "the price is the problem."),
        ("The staff are lovely. The building is freezing.", "The building is freezing."),
        ("It doesn't work, the wifi is down", "It doesn't work the wifi is down"),
        ("Everything is fine.", "Everything is fine."),
    ],
)
def test_dismissed_clauses_are_dropped(text, kept):
    assert without_dismissed(text) == kept


def test_first_sentence_weighs_double():
    assert emphasise("Printer broken. Also the canteen is expensive.") == (
        "Printer broken.\nPrinter broken. Also the canteen is expensive."
    )


def test_glossary_adds_english_for_other_languages(resources):
    expanded = resources.glossary.expand("Die Heizung im Hörsaal ist kaputt")
    assert expanded.splitlines()[1] == "heating lecture hall broken"
    assert resources.glossary.expand("plain English text") == "plain English text"


def test_the_glossary_reads_a_text_with_its_own_language():
    glossary = Glossary.load()
    # Folded, French "cassé" (broken) is Italian "casse" (speakers): a French text means broken.
    assert ("cassé", "broken") in glossary.translations("La chaise est cassée, le pied est cassé", "fr")
    assert "speakers" not in glossary.expand("le pied est cassé", "fr")
    assert "speakers" in glossary.expand("le casse non funzionano", "it")
    # English words are not compounds of foreign terms ("comfortable" has no table in it).
    assert glossary.translations("the chairs are not comfortable", "en") == []


def test_a_german_compound_is_read_by_its_parts():
    glossary = Glossary.load()
    assert glossary.expand("Wohnheimflur", "de").splitlines()[1] == "student housing corridor"
    assert "corridor" not in glossary.expand("Wohnheimflur", "fr")


def test_embedding_vectors_have_unit_length_or_are_zero(resources):
    vectors = resources.embedding.encode(["heating broken", "", "🥶", "x " * 3000])
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1, 0, 0, 1], abs=1e-5)


def test_temperature_fit_recovers_a_known_temperature():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4000, 3)) * 3
    probabilities = np.exp(logits / 2.0) / np.exp(logits / 2.0).sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(3, p=p) for p in probabilities])
    assert fit_temperature(logits, labels) == pytest.approx(2.0, rel=0.1)


def test_reliability_table_counts_every_prediction():
    confidence = np.array([0.4, 0.55, 0.97, 0.99, 1.0])
    bins = reliability_table(confidence, np.array([0, 1, 1, 1, 1], dtype=bool))
    assert sum(b.count for b in bins) == 5
    assert bins[-1].count == 3 and bins[-1].accuracy == 1.0


def test_saved_model_is_calibrated_by_the_build():
    assert 0.1 < saved_temperature() < 10


@pytest.mark.parametrize(
    ("text", "category", "word"),
    [
        ("The radiator in my office is cold and leaking", "facility", "radiator"),
        ("I cannot log in to eduroam, my password was reset", "it", "eduroam"),
        ("The canteen prices went up again and the portions are tiny", "services", "canteen"),
    ],
)
def test_explanation_names_the_deciding_words_and_a_similar_ticket(categorizer, text, category, word):
    result = categorizer.categorize(text)
    assert result.category == category
    assert result.explanation[0].startswith(f"Words that point to {LABELS[category]}")
    assert f"“{word}”" in result.explanation[0]
    assert "known" in result.explanation[1] and LABELS[category] in result.explanation[1]


def test_explanation_shows_the_word_as_written_in_another_language(categorizer):
    result = categorizer.categorize("Die Heizung im Hörsaal ist kaputt")
    assert result.category == "facility"
    assert "(from “heizung”)" in result.explanation[0]


def test_tfidf_rows_are_sublinear_counts_times_idf_scaled_to_unit_length():
    features = TfidfFeatures.fit("words", ["heating broken", "printer jam", "heating on"])
    matrix = features.transform(["heating heating jam", "", "unknown words", "jam"])
    assert matrix.has_sorted_indices and list(np.diff(matrix.indptr)) == [2, 0, 0, 1]
    idf = dict(zip(features.names, features.idf))
    expected = {"heating": (1 + np.log(2)) * idf["heating"], "jam": idf["jam"]}
    length = np.sqrt(sum(value**2 for value in expected.values()))
    first = {features.names[column]: value for column, value in zip(matrix[0].indices, matrix[0].data)}
    assert first == pytest.approx({term: value / length for term, value in expected.items()}, rel=1e-6)
    assert matrix[3].data.tolist() == pytest.approx([1.0])
