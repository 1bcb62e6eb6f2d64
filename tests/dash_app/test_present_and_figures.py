"""Words, dates and charts built from the services' answers."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from dash_app.figures import category_active_figure, in_unit, month_label, resolution_time_figure
from dash_app.present import (
    confidence_percent,
    event_sentence,
    format_time,
    ticket_heading,
)
from dash_app.settings import load_settings

ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        ("2025-01-15T10:30:00Z", "2025-01-15 11:30 CET"),
        ("2025-07-15T10:30:00.123456Z", "2025-07-15 12:30 CEST"),
        ("2025-03-30T00:59:59Z", "2025-03-30 01:59 CET"),
        ("2025-03-30T01:00:00Z", "2025-03-30 03:00 CEST"),
        (None, "—"),
        ("not a date", "—"),
    ],
)
def test_dates_are_shown_in_the_campus_time_zone(instant, shown):
    assert format_time(instant, ROME) == shown


def test_unknown_time_zone_falls_back_to_utc(monkeypatch):
    monkeypatch.setenv("HELPDESK_TIMEZONE", "Mars/Olympus_Mons")
    assert format_time("2025-01-15T10:30:00Z", load_settings().zone) == "2025-01-15 10:30 UTC"


def test_heading_is_the_title_or_the_start_of_the_description():
    assert ticket_heading({"title": "Broken chair", "description": "x"}) == "Broken chair"
    assert ticket_heading({"title": None, "description": "Line one\n\nline   two"}) == "Line one line two"
    long = ticket_heading({"title": "", "description": "word " * 50})
    assert len(long) == 80 and long.endswith("…")


def test_confidence_is_a_whole_percentage():
    assert confidence_percent(0.8349) == "83 %"
    assert confidence_percent(None) == "—"


@pytest.mark.parametrize(
    ("event", "sentence"),
    [
        ({"kind": "created"}, "Ticket opened"),
        (
            {"kind": "status_changed", "old": {"status": "open"}, "new": {"status": "active"}},
            "Status changed: Open → Active",
        ),
        (
            {"kind": "category_changed", "old": {"category": "it"}, "new": {"category": "facility"}},
            "Category changed: Technical IT → Facility management",
        ),
        (
            {"kind": "edited", "old": {"title": None}, "new": {"title": "Cold room"}},
            "Edited — title: (empty) → Cold room",
        ),
        ({"kind": "message_posted", "new": {"body": "hi"}}, "Message posted"),
        ({"kind": "imported"}, "Ticket imported from the helpdesk's history"),
    ],
)
def test_history_events_read_as_sentences(event, sentence):
    assert event_sentence(event) == sentence


RESOLUTION = {
    "timezone": "Europe/Rome",
    "months": [
        {"month": "2025-01", "opened": 10, "closed": 8, "avg_resolution_hours": 48.0, "median_resolution_hours": 24.0},
        {"month": "2025-02", "opened": 3, "closed": 0, "avg_resolution_hours": None, "median_resolution_hours": None},
    ],
    "overall": {"opened": 13, "closed": 8, "avg_resolution_hours": 48.0, "median_resolution_hours": 24.0},
}


def test_resolution_chart_has_average_and_median_by_opening_month():
    figure = resolution_time_figure(RESOLUTION, "hours")
    average, median = figure.data
    assert (average.name, median.name) == ("Average", "Median")
    assert list(average.x) == ["Jan 2025", "Feb 2025"]
    assert list(average.y) == [48.0, None] and list(median.y) == [24.0, None]
    assert [list(point) for point in average.customdata] == [[10, 8], [3, 0]]
    assert "Opened: %{customdata[0]}" in average.hovertemplate
    assert figure.layout.yaxis.title.text == "resolution time (hours)"


def test_resolution_chart_in_days():
    figure = resolution_time_figure(RESOLUTION, "days")
    assert list(figure.data[0].y) == [2.0, None] and list(figure.data[1].y) == [1.0, None]
    assert " d<br>" in figure.data[0].hovertemplate
    assert in_unit(1.0, "days") == 0.04


def test_category_chart_has_one_bar_per_category_zeros_included():
    figure = category_active_figure(
        {
            "categories": [
                {"category": "facility", "label": "Facility management", "active": 0},
                {"category": "it", "label": "Technical IT", "active": 5},
                {"category": "services", "label": "Services complaints", "active": 2},
            ],
            "total_active": 7,
        }
    )
    (bars,) = figure.data
    assert list(bars.x) == ["Facility management", "Technical IT", "Services complaints"]
    assert list(bars.y) == [0, 5, 2]


def test_month_label():
    assert month_label("2024-12") == "Dec 2024"
    assert month_label("garbage") == "garbage"
