"""The helpdesk's rules on their own: no database, no HTTP."""
from __future__ import annotations

import pytest

from ticket_store import rules

TICKET = {"id": 7, "status": "open", "version": 4}


def ticket(**fields) -> dict:
    return {**TICKET, **fields}


def never_asked(version: int) -> set[str]:
    raise AssertionError("the history is read only for a stale version")


@pytest.mark.parametrize("expected", [None, 4])
def test_a_current_or_no_version_never_reads_the_history(expected):
    rules.refuse_conflicting_edit(ticket(), expected, ["title"], never_asked)


@pytest.mark.parametrize("changed, refused", [(set(), False), ({"location"}, False), ({"title"}, True),
                                              ({"title", "reporter"}, True)])
def test_a_stale_edit_is_refused_only_for_a_field_changed_since(changed, refused):
    asked = []

    def changed_since(version: int) -> set[str]:
        asked.append(version)
        return changed

    if refused:
        with pytest.raises(rules.Stale) as stale:
            rules.refuse_conflicting_edit(ticket(), 2, ["title", "description"], changed_since)
        assert stale.value.current == ticket() and stale.value.fields == ["title"]
        assert "title changed" in str(stale.value)
    else:
        rules.refuse_conflicting_edit(ticket(), 2, ["title", "description"], changed_since)
    assert asked == [2]


@pytest.mark.parametrize("expected", [-1, 0, 5, 12])
def test_a_version_the_ticket_never_had_is_stale(expected):
    with pytest.raises(rules.Stale):
        rules.refuse_conflicting_edit(ticket(), expected, ["title"], never_asked)


@pytest.mark.parametrize("status, target, allowed", [("open", "closed", ["active"]), ("active", "open", ["closed"]),
                                                     ("closed", "active", [])])
def test_the_workflow_names_what_is_allowed(status, target, allowed):
    with pytest.raises(rules.NotAllowed) as refused:
        rules.refuse_transition(ticket(status=status), target)
    assert refused.value.allowed == allowed and refused.value.status == status


def test_closed_is_final_for_staff_and_hidden_from_users():
    with pytest.raises(rules.Final):
        rules.refuse_closed(ticket(status="closed"), "staff", "edited")
    with pytest.raises(rules.NotPermitted):
        rules.refuse_closed(ticket(status="closed"), "user", "edited")
    rules.refuse_closed(ticket(status="active"), "user", "edited")


@pytest.mark.parametrize("action", sorted(rules.STAFF_ONLY))
def test_staff_only_actions(action):
    rules.permit("staff", action)
    with pytest.raises(rules.NotPermitted) as refused:
        rules.permit("user", action)
    assert str(refused.value).startswith("Only helpdesk staff may ")


def test_users_list_open_and_active_tickets_only():
    assert rules.visible_statuses("user", None) == ["open", "active"]
    assert rules.visible_statuses("user", ["active"]) == ["active"]
    assert rules.visible_statuses("staff", None) is None
    with pytest.raises(rules.NotPermitted):
        rules.visible_statuses("user", ["open", "closed"])

