"""category_active against the history: every category listed, zeros included, at `now`."""
from __future__ import annotations

from datetime import datetime

import pytest

from .history import LABELS, NOW, UTC, category_active_answer, utc_text


@pytest.mark.parametrize("now", [NOW, datetime(2024, 3, 31, 22, 30, tzinfo=UTC), datetime(2023, 12, 1, tzinfo=UTC)])
def test_active_tickets_per_category_match_the_history(call, history, now):
    response = call("category_active", now=utc_text(now))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"now": utc_text(now), **category_active_answer(history, now)}


def test_every_category_is_listed_with_zeros(call):
    body = call("category_active", now="2020-01-01T00:00:00Z").get_json()
    assert body["categories"] == [{"category": category, "label": label, "active": 0}
                                  for category, label in LABELS.items()]
    assert body["total_active"] == 0


def test_now_defaults_to_the_current_time(call, history):
    before = datetime.now(UTC)
    body = call("category_active").get_json()
    now = datetime.fromisoformat(body["now"])
    assert before <= now <= datetime.now(UTC)
    assert body == {"now": body["now"], **category_active_answer(history, now)}
