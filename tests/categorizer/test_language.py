"""The language detector: the five languages the helpdesk reads, and "other" for the rest."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticket_store.categorizer.evaluate import read_heldout
from ticket_store.categorizer.language import LANGUAGES, OTHER, detect_language
from ticket_store.categorizer.training import HELDOUT_FILES


@pytest.mark.parametrize("language", ["it", "de", "fr", "es"])
def test_held_out_tickets_are_given_their_language(language):
    tickets = read_heldout(HELDOUT_FILES[language])
    right = sum(detect_language(ticket.text) == language for ticket in tickets)
    assert right >= 0.95 * len(tickets), (language, right, len(tickets))


def test_english_held_out_tickets_are_english_except_those_in_other_languages():
    detected = [detect_language(ticket.text) for ticket in read_heldout(HELDOUT_FILES["en"])]
    assert detected.count("en") >= 0.95 * len(detected)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The heating in my room has been off since Monday", "en"),
        ("wifi down in the library again", "en"),
        ("Il riscaldamento della mia stanza è spento da lunedì", "it"),
        ("la stampante non stampa", "it"),
        ("Die Heizung in meinem Zimmer ist seit Montag aus", "de"),
        ("drucker geht nicht", "de"),
        ("Le chauffage de ma chambre est coupé depuis lundi", "fr"),
        ("l'imprimante ne marche pas", "fr"),
        ("La calefacción de mi habitación está apagada desde el lunes", "es"),
        ("la impresora no funciona", "es"),
        ("O aquecimento do meu quarto não funciona desde segunda", OTHER),
        ("De verwarming in mijn kamer doet het niet sinds maandag", OTHER),
        ("宿舍的暖气坏了，房间里非常冷。", OTHER),
        ("Отопление в общежитии не работает", OTHER),
        ("التكييف في القاعة لا يعمل", OTHER),
        ("", OTHER),
        ("🥶🥶🥶 1234 !!!", OTHER),
    ],
)
def test_named_texts(text, language):
    assert detect_language(text) == language


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=2000))
def test_any_text_gets_one_of_the_answers(text):
    assert detect_language(text) in (*LANGUAGES, OTHER)
