"""The outbox over HTTP, for the mail sender: lease due mails, report each one sent or failed (staff only)."""
from __future__ import annotations

from flask import Blueprint, Response, g, jsonify

from . import outbox, rules
from .api import json_body, store
from .errors import NotFound
from .follow_payloads import DeliveryFailure, OutboxLease
from .payloads import parse
from .tickets import utc_now

outbox_api = Blueprint("outbox", __name__, url_prefix="/api/v1/outbox")


@outbox_api.before_request
def staff_only() -> None:
    """Refuse campus users: the outbox holds contacts, which are for staff only."""
    rules.permit(g.role, "deliver_mail")


def no_such_mail(mail_id: int) -> NotFound:
    return NotFound(f"There is no mail #{mail_id} in the outbox.")


@outbox_api.post("/lease")
def lease() -> Response:
    """Lease due mails, oldest first, for a while; each answer counts as an attempt."""
    request = parse(OutboxLease, json_body())
    return jsonify({"items": outbox.lease(store().db, request.limit, request.lease_seconds, utc_now())})


@outbox_api.post("/<int:mail_id>/sent")
def sent(mail_id: int) -> Response:
    """Record that the SMTP server accepted the mail (again: no change)."""
    if not outbox.mark_sent(store().db, mail_id, utc_now()):
        raise no_such_mail(mail_id)
    return jsonify({"id": mail_id, "sent": True})


@outbox_api.post("/<int:mail_id>/failed")
def failed(mail_id: int) -> Response:
    """Record a failed attempt: the mail is due again after a back-off, or given up when permanent."""
    if not outbox.exists(store().db, mail_id):
        raise no_such_mail(mail_id)
    failure = parse(DeliveryFailure, json_body())
    status = outbox.mark_failed(store().db, mail_id, failure.error, failure.retry_after_seconds, failure.permanent,
                                utc_now())
    if status is None:
        raise no_such_mail(mail_id)
    return jsonify(status)


@outbox_api.get("")
def counts() -> Response:
    """Return how many mails are due, waiting for a retry, leased, sent, given up and skipped."""
    return jsonify(outbox.counts(store().db, utc_now()))
