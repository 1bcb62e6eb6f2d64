"""Quality floors on the held-out tickets, which the categorizer never trains on."""
from __future__ import annotations

import numpy as np
import pytest

from ticket_store.categorizer import CATEGORIES
from ticket_store.categorizer.evaluate import evaluate, format_report, read_heldout
from ticket_store.categorizer.training import load_training_tickets

GOAL_ACCURACY = 0.95
GOAL_HARD_ACCURACY = 0.90


@pytest.fixture(scope="module")
def evaluation(categorizer):
    return evaluate(categorizer)


def test_heldout_tickets_are_not_training_tickets():
    training = {ticket.text.casefold() for ticket in load_training_tickets()}
    assert not [ticket.text for ticket in read_heldout() if ticket.text.casefold() in training]


def test_heldout_accuracy_meets_the_goal(evaluation):
    assert evaluation.accuracy >= GOAL_ACCURACY, format_report(evaluation)


def test_hard_heldout_accuracy_meets_the_goal(evaluation):
    assert evaluation.hard_tickets > 0
    assert evaluation.hard_accuracy >= GOAL_HARD_ACCURACY, format_report(evaluation)


def test_beats_keyword_rules(evaluation):
    assert evaluation.accuracy > evaluation.baseline_accuracy + 0.1


def test_every_category_is_found_and_precise(evaluation):
    for category in CATEGORIES:
        assert evaluation.per_category[category].recall >= 0.9, category
        assert evaluation.per_category[category].precision >= 0.9, category
    assert sum(map(sum, evaluation.confusion)) == evaluation.tickets


def test_confidence_is_calibrated(evaluation):
    """Stated confidence and accuracy agree: low error overall, and confident answers are right."""
    assert evaluation.calibration_error <= 0.05, format_report(evaluation)
    confident = [b for b in evaluation.reliability if b.low >= 0.9 and b.count]
    count = sum(b.count for b in confident)
    accuracy = sum(b.accuracy * b.count for b in confident) / count
    stated = sum(b.mean_confidence * b.count for b in confident) / count
    assert accuracy >= stated - 0.05, format_report(evaluation)


def test_review_flag_catches_errors(evaluation):
    """Tickets above the review threshold are more accurate than all tickets together."""
    assert evaluation.accuracy_unflagged >= evaluation.accuracy
    assert evaluation.flagged <= 0.2 * evaluation.tickets


def test_report_prints_every_number(evaluation):
    report = format_report(evaluation)
    for needle in ["accuracy", "Hard tickets", "precision", "confusion", *CATEGORIES]:
        assert needle in report
    assert np.isfinite(evaluation.accuracy)


def test_command_line_prints_the_report(capsys):
    from ticket_store.categorizer.evaluate import main

    assert main([]) == 0
    printed = capsys.readouterr().out
    assert "Held-out tickets: " in printed and "confusion" in printed
    for language in ("English", "Italian", "German", "French", "Spanish"):
        assert f"== {language} (" in printed


def test_command_line_evaluates_one_language(capsys):
    from ticket_store.categorizer.evaluate import main

    assert main(["--language", "de"]) == 0
    printed = capsys.readouterr().out
    assert "== German (heldout8_de.csv) ==" in printed and "English" not in printed
