"""Rebuild data/model.npz: calibrate by cross-validation, then fit on every training ticket.

Run after changing the training tickets, the glossary or the embedding:

    python -m ticket_store.categorizer.build
"""
from __future__ import annotations

import numpy as np

from . import CATEGORIES
from .calibration import expected_calibration_error, fit_temperature, format_reliability, reliability_table
from .language import LANGUAGES, detect_language
from .learning import MODEL_FILE, LearningCategorizer
from .model import ANY_LANGUAGE, Example, Resources, as_temperatures, fingerprint, fit_text_model
from .evaluate import read_heldout
from .training import CALIBRATION_FILES, DATA, DEV_FILES, TRAINING_FILES, read_labelled

FOLDS = 5
#: The review threshold is the highest of these at which the cross-validated training tickets and
#: the calibration tickets together have at most MOST_FLAGGED of their answers flagged.
THRESHOLDS: tuple[float, ...] = (0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.95)
MOST_FLAGGED = 0.15
#: A language needs this many training tickets for a temperature of its own.
LANGUAGE_TICKETS = 100
PARALLEL_FILES = frozenset(f"train_{language}{part}.csv" for language in ("it", "de", "fr", "es") for part in ("", "_later"))
#: Their cross-validated scores calibrate the other languages: written apart, like real tickets.
LATER_FILES = frozenset(f"train_{language}_later.csv" for language in ("it", "de", "fr", "es"))


def situation_groups(names: list[str], categories: list[str]) -> np.ndarray:
    """Return a group per training ticket, so one situation told in several languages stays in one fold.

    The Italian, German, French and Spanish files tell much the same situations in the same
    order, in runs of one category: the n-th ticket of a file's k-th run is (nearly) the n-th of
    the same run in the others. A fold must hold out such a situation in every language at once,
    or the others give it away and the cross-validated confidence (so the calibration) is too sure.
    Pairs of neighbours go together, as a file may lack a situation the others have.
    """
    groups: list[str] = []
    previous: tuple[str, str] | None = None
    run = position = 0
    for name, category in zip(names, categories):
        if previous is None or previous[0] != name:
            run = position = 0
        elif previous[1] != category:
            run, position = run + 1, 0
        else:
            position += 1
        previous = (name, category)
        later = "later " if name in LATER_FILES else ""
        groups.append(f"{later}run {run}, pair {position // 2}" if name in PARALLEL_FILES else f"{name} {len(groups)}")
    return np.unique(np.array(groups), return_inverse=True)[1]


def cross_validated_logits(
    resources: Resources, examples: list[Example], folds: int = FOLDS, groups: np.ndarray | None = None
) -> np.ndarray:
    """Return each example's raw scores from a model that did not see it (stratified, grouped, fixed seed)."""
    from sklearn.model_selection import StratifiedGroupKFold

    labels = np.array([CATEGORIES.index(example.category) for example in examples])
    groups = np.arange(len(examples)) if groups is None else groups
    logits = np.zeros((len(examples), len(CATEGORIES)))
    for train, test in StratifiedGroupKFold(folds, shuffle=True, random_state=0).split(labels, labels, groups):
        model = fit_text_model(resources, [examples[i] for i in train])
        logits[test] = model.raw_logits([examples[i].text for i in test])
    return logits


def confidence_of(model, tickets, logits: np.ndarray, language: str) -> np.ndarray:
    """Return the calibrated confidence of tickets from their raw scores, each in the language detected."""
    texts = [ticket.text for ticket in tickets]
    return model.calibrated(texts, logits, [detect_language(text) for text in texts]).max(axis=1)


