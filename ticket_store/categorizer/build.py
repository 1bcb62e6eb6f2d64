"""Rebuild data/model.npz: calibrate by cross-validation, then fit on every training ticket.

Run after changing the training tickets, the glossary or the embedding:

    python -m ticket_store.categorizer.build
"""
from __future__ import annotations

import numpy as np

from . import CATEGORIES
from .calibration import expected_calibration_error, fit_temperature, format_reliability, reliability_table
from .learning import MODEL_FILE
from .model import Example, Resources, fingerprint, fit_text_model
from .training import load_training_tickets

FOLDS = 5


def cross_validated_logits(resources: Resources, examples: list[Example], folds: int = FOLDS) -> np.ndarray:
    """Return each example's raw scores from a model that did not see it (stratified, fixed seed)."""
    from sklearn.model_selection import StratifiedKFold

    labels = np.array([CATEGORIES.index(example.category) for example in examples])
    logits = np.zeros((len(examples), len(CATEGORIES)))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(labels, labels):
        model = fit_text_model(resources, [examples[i] for i in train])
        logits[test] = model.raw_logits([examples[i].text for i in test])
    return logits


def main() -> None:
    """Measure the temperature, print the cross-validated quality, fit and save the model."""
    resources = Resources.load()
    examples = [Example(ticket.text, ticket.category) for ticket in load_training_tickets()]
    labels = np.array([CATEGORIES.index(example.category) for example in examples])
    logits = cross_validated_logits(resources, examples)
    temperature = fit_temperature(logits, labels)
    print(f"{len(examples)} training tickets, {FOLDS}-fold cross-validated accuracy "
          f"{(logits.argmax(axis=1) == labels).mean():.3f}, temperature {temperature}")
    for name, t in (("raw", 1.0), ("calibrated", temperature)):
        scaled = np.exp(logits / t - (logits / t).max(axis=1, keepdims=True))
        confidence = (scaled / scaled.sum(axis=1, keepdims=True)).max(axis=1)
        correct = logits.argmax(axis=1) == labels
        print(f"\n{name} (expected calibration error {expected_calibration_error(confidence, correct):.3f})")
        print(format_reliability(reliability_table(confidence, correct)))
    weights = [1.0] * len(examples)
    model = fit_text_model(resources, examples, weights, temperature)
    model.save(MODEL_FILE, fingerprint(resources, examples, weights))
    print(f"\nwrote {MODEL_FILE}")


if __name__ == "__main__":
    main()
