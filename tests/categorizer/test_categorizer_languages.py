"""Tickets in Italian, German, French and Spanish as well as English: quality, honest confidence, explanations."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticket_store.categorizer.evaluate import evaluate_languages, format_report, format_summary, read_heldout
from ticket_store.categorizer.function_words import FUNCTION_WORDS, content_words, fold
from ticket_store.categorizer.model import SHORT_CAP
from ticket_store.categorizer.training import (
    CALIBRATION_FILES, DEV_FILES, EARLIER_HELDOUT_FILES, HELDOUT_FILES, load_training_tickets,
)

OTHER_LANGUAGES = ("it", "de", "fr", "es")
GOAL_ACCURACY = {"en": 0.96, "it": 0.92, "de": 0.92, "fr": 0.92, "es": 0.92}
GOAL_HARD_ACCURACY = 0.92
GOAL_CALIBRATION_ERROR = 0.05
#: Round 8 (docs/categorizer.md) met every goal on the held-out sets, so the tests assert the goals.
#: German's calibration error is 0.0499 there: at the edge, and 0.04-0.10 on the earlier German sets.
GOAL_ERRORS_FLAGGED = 0.5


@pytest.fixture(scope="module")
def evaluations(categorizer):
    return evaluate_languages(categorizer)


def test_every_language_has_its_own_held_out_tickets_apart_from_training():
    training = {ticket.text.casefold() for ticket in load_training_tickets()}
    for language, path in {**HELDOUT_FILES, **EARLIER_HELDOUT_FILES}.items():
        tickets = read_heldout(path)
        assert len(tickets) >= 50, language
        assert {ticket.category for ticket in tickets} == {"facility", "it", "services"}, language
        assert not [ticket.text for ticket in tickets if ticket.text.casefold() in training], language


def test_calibration_and_development_tickets_are_neither_trained_on_nor_held_out():
    training = {ticket.text.casefold() for ticket in load_training_tickets()}
    held_out = {ticket.text.casefold() for path in HELDOUT_FILES.values() for ticket in read_heldout(path)}
    earlier = {ticket.text.casefold() for path in EARLIER_HELDOUT_FILES.values() for ticket in read_heldout(path)}
    tuning = [*(path for paths in CALIBRATION_FILES.values() for path in paths), *DEV_FILES.values()]
    for path in tuning:
        texts = {ticket.text.casefold() for ticket in read_heldout(path)}
        assert len(texts) >= 30, path.name
        assert not texts & held_out, path.name
        # Three round-7 calibration tickets, written apart, came out word for word as older tickets:
        # two as training tickets, one as a French set-6 ticket (docs/categorizer.md counts them).
        assert len(texts & training) + len(texts & earlier) <= 0.035 * len(texts), (path.name, texts & (training | earlier))


@pytest.mark.parametrize("language", list(GOAL_ACCURACY))
def test_accuracy_in_each_language_meets_the_goal(evaluations, language):
    """Goal: 92 % in Italian, German, French and Spanish, 96 % in English."""
    evaluation = evaluations[language]
    assert evaluation.accuracy >= GOAL_ACCURACY[language], format_summary(evaluations) + "\n" + format_report(evaluation)


def test_hard_english_tickets_meet_the_goal(evaluations):
    """The goal for hard tickets is set on the English set; the other languages' are in the summary."""
    evaluation = evaluations["en"]
    assert evaluation.hard_tickets > 0
    assert evaluation.hard_accuracy >= GOAL_HARD_ACCURACY, format_summary(evaluations)


@pytest.mark.parametrize("language", list(GOAL_ACCURACY))
def test_confidence_is_calibrated_in_each_language(evaluations, language):
    """Goal: ECE at most 0.05 in every language."""
    evaluation = evaluations[language]
    assert evaluation.calibration_error <= GOAL_CALIBRATION_ERROR, format_report(evaluation)


def test_review_flag_catches_at_least_half_of_the_errors(evaluations):
    """Goal: the review flag catches at least half of the errors, flagging at most a fifth of the tickets."""
    errors = sum(e.errors for e in evaluations.values())
    flagged = sum(e.errors_flagged for e in evaluations.values())
    assert errors > 0 and flagged >= GOAL_ERRORS_FLAGGED * errors, format_summary(evaluations)
    assert sum(e.flagged for e in evaluations.values()) <= 0.2 * sum(e.tickets for e in evaluations.values())


def test_the_language_of_each_held_out_set_is_detected(evaluations):
    for language in OTHER_LANGUAGES:
        evaluation = evaluations[language]
        assert evaluation.languages.get(language, 0) >= 0.95 * evaluation.tickets, (language, evaluation.languages)
    # The English set holds a dozen tickets in other languages; the rest are English.
    assert evaluations["en"].languages["en"] >= 0.95 * evaluations["en"].tickets


SHORT_TEXTS = [
    "the lift in bui",
    "wifi down",
    "printer",
    "toilet blocked",
    "canteen rude staff",
    "stampante rotta",
    "Heizung kaputt",
    "wifi ne marche pas",
    "comedor carísimo",
    "eduroam eduroam eduroam",
    "WIFI!!! DOWN!!!",
]


