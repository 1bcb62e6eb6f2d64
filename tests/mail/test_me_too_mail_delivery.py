"""Mail to a "me too" person through a real SMTP server: told once, then each reply and status change, no link."""
from __future__ import annotations

import requests

from .conftest import PUBLIC_URL, STAFF, wait_until_sent
from .test_mail_delivery import move, report, staff_reply, text_of

ME_TOO = "jonas@uni.example.edu"


def test_a_me_too_contact_gets_the_reply_and_the_status_change_never_a_follow_link(store, mailbox, start_mailer):
    ticket = report(store)
    response = requests.post(f"{store.url}/api/v1/tickets/{ticket['id']}/me-too", json={"contact": ME_TOO},
                             timeout=10)
    assert response.status_code == 200 and ME_TOO not in response.text
    start_mailer()
    staff_reply(store, ticket["id"])
    move(store, ticket["id"], "active")
    move(store, ticket["id"], "closed")
    wait_until_sent(store, 8)  # created, added; reply, active, closed to both
    mails = mailbox.wait_for(8)
    theirs = [mail for mail, to in zip(mails, mailbox.recipients) if to == [ME_TOO]]
    assert len(theirs) == 4 and all(mail["To"] == ME_TOO for mail in theirs)
    added, reply, active, closed = theirs
    number = f"[#{ticket['id']}]"
    assert all(number in mail["Subject"] for mail in theirs)
    assert f"we added you to ticket #{ticket['id']}" in text_of(added).lower()
    assert "A technician is on the way" in text_of(reply) and "Marta" in text_of(reply)
    assert "is now active" in text_of(active) and "is now closed" in text_of(closed)
    for mail in theirs:
        whole = mail.as_string()
        assert ticket["follow_token"] not in whole and f"{PUBLIC_URL}/follow/" not in whole
        assert "rate" not in text_of(mail) and mail["In-Reply-To"] == f"<ticket-{ticket['id']}@uni.example.edu>"
    reporters = [mail for mail, to in zip(mails, mailbox.recipients) if to != [ME_TOO]]
    assert len(reporters) == 4 and ticket["follow_token"] in text_of(reporters[0])
    assert len({mail["Message-ID"] for mail in mails}) == 8


def test_a_merge_tells_the_duplicate_s_me_too_person_where_it_went(store, mailbox, start_mailer):
    main = report(store, contact=None, description="No heating in hall H1")
    duplicate = report(store, contact=None, description="Hall H1 is cold")
    requests.post(f"{store.url}/api/v1/tickets/{duplicate['id']}/me-too", json={"contact": ME_TOO}, timeout=10)
    merged = requests.post(f"{store.url}/api/v1/tickets/{duplicate['id']}/merge", json={"into": main["id"]},
                           headers=STAFF, timeout=10)
    assert merged.status_code == 200
    start_mailer()
    staff_reply(store, main["id"], "The boiler is fixed")
    wait_until_sent(store, 3)
    mails = mailbox.wait_for(3)  # the two tickets' mails may interleave; each ticket's come in order
    added, closed = [mail for mail in mails if f"[#{duplicate['id']}]" in mail["Subject"]]
    (reply,) = [mail for mail in mails if f"[#{main['id']}]" in mail["Subject"]]
    assert "we added you" in text_of(added).lower()
    assert f"same problem as ticket #{main['id']}" in text_of(closed) and f"[#{duplicate['id']}]" in closed["Subject"]
    assert "The boiler is fixed" in text_of(reply) and f"[#{main['id']}]" in reply["Subject"]
    assert mailbox.recipients == [[ME_TOO]] * 3


def test_a_me_too_mail_never_carries_a_link_even_if_a_row_held_one():
    from campus_helpdesk.mailer import MailSettings, compose

    settings = MailSettings(smtp=None, mail_from="helpdesk@uni.example.edu", public_url=PUBLIC_URL,
                            store_url="http://x")
    ticket = {"id": 7, "title": "Cold hall", "description": "Hall H1 is cold", "location": None, "status": "open"}
    mail = {"id": 3, "ticket_id": 7, "kind": "me_too_added", "recipient": ME_TOO, "follow_token": "SECRET" * 5,
            "attempts": 1, "details": {"ticket": ticket, "me_too": True}}
    message = compose(mail, settings)
    assert "[#7]" in message["Subject"] and "added you" in message["Subject"]
    assert "SECRET" not in message.as_string() and "/follow/" not in message.as_string()
    assert message["Message-ID"] == "<ticket-7.mail-3@uni.example.edu>"
