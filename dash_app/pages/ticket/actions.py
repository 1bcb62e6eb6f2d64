"""What the ticket page asks of the store: read the ticket, edit it, move it on, write in its thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import dcc, no_update

from ...present import CORRECTED, NEXT_TRANSITION, category_label, ticket_number
from ...service_errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceError,
    StaleVersion,
)
from ...store_client import StoreClient, Ticket
from .views import EDIT_FIELDS, history_view, stale_alert, thread_view, unavailable_alert

# ---------------------------------------------------------------- loading


@dataclass
class Loaded:
    """What one refresh found: the ticket, and the thread and history when they changed."""

    ticket: Any = no_update
    thread: Any = no_update
    history: Any = no_update
    seen: Any = no_update
    alert: Any = None


def version_key(ticket: Mapping[str, Any]) -> list[Any]:
    """Return what identifies one state of a ticket, its thread included."""
    # An internal note moves only the staff's message count (users must not see anything move).
    return [ticket.get("id"), ticket.get("version"), ticket.get("updated_at"), ticket.get("message_count")]


def load_ticket(ticket_id: int, seen: Any, store: StoreClient, zone: ZoneInfo, *, force: bool = False) -> Loaded:
    """Read the ticket; read its thread and history only when it changed since *seen*."""
    try:
        ticket = store.get_ticket(ticket_id)
    except (NotFound, Forbidden) as error:
        sentence = (
            f"Ticket {ticket_number(ticket_id)} does not exist."
            if isinstance(error, NotFound)
            else f"You cannot see ticket {ticket_number(ticket_id)}: closed tickets are visible to helpdesk staff only."
        )
        alert = dbc.Alert(
            [sentence, " ", dcc.Link("Go to the ticket list", href="/tickets"), "."],
            color="warning",
            id="ticket-missing",
        )
        return Loaded(ticket=None, thread=[], history=[], seen=None, alert=alert)
    except ServiceError as error:
        return Loaded(alert=unavailable_alert(error))
    key = version_key(ticket)
    if not force and seen == key:
        return Loaded()
    loaded = Loaded(ticket=ticket)
    try:
        loaded.thread = thread_view(store.list_messages(ticket_id), zone)
        events = store.list_events(ticket_id)
        loaded.history = history_view(events, zone)
        loaded.ticket = {**ticket, CORRECTED: any(
            event.get("kind") == "category_changed" and (event.get("new") or {}).get("category_source") != "auto"
            for event in events)}
    except ServiceError as error:
        loaded.alert = unavailable_alert(error)
        return loaded
    loaded.seen = key
    return loaded


# ---------------------------------------------------------------- editing


@dataclass
class EditAnswer:
    """What pressing Save did."""

    ticket: Any = no_update
    is_open: Any = no_update
    base: Any = no_update
    alert: Any = None
    invalid: dict[str, bool] = field(default_factory=lambda: {name: False for name in EDIT_FIELDS})
    feedback: dict[str, str] = field(default_factory=lambda: {name: "" for name in EDIT_FIELDS})


def edited_changes(base: Mapping[str, Any], values: Mapping[str, str | None]) -> dict[str, Any]:
    """Return the fields the person changed; an emptied optional field becomes null."""
    changes: dict[str, Any] = {}
    for name in EDIT_FIELDS:
        value: str | None = values.get(name) or ""
        before = base.get(name)
        if name != "description":
            value = value if value.strip() else None
            before = before or None
        if value != before:
            changes[name] = value
    return changes


def save_edit(ticket_id: int, base: Ticket | None, values: Mapping[str, str | None], store: StoreClient) -> EditAnswer:
    """Send the edit once, with the version it was based on.

    The store decides the conflict field by field: it refuses the edit (412) only when
    someone else changed one of these fields since *base*; a message or a status change
    meanwhile is no conflict. A refused edit is never sent again with a newer version.
    """
    answer = EditAnswer()
    if not base:
        answer.alert = dbc.Alert("Open the editor again: the ticket was not loaded.", color="warning")
        return answer
    changes = edited_changes(base, values)
    if not changes:
        answer.is_open = False
        answer.alert = None
        return answer
    try:
        ticket = store.update_ticket(ticket_id, int(base.get("version") or 0), changes)
    except StaleVersion as stale:
        current = stale.body.get("current")
        answer.alert = stale_alert(current, base, dict(values))
        if current:
            answer.ticket = current
            # The next save is a deliberate choice made after seeing the other change.
            answer.base = current
        return answer
    except InvalidInput as error:
        messages = error.field_messages()
        for name, message in messages.items():
            if name in answer.invalid:
                answer.invalid[name] = True
                answer.feedback[name] = message
        # Each problem is said once: next to its field, or in the alert when the form has no such field.
        others = [message for name, message in messages.items() if name not in answer.invalid]
        if others or not messages:
            answer.alert = dbc.Alert(" ".join(others or [error.message]), color="danger", id="ticket-edit-error")
        return answer
    except ServiceError as error:
        answer.alert = dbc.Alert(
            ["Your changes were not saved. ", error.message], color="danger", id="ticket-edit-error"
        )
        return answer
    answer.ticket = ticket
    answer.base = ticket
    answer.is_open = False
    return answer


# ---------------------------------------------------------------- staff actions


@dataclass
class ActionAnswer:
    """What a staff action did."""

    ticket: Any = no_update
    alert: Any = None
    modal_open: Any = False


def change_status(ticket_id: int, target: str, store: StoreClient) -> ActionAnswer:
    """Move the ticket to *target*; say in words why when the store refuses."""
    try:
        return ActionAnswer(ticket=store.change_status(ticket_id, target))
    except (Conflict, Forbidden, StaleVersion, InvalidInput) as error:
        refreshed = _reread(ticket_id, store)
        return ActionAnswer(ticket=refreshed, alert=dbc.Alert(error.message, color="warning", id="ticket-action-error"))
    except ServiceError as error:
        return ActionAnswer(
            alert=dbc.Alert(["The status was not changed. ", error.message], color="danger", id="ticket-action-error")
        )


def press_transition(
    button: str | None, ticket_id: int, ticket: Ticket | None, role: str, store: StoreClient
) -> ActionAnswer:
    """Do what the pressed button asks: move the ticket on, or first ask before closing it (closing is final)."""
    if button is None:
        return ActionAnswer(alert=no_update, modal_open=no_update)
    if button == "ticket-close-cancel" or not ticket or role != "staff":
        return ActionAnswer(alert=no_update)
    if button == "ticket-close-confirm":
        return change_status(ticket_id, "closed", store)
    transition = NEXT_TRANSITION.get(ticket.get("status", ""))
    if transition is None:
        return ActionAnswer(alert=no_update)
    if transition[0] == "closed":
        return ActionAnswer(modal_open=True)
    return change_status(ticket_id, transition[0], store)


def correct_category(ticket_id: int, ticket: Ticket | None, category: str | None, store: StoreClient) -> ActionAnswer:
    """Set the category chosen by staff, guarded by the version on screen."""
    if not ticket or not category or category == ticket.get("category"):
        return ActionAnswer(modal_open=no_update)
    try:
        updated = store.update_ticket(ticket_id, int(ticket.get("version") or 0), {"category": category})
    except StaleVersion as stale:
        return ActionAnswer(
            ticket=stale.body.get("current") or no_update,
            alert=dbc.Alert(
                "Someone else changed this ticket meanwhile; check it and choose the category again.",
                color="warning",
                id="ticket-action-error",
            ),
            modal_open=no_update,
        )
    except ServiceError as error:
        return ActionAnswer(
            alert=dbc.Alert(
                ["The category was not changed. ", error.message], color="danger", id="ticket-action-error"
            ),
            modal_open=no_update,
        )
    return ActionAnswer(
        ticket={**updated, CORRECTED: True},
        alert=dbc.Alert(
            f"Category set to {category_label(category)}.", color="success", id="ticket-action-done", duration=4000
        ),
        modal_open=no_update,
    )


def _reread(ticket_id: int, store: StoreClient) -> Any:
    try:
        return store.get_ticket(ticket_id)
    except ServiceError:
        return no_update


# ---------------------------------------------------------------- thread


@dataclass
class MessageAnswer:
    """What sending a message did."""

    thread: Any = no_update
    body: Any = no_update
    invalid: bool = False
    feedback: str = ""
    alert: Any = None


def message_words(message: str) -> str:
    """Return the store's sentence about a message's body in the form's words ("Body" is "The message")."""
    if message.startswith("Body "):
        return "The message " + message[len("Body ") :]
    return message


def send_message(
    ticket_id: int, body: str | None, author_name: str, store: StoreClient, zone: ZoneInfo
) -> MessageAnswer:
    """Post the message and return the thread as it is now, or say why it was refused."""
    try:
        store.post_message(ticket_id, body or "", author_name or None)
    except InvalidInput as error:
        message = error.field_messages().get("body") or error.message
        return MessageAnswer(invalid=True, feedback=message_words(message))
    except ServiceError as error:
        return MessageAnswer(
            alert=dbc.Alert(["Your message was not sent. ", error.message], color="danger", id="ticket-message-error")
        )
    answer = MessageAnswer(body="")
    try:
        answer.thread = thread_view(store.list_messages(ticket_id), zone)
    except ServiceError:
        pass  # the next refresh shows it
    return answer
