"""Read the labelled tickets the categorizer learns from."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import NamedTuple

from . import CATEGORIES

DATA = Path(__file__).resolve().parent / "data"
#: Two English training sets written independently from the category guide, and one per other
#: language the helpdesk reads; a missing one is skipped.
#: train_xx_later.csv hold tickets written later and apart, with situations the first ones lack
#: (held-out sets of earlier rounds, docs/categorizer.md): the calibration of those languages is
#: fitted on their cross-validated scores.
TRAINING_FILES: tuple[str, ...] = (
    "train_a.csv", "train_b.csv", "train_c.csv",
    *(f"train_{language}{part}.csv" for part in ("", "_later") for language in ("it", "de", "fr", "es")),
)
HELDOUT_FILE = DATA / "heldout.csv"
#: The held-out tickets of each language, never trained or tuned on (English is the original set).
HELDOUT_FILES: dict[str, Path] = {
    "en": HELDOUT_FILE,
    **{language: DATA / f"heldout_{language}.csv" for language in ("it", "de", "fr", "es")},
}
#: Development tickets of the other languages: independent of the training tickets like real ones,
#: they set the calibration of those languages; never trained on, and not the held-out measure.
DEV_FILES: dict[str, Path] = {language: DATA / f"dev_{language}.csv" for language in ("it", "de", "fr", "es")}


class LabelledTicket(NamedTuple):
    """A ticket text with the category the guide gives it."""

    text: str
    category: str


def read_labelled(path: Path) -> list[LabelledTicket]:
    """Return the rows of a text,category CSV file, refusing unknown categories."""
    with open(path, newline="", encoding="utf-8") as file:
        rows = [LabelledTicket(row["text"].strip(), row["category"].strip()) for row in csv.DictReader(file)]
    unknown = {row.category for row in rows} - set(CATEGORIES)
    if unknown:
        raise ValueError(f"{path.name} has unknown categories: {sorted(unknown)}")
    return [row for row in rows if row.text]


def load_training_tickets(directory: Path = DATA) -> list[LabelledTicket]:
    """Return every training ticket, in file order."""
    tickets: list[LabelledTicket] = []
    for name in TRAINING_FILES:
        if (directory / name).exists():
            tickets += read_labelled(directory / name)
    return tickets
