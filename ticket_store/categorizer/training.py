"""Read the labelled tickets the categorizer learns from."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import NamedTuple

from . import CATEGORIES

DATA = Path(__file__).resolve().parent / "data"
#: Two training sets written independently from the category guide; a missing one is skipped.
TRAINING_FILES: tuple[str, ...] = ("train_a.csv", "train_b.csv")
HELDOUT_FILE = DATA / "heldout.csv"


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
