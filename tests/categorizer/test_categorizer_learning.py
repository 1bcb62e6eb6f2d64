"""Staff corrections teach the categorizer, in the background, without a restart."""
from __future__ import annotations

import time

import pytest

# A nickname the training tickets never use: the research group's build server.
MARVIN_TICKETS = [
    "Marvin is sulking again since this morning, nobody in the group can get anything out of him",
    "Marvin has been sulking all afternoon and refuses to talk to anyone in room 3.11",
    "Marvin sulks every time more than five of us talk to him at once",
]
NEW_MARVIN_TICKET = "Marvin started sulking again right after lunch"


def test_new_wording_gets_the_corrected_category_after_a_few_corrections(fresh_categorizer):
    before = fresh_categorizer.categorize(NEW_MARVIN_TICKET)
    assert before.category != "it"
    fresh_categorizer.learn([(text, "it") for text in MARVIN_TICKETS])
    assert fresh_categorizer.wait(timeout=60)
    after = fresh_categorizer.categorize(NEW_MARVIN_TICKET)
    assert after.category == "it"
    assert any("Staff filed a similar ticket" in sentence for sentence in after.explanation)


def test_corrections_one_at_a_time_teach_the_same(fresh_categorizer):
    for text in MARVIN_TICKETS:
        fresh_categorizer.learn([(text, "it")])
    assert fresh_categorizer.wait(timeout=60)
    assert fresh_categorizer.categorize(NEW_MARVIN_TICKET).category == "it"


def test_learn_returns_at_once_and_old_model_answers_meanwhile(fresh_categorizer):
    old_model = fresh_categorizer.model
    started = time.perf_counter()
    fresh_categorizer.learn([(text, "it") for text in MARVIN_TICKETS])
    assert time.perf_counter() - started < 0.05
    # The refit takes about a second; an answer during it comes from a complete model.
    assert fresh_categorizer.categorize(NEW_MARVIN_TICKET).category in ("facility", "it", "services")
    assert fresh_categorizer.wait(timeout=60)
    assert fresh_categorizer.model is not old_model


def test_a_corrected_text_gets_its_corrected_category(fresh_categorizer):
    text = "The radiator in the IT office is cold"
    assert fresh_categorizer.categorize(text).category == "facility"
    fresh_categorizer.learn([(text, "services")])
    fresh_categorizer.learn([(text, "it")])  # the last correction of a text wins
    assert fresh_categorizer.wait(timeout=60)
    assert fresh_categorizer.corrections() == {text: "it"}


def test_unknown_category_is_refused(fresh_categorizer):
    with pytest.raises(ValueError):
        fresh_categorizer.learn([("Some text", "plumbing")])
    assert fresh_categorizer.corrections() == {}


def test_learning_nothing_keeps_the_answers(fresh_categorizer):
    text = "eduroam keeps dropping in the library"
    before = fresh_categorizer.categorize(text)
    fresh_categorizer.learn([])
    assert fresh_categorizer.wait(timeout=60)
    after = fresh_categorizer.categorize(text)
    assert after.category == before.category
    assert after.scores == pytest.approx(before.scores, abs=1e-4)


def test_requests_during_a_refit_all_get_answers(fresh_categorizer):
    import threading

    failures: list[BaseException] = []

    def ask() -> None:
        try:
            for i in range(30):
                result = fresh_categorizer.categorize(f"Marvin is sulking in room {i}")
                assert result.category in ("facility", "it", "services")
        except BaseException as error:  # collected and reported below
            failures.append(error)

    fresh_categorizer.learn([(text, "it") for text in MARVIN_TICKETS])
    askers = [threading.Thread(target=ask) for _ in range(4)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()
    assert fresh_categorizer.wait(timeout=60)
    assert not failures
