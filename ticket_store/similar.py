"""Which words of a report count when looking for tickets about the same problem, and how alike two texts are."""
from __future__ import annotations

import re
import unicodedata

#: Words that say nothing about which problem it is.
STOP_WORDS = frozenset("""
a about after again all also am an and any are as at be been but by can cannot cant could did do does doesnt dont
for from get gets getting got had has have having help hello hi how i im is isnt it its ive just keep keeps like me
my no not now of on one or our out please so some still that the their them then there this to too up us very was
wasnt we were what when where which while who why will with wont would you your yes thanks thank since again today
yesterday anyone someone something room building floor near next work works working broken problem
problems issue issues down fix fixed
""".split())
#: Endings taken off so printer, printers and printing meet.
ENDINGS = ("ings", "ing", "ers", "er", "ies", "es", "ed", "s")
MAX_WORDS = 12
WORD = re.compile(r"\w+(?:[-'’.]\w+)*")


def fold(text: str) -> str:
    """Lowercase *text* and take accents off (café = cafe)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def stem(word: str) -> str:
    """Return the start of *word* its forms share (at most 7 characters)."""
    for ending in ENDINGS:
        if len(word) - len(ending) >= 4 and word.endswith(ending):
            word = word[: -len(ending)]
            break
    return word[:7]


def key_words(text: str, limit: int = MAX_WORDS) -> list[str]:
    """Return the stems of the words of *text* that name the problem, longest (most telling) first."""
    stems: dict[str, None] = {}
    for match in WORD.finditer(fold(text)):
        word = re.sub(r"[-'’.]", "", match.group())
        if len(word) < 3 or word in STOP_WORDS or word.isdigit() and len(word) < 3:
            continue
        stems.setdefault(stem(word), None)
    return sorted(stems, key=len, reverse=True)[:limit]


def location_words(location: str | None) -> set[str]:
    """Return the words of a location (building names and room numbers count, however short)."""
    if not location:
        return set()
    return {re.sub(r"[-'’.]", "", word) for word in WORD.findall(fold(location))} - {"the", "room", "floor", "of"}
