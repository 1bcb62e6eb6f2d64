"""Measure the categorizer on the held-out tickets of each language: `campus-helpdesk eval-categorizer` prints it."""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from . import CATEGORIES, Categorization, Categorizer
from .calibration import ReliabilityBin, expected_calibration_error, format_reliability, reliability_table
from .language import NAMES
from .training import HELDOUT_FILE, HELDOUT_FILES

_TRUE = {"1", "true", "yes", "y", "hard"}


@dataclass(frozen=True)
class HeldoutTicket:
    """A held-out ticket: its text, the category the guide gives it, and whether it is a hard case."""

    text: str
    category: str
    hard: bool


@dataclass(frozen=True)
class CategoryScore:
    """Precision and recall of one category."""

    precision: float
    recall: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """How the categorizer did on the held-out tickets."""

    tickets: int
    accuracy: float
    hard_tickets: int
    hard_accuracy: float
    per_category: dict[str, CategoryScore]
    #: confusion[true][predicted], in CATEGORIES order.
    confusion: list[list[int]]
    reliability: list[ReliabilityBin]
    calibration_error: float
    flagged: int
    #: Wrong categories, and how many of them the review flag marked for staff.
    errors: int
    errors_flagged: int
    #: How many tickets the language detector gave each language.
    languages: dict[str, int]
    accuracy_unflagged: float
    baseline_accuracy: float | None
    seconds: float


def read_heldout(path: Path = HELDOUT_FILE) -> list[HeldoutTicket]:
    """Return the held-out tickets (columns text, category, hard)."""
    with open(path, newline="", encoding="utf-8") as file:
        tickets = [
            HeldoutTicket(row["text"].strip(), row["category"].strip(), (row.get("hard") or "").strip().lower() in _TRUE)
            for row in csv.DictReader(file)
        ]
    unknown = {ticket.category for ticket in tickets} - set(CATEGORIES)
    if unknown:
        raise ValueError(f"{path.name} has unknown categories: {sorted(unknown)}")
    return [ticket for ticket in tickets if ticket.text]


def _accuracy(predicted: Sequence[str], tickets: Sequence[HeldoutTicket]) -> float:
    return float(np.mean([p == t.category for p, t in zip(predicted, tickets)])) if tickets else float("nan")


def evaluate(
    categorizer: Categorizer | None = None,
    path: Path = HELDOUT_FILE,
    baseline: bool = True,
) -> Evaluation:
    """Categorize every held-out ticket and return accuracy, per-category scores and calibration."""
    from . import load_categorizer
    from .keywords import KeywordCategorizer

    tickets = read_heldout(path)
    categorizer = categorizer or load_categorizer()
    started = time.perf_counter()
    results: list[Categorization] = categorizer.categorize_many([ticket.text for ticket in tickets])
    seconds = time.perf_counter() - started
    predicted = [result.category for result in results]
    truth = [ticket.category for ticket in tickets]
    confusion = [[sum(1 for t, p in zip(truth, predicted) if t == row and p == column) for column in CATEGORIES] for row in CATEGORIES]
    per_category = {}
    for i, category in enumerate(CATEGORIES):
        called = sum(confusion[row][i] for row in range(len(CATEGORIES)))
        support = sum(confusion[i])
        per_category[category] = CategoryScore(
            precision=confusion[i][i] / called if called else float("nan"),
            recall=confusion[i][i] / support if support else float("nan"),
            support=support,
        )
    confidence = np.array([result.confidence for result in results])
    correct = np.array([p == t for p, t in zip(predicted, truth)])
    unflagged = confidence >= categorizer.review_threshold
    hard = [(p, t) for p, t in zip(predicted, tickets) if t.hard]
    baseline_accuracy = None
    if baseline:
        keywords = KeywordCategorizer().categorize_many([ticket.text for ticket in tickets])
        baseline_accuracy = _accuracy([result.category for result in keywords], tickets)
    return Evaluation(
        tickets=len(tickets),
        accuracy=float(correct.mean()) if len(tickets) else float("nan"),
        hard_tickets=len(hard),
        hard_accuracy=_accuracy([p for p, _ in hard], [t for _, t in hard]),
        per_category=per_category,
        confusion=confusion,
        reliability=reliability_table(confidence, correct),
        calibration_error=expected_calibration_error(confidence, correct) if len(tickets) else float("nan"),
        flagged=int((~unflagged).sum()),
        errors=int((~correct).sum()),
        errors_flagged=int((~correct & ~unflagged).sum()),
        languages=dict(Counter(result.language for result in results).most_common()),
        accuracy_unflagged=float(correct[unflagged].mean()) if unflagged.any() else float("nan"),
        baseline_accuracy=baseline_accuracy,
        seconds=seconds,
    )


