"""Function words of each language the helpdesk reads: they tell the language, never the problem."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LISTS: dict[str, str] = {
    "en": """a about after again all also am an and any are as at be been before being but by can cannot could did
        do does doing don during each even every few for from get gets got had has have having he her here hers him
        his how i if im in into is isn it its itself just keep keeps last like me more most my no nor not now of off
        on once one only or other our out over own please same she should since so some still such than that the
        their them then there these they this those through to too under until up us very was we were what when
        where which while who why will with would yet you your i'm it's there's can't don't doesn't won't isn't""",
    "it": """a ad al alla alle allo ai agli all anche ancora che chi ci cui con col coi come da dal dalla dalle dai
        degli dei del della delle dello di e ed è era erano essere fa fra gli ha hanno ho i il in io la le lo loro
        ma mi mia mie miei mio ne negli nei nel nella nelle nello noi non nostro o per perché più piu poi quando
        quel quella quelle quelli quello questa queste questi questo se sei si sia siamo sono su sua sue sui sul
        sulla sulle suo suoi ti tra tu tutta tutte tutti tutto un una uno vi voi già sempre molto oggi dopo""",
    "de": """aber alle allem allen aller alles als also am an auch auf aus bei beim bis bitte da damit dann das
        dass dem den denn der des dich die dir doch du durch ein eine einem einen einer eines er es euch für hat
        hatte haben habe hier ich ihm ihn ihr im in ist ja jetzt kann kein keine man mein meine meinem meinen
        mich mir mit nach nicht noch nur ob oder schon sehr sein seit sich sie sind so um und uns unser vom von
        vor war waren was weil wenn wer wie wieder wir wird wo zu zum zur über immer heute seit""",
    "fr": """à a au aux avec ce ces cela ça c'est dans de des du elle elles en est et été être il ils je j'ai la le
        les leur leurs lui ma mais me même mes moi mon ne ni nos notre nous on ont ou où par pas pour qu que qui
        sa se ses si son sont sur ta te tes toi ton tous tout toute toutes très tu un une vos votre vous y depuis
        encore plus toujours aujourd'hui""",
    "es": """a al algo como con cual cuando de del desde donde el ella ellas ellos en entre era es esa ese eso esta
        está están este esto estos hay la las le les lo los me mi mis muy más mas nada ni no nos nosotros o os para
        pero por porque que qué se sea ser si sí sin sobre son su sus también te tu tus un una uno unos unas y ya
        yo siempre todavía hoy otra vez""",
    # Not categorized separately, but known, so they are not taken for one of the languages above.
    "pt": """não uma com para por mas muito está estão você ele ela isso isto nós os as ao aos da das do dos na nas
        no nos em é são foi tem meu minha meus minhas seu sua pelo pela dele dela também já""",
    "nl": """de het een en van is niet op te dat die met voor zijn maar ook er wat als bij nog wel geen naar kan
        mijn ik je we zij""",
}


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Return *word* lower-cased without accents, as the lists compare words."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("’", "'"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


FUNCTION_WORDS: dict[str, frozenset[str]] = {
    language: frozenset(fold(word) for word in words.split()) for language, words in _LISTS.items()
}
#: Every function word of every language, accents removed.
ANY_LANGUAGE: frozenset[str] = frozenset().union(*FUNCTION_WORDS.values())
_WORD = re.compile(r"\w+(?:'\w+)?")


def words(text: str) -> list[str]:
    """Return the words of *text*, folded; an elided article stays with its word ("l'aula")."""
    return [fold(word) for word in _WORD.findall(text.replace("’", "'"))]


def is_function_word(word: str) -> bool:
    """Return whether *word* is a function word of any language the helpdesk reads."""
    folded = fold(word)
    return folded in ANY_LANGUAGE or ("'" in folded and folded.split("'", 1)[0] in ANY_LANGUAGE and not folded.split("'", 1)[1])


def content_words(text: str) -> list[str]:
    """Return the words of *text* that carry meaning: not function words of any language, not numbers alone."""
    found = []
    for word in words(text):
        # "l'aula" → "aula", "dell'edificio" → "edificio".
        if "'" in word:
            head, tail = word.split("'", 1)
            word = tail if head in ANY_LANGUAGE or len(head) <= 4 else word
        if word and word not in ANY_LANGUAGE and not word.isdigit():
            found.append(word)
    return found


#: The words dropped before the model reads a text: function words of the other languages, which
#: said which language a ticket was in and so pulled it to the category most written in it.
#: English ones stay: the English tickets were fitted and calibrated with them.
DROPPED: frozenset[str] = ANY_LANGUAGE - FUNCTION_WORDS["en"]
_TOKEN = re.compile(r"\w+")
# An elided article or preposition before a word: l'aula, dell'edificio, d'eau, qu'il, j'ai.
_ELIDED = re.compile(r"\b(?:[ldjcmnst]|qu|dell|nell|dall|sull|all|quell|un)['’](?=\w)", re.IGNORECASE)


def without_function_words(text: str) -> str:
    """Return *text* without the function words of other languages than English."""
    text = _ELIDED.sub("", text)
    return _TOKEN.sub(lambda match: "" if fold(match.group()) in DROPPED else match.group(), text)
