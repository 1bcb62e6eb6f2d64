"""Mail to the reporter through a real SMTP server: one mail per change, threaded, nothing lost (SPEC §7.1)."""
from __future__ import annotations

import collections
import time

import requests

from campus_helpdesk.mailer import MailSettings, SmtpServer as SmtpAddress, compose

from .conftest import PUBLIC_URL, STAFF, Mailbox, mailer_process, outbox_counts, wait_until_sent

CONTACT = "noor@uni.example.edu"
WORKERS = 2


def report(store, contact: str | None = CONTACT, description: str = "The lift in building C is stuck") -> dict:
    body = {"description": description, "title": "Lift C stuck", **({"contact": contact} if contact else {})}
    response = requests.post(store.url + "/api/v1/tickets", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def staff_reply(store, ticket_id: int, body: str = "A technician is on the way") -> None:
    response = requests.post(f"{store.url}/api/v1/tickets/{ticket_id}/messages",
                             json={"body": body, "author_name": "Marta"}, headers=STAFF, timeout=10)
    assert response.status_code == 201


def move(store, ticket_id: int, status: str) -> None:
    response = requests.post(f"{store.url}/api/v1/tickets/{ticket_id}/status", json={"status": status},
                             headers=STAFF, timeout=10)
    assert response.status_code == 200


def text_of(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def test_creation_staff_reply_and_status_change_each_deliver_one_threaded_mail(store, mailbox, start_mailer):
    start_mailer()
    ticket = report(store)
    report(store, contact=None)  # no contact: no mail
    requests.post(f"{store.url}/api/v1/tickets/{ticket['id']}/messages", json={"body": "It is still stuck"},
                  timeout=10)  # a user's own words: no mail
    requests.post(f"{store.url}/api/v1/follow/{ticket['follow_token']}/messages", json={"body": "Hello?"},
                  timeout=10)
    staff_reply(store, ticket["id"])
    move(store, ticket["id"], "active")
    wait_until_sent(store, 3)
    time.sleep(0.5)
    created, reply, status = mailbox.wait_for(3)  # a ticket's mails arrive in the order of its changes
    assert "answered" in text_of(reply) and "is now" in text_of(status)
    assert mailbox.count() == 3 and mailbox.recipients == [[CONTACT]] * 3

    number = f"[#{ticket['id']}]"
    assert all(number in mail["Subject"] for mail in (created, reply, status))
    root = created["Message-ID"]
    assert root.startswith("<") and root.endswith("@uni.example.edu>") and created["In-Reply-To"] is None
    for later in (reply, status):
        assert later["Message-ID"] not in (root, None)
        assert later["In-Reply-To"] == root and later["References"] == root
    assert len({mail["Message-ID"] for mail in (created, reply, status)}) == 3
    assert created["From"] == "Campus Helpdesk <helpdesk@uni.example.edu>" and created["To"] == CONTACT
    assert f"{PUBLIC_URL}/follow/{ticket['follow_token']}" in text_of(created)
    assert f'href="{PUBLIC_URL}/follow/{ticket["follow_token"]}"' in created.get_body(("html",)).get_content()
    assert "A technician is on the way" in text_of(reply) and "Marta" in text_of(reply)
    assert "active" in status["Subject"] and "is now active" in text_of(status)


def test_an_smtp_outage_loses_nothing_and_sends_each_mail_once(store, smtp, mailbox, start_mailer):
    start_mailer()
    smtp.stop()
    tickets = [report(store, description=f"Broken window in room {room}") for room in range(4)]
    staff_reply(store, tickets[0]["id"])
    move(store, tickets[1]["id"], "active")
    deadline = time.monotonic() + 20
    while outbox_counts(store)["waiting"] < 1 and time.monotonic() < deadline:
        time.sleep(0.1)  # the sender tried, failed and backs off
    assert outbox_counts(store)["sent"] == 0 and mailbox.count() == 0
    smtp.start()
    wait_until_sent(store, 6)
    time.sleep(1)
    ids = collections.Counter(mail["Message-ID"] for mail in mailbox.wait_for(6))
    assert len(ids) == 6 and set(ids.values()) == {1}


def test_a_sender_killed_mid_queue_loses_nothing_and_duplicates_at_most_what_smtp_accepted(store, smtp, mailbox):
    mailbox.delay = 0.05  # slow enough to be caught mid-queue
    total = 40
    for number in range(total):
        report(store, description=f"Flickering light in corridor {number}")
    first = mailer_process(store.url, smtp.url, HELPDESK_MAIL_WORKERS=str(WORKERS)).start()
    try:
        mailbox.wait_for(8)
        first.kill()  # kill -9 of the whole process group
        time.sleep(0.3)  # what the server was still taking in when the sender died
        accepted_before_kill = {mail["Message-ID"] for mail in mailbox.mails}
        assert len(accepted_before_kill) < total
    finally:
        first.stop()
    second = mailer_process(store.url, smtp.url, HELPDESK_MAIL_WORKERS=str(WORKERS)).start()
    try:
        wait_until_sent(store, total)
        time.sleep(0.5)
    finally:
        second.stop()
    ids = collections.Counter(mail["Message-ID"] for mail in mailbox.mails)
    assert len(ids) == total  # nothing lost
    duplicated = {message_id for message_id, count in ids.items() if count > 1}
    assert all(ids[message_id] == 2 for message_id in duplicated)
    # Only mails SMTP had accepted when the sender died, whose report was lost: one per worker at most.
    assert duplicated <= accepted_before_kill and len(duplicated) <= WORKERS
    assert outbox_counts(store)["due"] == 0 and outbox_counts(store)["leased"] == 0


def test_a_refused_address_is_given_up_and_the_others_still_go(store, smtp, mailbox, start_mailer):
    class Refusing(Mailbox):
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            if address.startswith("gone@"):
                return "550 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    smtp.stop()
    refusing = Refusing()
    smtp.mailbox = refusing
    smtp.start()
    start_mailer()
    report(store, contact="gone@uni.example.edu")
    report(store)
    refusing.wait_for(1)
    deadline = time.monotonic() + 20
    while outbox_counts(store)["given_up"] < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert outbox_counts(store)["given_up"] == 1 and outbox_counts(store)["sent"] == 1
    assert refusing.recipients == [[CONTACT]]


def test_without_an_smtp_url_the_sender_is_idle_and_nothing_breaks(store):
    idle = mailer_process(store.url, "").start()
    try:
        assert requests.get(idle.url, timeout=5).json() == {"status": "ok", "delivering": False}
        report(store)
        time.sleep(0.5)
        assert outbox_counts(store)["due"] == 1 and idle.process.poll() is None
    finally:
        idle.stop()


def test_mail_text_escapes_people_s_words_in_html():
    settings = MailSettings(smtp=SmtpAddress.from_url("smtps://u:p%40ss@mail.uni.example.edu"),
                            mail_from="helpdesk@uni.example.edu", public_url=PUBLIC_URL, store_url="http://x")
    assert (settings.smtp.port, settings.smtp.tls, settings.smtp.password) == (465, True, "p@ss")
    mail = {"id": 9, "ticket_id": 4, "kind": "staff_reply", "recipient": CONTACT, "follow_token": None,
            "attempts": 1, "details": {"ticket": {"id": 4, "title": "<b>Lift</b>", "description": "x",
                                                  "location": None, "status": "open"},
                                       "body": "<script>alert(1)</script>", "author_name": "Marta"}}
    message = compose(mail, settings)
    assert "<script>" not in message.get_body(("html",)).get_content()
    assert "&lt;script&gt;" in message.get_body(("html",)).get_content()
    assert message["Message-ID"] == "<ticket-4.mail-9@uni.example.edu>"
    assert message["In-Reply-To"] == "<ticket-4@uni.example.edu>"
