"""The helpdesk's rules: who may do what, the workflow, closed is final, and when edits conflict.

The rules know tickets as records and callers by their role; they know nothing of HTTP or SQL.
A rule that does not hold raises a Refusal saying what happened; the API answers it with a status.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

ROLES = ("user", "staff")
TRANSITIONS: dict[str, tuple[str, ...]] = {"open": ("active",), "active": ("closed",), "closed": ()}
#: The fields a PATCH may change; an edit records changes of these in the ticket's history.
PATCHABLE_FIELDS = ("title", "description", "location", "reporter", "category", "priority", "assignee")
#: What only helpdesk staff may do, in the words a refusal uses.
STAFF_ONLY = {
    "recategorize": "change a ticket's category",
    "change_status": "change a ticket's status",
    "import": "import tickets",
    "export": "export tickets",
    "read_analytics": "read the analytics",
    "back_up": "back up the database",
    "prioritize": "set a ticket's priority",
    "assign": "assign a ticket",
    "write_internal_note": "write internal notes",
    "change_many": "change tickets in bulk",
    "rotate_follow_link": "replace a ticket's follow link",
    "deliver_mail": "deliver the helpdesk's mail",
}
#: The PATCH fields only staff may send, with the action each one is.
STAFF_ONLY_FIELDS = {"category": "recategorize", "priority": "prioritize", "assignee": "assign"}
#: Fields of a ticket only helpdesk staff see: not campus users, not a follow link, not a search.
STAFF_ONLY_VALUES = ("contact",)

TicketRecord = Mapping[str, Any]


class Refusal(Exception):
    """A change or a read the rules do not allow; raised before anything is written."""


class NotPermitted(Refusal):
    """The caller's role may not do this."""

    def __init__(self, sentence: str, role: str) -> None:
        super().__init__(sentence)
        self.role = role


class Final(Refusal):
    """The ticket is closed, and a closed ticket is final."""

    def __init__(self, ticket: TicketRecord, action: str) -> None:
        super().__init__(f"Ticket #{ticket['id']} is closed; a closed ticket is final and cannot be {action}.")
        self.ticket_id = ticket["id"]
        self.action = action


class NotAllowed(Refusal):
    """The workflow does not lead from the ticket's status to the one asked for."""

    def __init__(self, ticket: TicketRecord, target: str) -> None:
        self.allowed = list(TRANSITIONS[ticket["status"]])
        can = f"it can only move to {self.allowed[0]}" if self.allowed else "a closed ticket is final"
        super().__init__(f"Ticket #{ticket['id']} is {ticket['status']}; {can}.")
        self.status = ticket["status"]
        self.target = target


class Stale(Refusal):
    """The caller's version of the ticket is not one its change can be applied to."""

    def __init__(self, current: TicketRecord, fields: Iterable[str] = ()) -> None:
        self.current = current
        self.fields = sorted(fields)
        changed = f"; {', '.join(self.fields)} changed" if self.fields else ""
        super().__init__(
            f"Ticket #{current['id']} was changed by someone else since you loaded it (it is now version "
            f"{current['version']}{changed}); review the current ticket and apply your change again.")


def permit(role: str, action: str) -> None:
    """Refuse *action* (a key of STAFF_ONLY) unless *role* is staff."""
    if role != "staff":
        raise NotPermitted(f"Only helpdesk staff may {STAFF_ONLY[action]}.", role)


def refuse_unless_visible(ticket: TicketRecord, role: str) -> None:
    """Refuse a campus user a closed ticket: closed tickets are visible to helpdesk staff only."""
    if ticket["status"] == "closed" and role != "staff":
        raise NotPermitted(
            f"Ticket #{ticket['id']} is closed; closed tickets are visible to helpdesk staff only.", role)


def shown_to(ticket: TicketRecord, role: str) -> dict[str, Any]:
    """Return the ticket as *role* sees it: staff-only values for staff only, and only when set.

    A campus user (or a follow link) counts public messages only, so never learns a note exists.
    """
    shown = dict(ticket)  # a copy, then the few keys taken out (a page of 100: 0.1 ms, against 0.6 filtering each key)
    for key in STAFF_ONLY_VALUES:
        if role != "staff" or shown.get(key) is None:
            shown.pop(key, None)
    if role != "staff" and "public_message_count" in ticket:
        shown["message_count"] = ticket["public_message_count"]
    return shown


def visible_statuses(role: str, asked: list[str] | None) -> list[str] | None:
    """Return the statuses *role* may list when asking for *asked* (None: all the role may see)."""
    if role == "staff":
        return asked
    if asked and "closed" in asked:
        raise NotPermitted("Campus users cannot list closed tickets; only helpdesk staff can.", role)
    return asked or ["open", "active"]


def refuse_closed(ticket: TicketRecord, role: str, action: str) -> None:
    """Refuse changing a closed ticket: users may not see it, and for staff it is final."""
    refuse_unless_visible(ticket, role)
    if ticket["status"] == "closed":
        raise Final(ticket, action)


def refuse_transition(ticket: TicketRecord, target: str) -> None:
    """Refuse a move the workflow open → active → closed does not allow."""
    if target not in TRANSITIONS[ticket["status"]]:
        raise NotAllowed(ticket, target)


def refuse_stale(current: TicketRecord, expected: int | None) -> None:
    """Refuse when the caller names a version (*expected*) that is not the current one."""
    if expected is not None and current["version"] != expected:
        raise Stale(current)


def refuse_conflicting_edit(current: TicketRecord, expected: int | None, changes: Iterable[str],
                            changed_since: Callable[[int], set[str]]) -> None:
    """Refuse an edit from version *expected* when a field it changes was changed after that version.

    An edit from an older version that touches only fields nobody changed since (the others
    posted messages, moved the status or edited other fields) applies as if made on the current
    version. *changed_since(version)* returns the patchable fields changed after *version*; it
    is asked only when *expected* is stale. A version the ticket never had is always refused.
    """
    if expected is None or expected == current["version"]:
        return
    if not 1 <= expected < current["version"]:
        raise Stale(current)
    conflicts = set(changes) & changed_since(expected)
    if conflicts:
        raise Stale(current, conflicts)
