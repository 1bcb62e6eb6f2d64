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
    "train_a.csv", "train_b.csv", "train_c.csv", "train_de_more.csv",
    *(f"train_{language}{part}.csv" for part in ("", "_later") for language in ("it", "de", "fr", "es")),
)
HELDOUT_FILE = DATA / "heldout.csv"
#: The held-out tickets of each language, never trained or tuned on (English is the original set).
HELDOUT_FILES: dict[str, Path] = {
    "en": HELDOUT_FILE,
    **{language: DATA / f"heldout_{language}.csv" for language in ("it", "es")},
    # German and French: held-out set 8 (round 8). Sets 6 and 7 were scored in rounds 6 and 7 and
    # stay as they were, in EARLIER_HELDOUT_FILES.
    **{language: DATA / f"heldout8_{language}.csv" for language in ("de", "fr")},
}
#: Held-out sets already scored and since replaced: never trained or tuned on, still reported.
EARLIER_HELDOUT_FILES: dict[str, Path] = {
    f"{language}-{number}": DATA / f"heldout{'' if number == 6 else number}_{language}.csv"
    for number in (6, 7) for language in ("de", "fr")
}
#: Development tickets of the other languages: independent of the training tickets like real ones,
#: they set the calibration of those languages; never trained on, and not the held-out measure.
DEV_FILES: dict[str, Path] = {language: DATA / f"dev_{language}.csv" for language in ("it", "de", "fr", "es")}
#: Calibration tickets, written apart from the training tickets and committed before any tuning:
#: with the cross-validated scores they set their language's temperature and the review threshold;
#: never trained on, and not a held-out measure. calib_xx.csv from round 7; calib2_xx.csv from
#: round 8, with as many tie-breakers as the held-out sets (round 7's were mostly plain cases).
CALIBRATION_FILES: dict[str, tuple[Path, ...]] = {
    "en": (DATA / "calib_en.csv",),
    **{language: (DATA / f"calib_{language}.csv", DATA / f"calib2_{language}.csv") for language in ("de", "fr")},
}


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
