"""The staff pieces of the web app as plain functions: filters, bulk choices and results, labels, the chart."""
from __future__ import annotations

from dash_app.pages.analytics.service_levels import first_response_figure, now_links, target_hours
from dash_app.pages.ticket.staff import take_label
from dash_app.pages.ticket.views import thread_view
from dash_app.pages.tickets.staff import bulk_result, bulk_value, staff_query, staff_row

from zoneinfo import ZoneInfo


def test_staff_filters_become_list_parameters():
    assert staff_query("all", "all", "all", "Ana") == {}
    assert staff_query("mine", "all", "urgent", "Ana") == {"assignee": "Ana", "priority": "urgent"}
    assert staff_query("unassigned", "at_risk,breached", "all", "") == {
        "assignee": "none", "sla": "at_risk,breached", "status": "open,active"}
    assert staff_query("mine", "all", "all", "")["assignee"] != ""  # no name: nothing is mine


def test_bulk_choices_name_the_action_and_value():
    assert bulk_value("assignee:me", "Ana") == ("assignee", "Ana")
    assert bulk_value("assignee:me", "") is None
    assert bulk_value("assignee:", "Ana") == ("assignee", None)
    assert bulk_value("priority:high", "") == ("priority", "high")
    assert bulk_value("status:closed", "") == ("status", "closed")
    assert bulk_value("delete:all", "Ana") is None


def test_bulk_result_lists_every_refusal_with_its_reason():
    alert = bulk_result({"results": [{"id": 1, "status": 200}, {"id": 2, "status": 409, "error": "It is closed."},
                                     {"id": 3, "status": 404, "error": "There is no ticket #3."}]})
    text = str(alert)
    assert "1 ticket changed" in text and "2 refused" in text
    assert "#2: It is closed." in text and "#3: There is no ticket #3." in text
    assert alert.color == "warning"
    assert bulk_result({"results": [{"id": 1, "status": 200}]}).color == "success"


def test_rows_and_labels():
    row = staff_row({"sla_state": "at_risk", "priority": "urgent", "assignee": None})
    assert row == {"sla_state": "at_risk", "sla_label": "At risk", "priority": "urgent", "priority_label": "Urgent",
                   "assignee": ""}
    assert take_label({"assignee": None}, "Ana") == ("Take it", False)
    assert take_label({"assignee": "Ana"}, "Ana") == ("Yours", True)
    assert take_label({"assignee": "Bo"}, "Ana") == ("Take it from Bo", False)
    assert take_label({"assignee": None}, "")[1] is True


def test_an_internal_note_is_labelled_and_styled_apart_in_the_thread():
    messages = [{"id": 1, "author_role": "staff", "body": "reply", "internal": False},
                {"id": 2, "author_role": "staff", "body": "note", "internal": True}]
    reply, note = thread_view(messages, ZoneInfo("UTC"))
    assert "internal-note" not in reply.className and "internal-note" in note.className
    assert "Internal note · staff only" in str(note) and "Internal note" not in str(reply)


def test_the_first_response_chart_draws_the_target():
    answer = {"months": [{"month": "2025-01", "avg_first_response_hours": 3.0, "median_first_response_hours": 2.0},
                         {"month": "2025-02", "avg_first_response_hours": None, "median_first_response_hours": None}],
              "by_priority": [{"priority": "normal", "response_target_hours": 24}]}
    figure = first_response_figure(answer)
    assert [trace.name for trace in figure.data] == ["Average", "Median", "Target (normal)"]
    assert list(figure.data[2].y) == [24, 24] and target_hours(answer) == 24
    links = now_links({"at_risk": 2, "breached": 5})
    assert [link.href for link in links] == ["/tickets?sla=at_risk", "/tickets?sla=breached"]
