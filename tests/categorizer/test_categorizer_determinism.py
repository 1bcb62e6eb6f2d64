"""The same text and the same corrections always give the same answer."""
from __future__ import annotations

import numpy as np

from ticket_store.categorizer import load_categorizer
from ticket_store.categorizer.learning import MODEL_FILE, LearningCategorizer
from ticket_store.categorizer.model import Example, TextModel, fingerprint, fit_text_model
from ticket_store.categorizer.training import load_training_tickets

TEXTS = [
    "The radiator in room 2.15 is cold",
    "eduroam keeps dropping in the library",
    "The canteen staff were rude to me",
    "Die Heizung im Hörsaal ist kaputt",
    "The Wi-Fi in the canteen is fine, the canteen toilets are blocked",
]


def test_same_text_gets_same_answer(categorizer):
    assert [categorizer.categorize(text) for text in TEXTS] == [categorizer.categorize(text) for text in TEXTS]


def test_two_loads_give_same_answers(categorizer):
    assert [load_categorizer().categorize(text) for text in TEXTS] == [categorizer.categorize(text) for text in TEXTS]


def test_saved_model_is_current_and_equals_a_fresh_fit(categorizer, resources):
    """data/model.npz must be rebuilt (python -m ticket_store.categorizer.build) when the data changes."""
    examples = [Example(ticket.text, ticket.category) for ticket in load_training_tickets()]
    weights = [1.0] * len(examples)
    saved = TextModel.load(MODEL_FILE, resources, examples, fingerprint(resources, examples, weights))
    assert saved is not None, "the saved model is out of date: run python -m ticket_store.categorizer.build"
    fresh = fit_text_model(resources, examples, weights, saved.temperatures)
    assert np.allclose(saved.probabilities(TEXTS), fresh.probabilities(TEXTS), atol=1e-4)


def test_same_corrections_give_same_answers(resources):
    corrections = [
        ("Marvin is sulking again, nobody in the group can get anything out of him", "it"),
        ("The hot chocolate machine gives lukewarm water", "services"),
        ("The radiator in room 2.15 is cold", "facility"),
    ]
    answers = []
    for _ in range(2):
        categorizer = LearningCategorizer(load_training_tickets(), resources)
        categorizer.learn(corrections[:2])
        categorizer.learn(corrections[2:])
        assert categorizer.wait(timeout=60)
        answers.append([categorizer.categorize(text) for text in TEXTS + [c for c, _ in corrections]])
    assert answers[0] == answers[1]
