"""Any text a person can type gets a valid categorization, never an error."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticket_store.categorizer import CATEGORIES, Categorization


def assert_valid(result: Categorization) -> None:
    assert result.category in CATEGORIES
    assert 0.0 <= result.confidence <= 1.0
    assert set(result.scores) == set(CATEGORIES)
    assert all(0.0 <= score <= 1.0 and math.isfinite(score) for score in result.scores.values())
    assert math.isclose(sum(result.scores.values()), 1.0, abs_tol=1e-6)
    assert result.confidence == max(result.scores.values())
    assert result.scores[result.category] == result.confidence
    assert all(isinstance(sentence, str) and sentence for sentence in result.explanation)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.text(max_size=10_000))
def test_arbitrary_text_gets_a_valid_categorization(categorizer, text):
    assert_valid(categorizer.categorize(text))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=300), max_size=20))
def test_bulk_agrees_with_one_at_a_time(categorizer, texts):
    bulk = categorizer.categorize_many(texts, explain=True)
    assert len(bulk) == len(texts)
    for text, result in zip(texts, bulk):
        single = categorizer.categorize(text)
        assert_valid(result)
        assert result.category == single.category
        assert result.scores == pytest.approx(single.scores, abs=1e-6)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "🥶🥶🥶",
        "😡 no hot water in the showers AGAIN 🚿",
        "宿舍的暖气坏了，房间里非常冷。",
        "التكييف في القاعة لا يعمل",
        "Отопление в общежитии не работает",
        "<script>alert('x')</script><b>printer</b> &amp; <i>scanner</i>",
        "def f(x):\n    return x / 0  # Traceback (most recent call last): ZeroDivisionError",
        "SELECT * FROM tickets; DROP TABLE tickets; --",
        "a" * 10_000,
        "wifi " * 2_000,
        "\u200b\u200d\ufeff\u0301\U0001F3F3\uFE0F\u200D\U0001F308",
        "\x00\x01\x7f control characters",
    ],
)
def test_unusual_text_gets_a_valid_categorization(categorizer, text):
    assert_valid(categorizer.categorize(text))


def test_text_without_known_words_has_low_confidence(categorizer):
    for text in ["🥶🥶🥶", "", "zzzz qqqq", "<<<>>>"]:
        result = categorizer.categorize(text)
        assert result.confidence < categorizer.review_threshold, text
        assert any("not sure" in sentence for sentence in result.explanation)