def format_report(evaluation: Evaluation) -> str:
    """Return the evaluation as text a person reads."""
    e = evaluation
    width = max(len(category) for category in CATEGORIES)
    lines = [
        f"Held-out tickets: {e.tickets}   accuracy {e.accuracy:.1%}",
        f"Hard tickets:     {e.hard_tickets}   accuracy {e.hard_accuracy:.1%}",
    ]
    if e.baseline_accuracy is not None:
        lines.append(f"Keyword rules on the same tickets: accuracy {e.baseline_accuracy:.1%}")
    lines += ["", f"{'category':<{width}}  precision  recall  tickets"]
    for category, score in e.per_category.items():
        lines.append(f"{category:<{width}}  {score.precision:9.1%}  {score.recall:6.1%}  {score.support:7d}")
    lines += ["", "confusion (rows: true category, columns: assigned)", " " * width + "".join(f"{c:>10}" for c in CATEGORIES)]
    for category, row in zip(CATEGORIES, e.confusion):
        lines.append(f"{category:<{width}}" + "".join(f"{n:>10d}" for n in row))
    lines += [
        "",
        f"calibration (expected calibration error {e.calibration_error:.3f})",
        format_reliability(e.reliability),
        "",
        f"flagged for review (confidence below threshold): {e.flagged} of {e.tickets}; "
        f"accuracy of the rest {e.accuracy_unflagged:.1%}; {e.errors_flagged} of {e.errors} errors flagged",
        "languages detected: " + ", ".join(f"{NAMES.get(language, language)} {n}" for language, n in e.languages.items()),
        f"time: {e.seconds * 1000 / max(e.tickets, 1):.2f} ms per ticket in bulk",
    ]
    return "\n".join(lines)


def evaluate_languages(
    categorizer: Categorizer | None = None, files: dict[str, Path] = HELDOUT_FILES
) -> dict[str, Evaluation]:
    """Evaluate on the held-out tickets of each language whose file exists."""
    from . import load_categorizer

    categorizer = categorizer or load_categorizer()
    return {language: evaluate(categorizer, path) for language, path in files.items() if path.exists()}


def format_summary(evaluations: dict[str, Evaluation]) -> str:
    """Return one line per language: accuracy, hard tickets, calibration error, errors flagged."""
    lines = ["language  tickets  accuracy  hard     calibration error  errors flagged  detected as its language"]
    for language, e in evaluations.items():
        detected = e.languages.get(language, 0)
        lines.append(
            f"{NAMES[language]:<8}  {e.tickets:7d}  {e.accuracy:8.1%}  {e.hard_accuracy:6.1%}  {e.calibration_error:17.3f}"
            f"  {e.errors_flagged:6d} of {e.errors:<4d}  {detected} of {e.tickets}"
        )
    errors = sum(e.errors for e in evaluations.values())
    flagged = sum(e.errors_flagged for e in evaluations.values())
    lines.append(f"all       {sum(e.tickets for e in evaluations.values()):7d}  review flag caught {flagged} of {errors} errors")
    return "\n".join(lines)


def print_report(path: Path | None = None, language: str | None = None) -> Evaluation:
    """Evaluate the store's categorizer and print the report: one file, one language, or every language."""
    from . import load_categorizer

    if path is not None:
        evaluation = evaluate(path=path)
        print(format_report(evaluation))
        return evaluation
    categorizer = load_categorizer()
    files = {language: HELDOUT_FILES[language]} if language else HELDOUT_FILES
    evaluations = evaluate_languages(categorizer, files)
    print(format_summary(evaluations))
    for name, evaluation in evaluations.items():
        print(f"\n== {NAMES[name]} ({files[name].name}) ==")
        print(format_report(evaluation))
    return next(iter(evaluations.values()))


def main(argv: Sequence[str] | None = None) -> int:
    """Evaluate on every language's held-out CSV, one language's, or the text,category[,hard] file in *argv*."""
    parser = argparse.ArgumentParser(prog="eval-categorizer", description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=None, help="CSV with text,category,hard")
    parser.add_argument("--language", choices=sorted(HELDOUT_FILES), help="only this language's held-out tickets")
    arguments = parser.parse_args(list(argv or []))
    print_report(arguments.path, arguments.language)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