def main() -> None:
    """Measure the temperature, print the cross-validated quality, fit and save the model."""
    resources = Resources.load()
    tickets, names = [], []
    for name in TRAINING_FILES:
        if (DATA / name).exists():
            found = read_labelled(DATA / name)
            tickets += found
            names += [name] * len(found)
    examples = [Example(ticket.text, ticket.category) for ticket in tickets]
    labels = np.array([CATEGORIES.index(example.category) for example in examples])
    logits = cross_validated_logits(resources, examples, groups=situation_groups(names, [ticket.category for ticket in tickets]))
    languages = np.array([detect_language(example.text) for example in examples])
    correct = logits.argmax(axis=1) == labels
    english = languages == "en"
    temperatures = {ANY_LANGUAGE: fit_temperature(logits, labels), "en": fit_temperature(logits[english], labels[english])}
    print(f"{len(examples)} training tickets, {FOLDS}-fold cross-validated accuracy {correct.mean():.3f}")
    weights = [1.0] * len(examples)
    model = fit_text_model(resources, examples, weights, temperatures)
    # The other languages are calibrated on the cross-validated scores of the tickets written
    # later and apart (train_xx_later.csv): the first ones share situations, and the model was
    # too sure of them and of the development tickets written with them.
    # Each language gets its own temperature from its own later tickets (165 each): one shared
    # temperature left some languages too sure and others too shy.
    later = np.isin(np.array(names), list(LATER_FILES))
    # Round 7: where a language has calibration tickets (calib_xx.csv, written apart and never
    # trained on), they join those cross-validated scores: the final model's scores of them.
    calibration = {
        language: [ticket for path in paths if path.exists() for ticket in read_heldout(path)]
        for language, paths in CALIBRATION_FILES.items()
    }
    calibration_logits = {
        language: model.raw_logits([ticket.text for ticket in found]) for language, found in calibration.items()
    }
    calibration_labels = {
        language: np.array([CATEGORIES.index(ticket.category) for ticket in found]) for language, found in calibration.items()
    }
    for language in ("en", *DEV_FILES):
        mine = (languages == language) & (later if language != "en" else True)
        pooled_logits, pooled_labels = logits[mine], labels[mine]
        if language in calibration:
            pooled_logits = np.vstack([pooled_logits, calibration_logits[language]])
            pooled_labels = np.concatenate([pooled_labels, calibration_labels[language]])
        temperatures[language] = fit_temperature(pooled_logits, pooled_labels)
    dev = [(language, ticket) for language, path in DEV_FILES.items() for ticket in read_heldout(path)]
    dev_logits = model.raw_logits([ticket.text for _, ticket in dev])
    dev_labels = np.array([CATEGORIES.index(ticket.category) for _, ticket in dev])
    model.temperatures = as_temperatures(temperatures)  # the fit does not depend on them
    print(f"temperatures {temperatures}")
    dev_languages = [language for language, _ in dev]
    dev_confidence = model.calibrated([t.text for _, t in dev], dev_logits, dev_languages).max(axis=1)
    dev_correct = dev_logits.argmax(axis=1) == dev_labels
    for language in DEV_FILES:
        mine = np.array(dev_languages) == language
        print(f"development {language}: {mine.sum()} tickets, accuracy {dev_correct[mine].mean():.3f}, calibration "
              f"error {expected_calibration_error(dev_confidence[mine], dev_correct[mine]):.3f}")
    scaled = np.exp(logits - logits.max(axis=1, keepdims=True))
    raw = (scaled / scaled.sum(axis=1, keepdims=True)).max(axis=1)
    calibrated = model.calibrated([e.text for e in examples], logits, languages.tolist()).max(axis=1)
    for name, confidence in (("raw", raw), ("calibrated", calibrated)):
        print(f"\n{name} cross-validated (expected calibration error {expected_calibration_error(confidence, correct):.3f})")
        print(format_reliability(reliability_table(confidence, correct)))
    tuned = [(confidence_of(model, calibration[language], calibration_logits[language], language),
              calibration_logits[language].argmax(axis=1) == calibration_labels[language]) for language in calibration]
    tuning_confidence = np.concatenate([calibrated, *(c for c, _ in tuned)])
    tuning_correct = np.concatenate([correct, *(ok for _, ok in tuned)])
    chosen = THRESHOLDS[0]
    for threshold in THRESHOLDS:
        flagged = tuning_confidence < threshold
        share = flagged.mean()
        print(f"review flag below {threshold}: {share:.1%} of cross-validated and calibration tickets flagged, "
              f"catches {(flagged & ~tuning_correct).sum()} of {(~tuning_correct).sum()} errors")
        if share <= MOST_FLAGGED:
            chosen = threshold
    print(f"review threshold by the rule (at most {MOST_FLAGGED:.0%} flagged): {chosen}; "
          f"LearningCategorizer.review_threshold is {LearningCategorizer.review_threshold}")
    for language in calibration:
        c, ok = tuned[list(calibration).index(language)]
        print(f"calibration {language}: {len(ok)} tickets, accuracy {ok.mean():.3f}, calibration error "
              f"{expected_calibration_error(c, ok):.3f}")
    for threshold in (0.75, chosen):
        flagged = dev_confidence < threshold
        print(f"development tickets, review flag below {threshold}: {flagged.sum()} flagged, catches "
              f"{(flagged & ~dev_correct).sum()} of {(~dev_correct).sum()} errors")
    for language in LANGUAGES:
        mine = languages == language
        print(f"{language}: {mine.sum()} tickets, cross-validated accuracy {correct[mine].mean():.3f}, "
              f"calibration error {expected_calibration_error(calibrated[mine], correct[mine]):.3f}")
    model.save(MODEL_FILE, fingerprint(resources, examples, weights))
    print(f"\nwrote {MODEL_FILE}")


if __name__ == "__main__":
    main()