@pytest.mark.parametrize("text", SHORT_TEXTS)
def test_named_short_texts_are_never_very_sure(categorizer, text):
    assert len(content_words(text)) < 4
    assert categorizer.categorize(text).confidence <= SHORT_CAP + 1e-9


def _vocabulary() -> list[str]:
    """Return words of the training tickets in every language, the words a short ticket is made of."""
    words = sorted({word for ticket in load_training_tickets() for word in re.findall(r"\w+", ticket.text.lower())})
    return words[::7]


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_vocabulary()), min_size=1, max_size=3), st.sampled_from([" ", "  ", ", ", "\n"]))
def test_no_text_of_fewer_than_four_words_is_more_than_ninety_percent_sure(categorizer, words, separator):
    text = separator.join(words)
    assert categorizer.categorize(text).confidence <= SHORT_CAP + 1e-9
    assert all(result.confidence <= SHORT_CAP + 1e-9 for result in categorizer.categorize_many([text, text.upper()]))


_QUOTED = re.compile(r"“([^”]+)”")


def _cited_words(explanation: list[str]) -> list[str]:
    """Return the words an explanation cites as evidence (not the similar ticket it quotes)."""
    cited = [sentence for sentence in explanation if sentence.startswith("Words that point to")]
    return [word for sentence in cited for phrase in _QUOTED.findall(sentence) for word in phrase.split()]


def test_explanations_never_cite_a_function_word(categorizer):
    texts = [ticket.text for path in HELDOUT_FILES.values() for ticket in read_heldout(path)]
    every_function_word = set().union(*FUNCTION_WORDS.values())
    cited_any = 0
    for text, result in zip(texts, categorizer.categorize_many(texts, explain=True)):
        cited = _cited_words(result.explanation)
        cited_any += bool(cited)
        assert not [word for word in cited if fold(word) in every_function_word], (text, result.explanation)
    assert cited_any >= 0.8 * len(texts)


@pytest.mark.parametrize(
    ("text", "category", "problem_words"),
    [
        ("Ci sono scarafaggi nella cucina della mensa, li ho visti vicino al lavello", "facility", ("scarafaggi",)),
        # The car park's surface is the problem here, so "parking" is evidence too (guide: car park surface).
        ("Il y a des trous énormes dans le parking, on abîme les voitures", "facility", ("trous", "parking")),
        ("La basura de la residencia lleva días sin recogerse y huele", "facility", ("basura",)),
        ("Das WLAN in der Mensa bricht dauernd ab", "it", ("wlan",)),
    ],
)
def test_other_languages_follow_the_problem_not_the_language(categorizer, text, category, problem_words):
    result = categorizer.categorize(text)
    assert result.category == category, result
    cited = [fold(word) for word in _cited_words(result.explanation)]
    assert any(problem in word for problem in problem_words for word in cited), result.explanation


# A nickname no training ticket uses, in each language: the research group's build server.
LEARNING_CASES = {
    "it": (["Marvin fa di nuovo i capricci da stamattina, nessuno del gruppo riesce a usarlo",
            "Marvin fa i capricci tutto il pomeriggio e non risponde a nessuno",
            "Marvin fa i capricci ogni volta che siamo in più di cinque"],
           "Marvin ha ricominciato a fare i capricci dopo pranzo"),
    "de": (["Marvin zickt schon wieder seit heute Morgen, keiner in der Gruppe kommt an ihn ran",
            "Marvin zickt den ganzen Nachmittag und antwortet niemandem",
            "Marvin zickt jedes Mal, wenn mehr als fünf von uns gleichzeitig was wollen"],
           "Marvin zickt schon wieder, seit heute Mittag"),
    "fr": (["Marvin fait encore des caprices depuis ce matin, personne du groupe n'arrive à l'utiliser",
            "Marvin fait des caprices tout l'après-midi et ne répond à personne",
            "Marvin fait des caprices dès qu'on est plus de cinq dessus"],
           "Marvin refait des caprices depuis le déjeuner"),
    "es": (["Marvin vuelve a tener berrinches desde esta mañana, nadie del grupo consigue usarlo",
            "Marvin tiene berrinches toda la tarde y no responde a nadie",
            "Marvin tiene berrinches cada vez que somos más de cinco"],
           "Marvin ha vuelto a tener berrinches después de comer"),
}


@pytest.mark.parametrize("language", list(LEARNING_CASES))
def test_corrections_in_another_language_teach_it(fresh_categorizer, language):
    corrections, later = LEARNING_CASES[language]
    before = fresh_categorizer.categorize(later)
    target = "facility" if before.category != "facility" else "services"
    fresh_categorizer.learn([(text, target) for text in corrections])
    assert fresh_categorizer.wait(timeout=60)
    after = fresh_categorizer.categorize(later)
    assert after.category == target, after
    assert after.language == language
    assert any("Staff filed a similar ticket" in sentence for sentence in after.explanation)


def test_result_names_the_language(categorizer):
    assert categorizer.categorize("La stampante del secondo piano non stampa").language == "it"
    assert categorizer.categorize("The printer on the second floor is not printing").language == "en"
    assert categorizer.categorize("宿舍的暖气坏了").language == "other"
    assert [r.language for r in categorizer.categorize_many(["Der Drucker druckt nicht", "L'imprimante est en panne"])] == ["de", "fr"]
