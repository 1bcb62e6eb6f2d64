"""The mail sender: leases due mails from the store's outbox, delivers them over SMTP, reports each one.

Only the store opens the database, so the sender is its own process and works through the store's
staff-only outbox endpoints. A mail is reported sent right after the SMTP server accepted it, so a
sender killed mid-queue delivers again at most the one mail each of its workers was handing over; everything it
leased and did not report becomes due again when the lease runs out. A failed delivery is retried
with a back-off that doubles; an SMTP server that is down loses nothing.

Every mail of a ticket threads under the ticket's first mail: its Message-ID is derived from the
ticket and the outbox row (a mail delivered twice carries the same one), In-Reply-To and
References name the first mail.
"""
from __future__ import annotations

import html
import json
import logging
import os
import signal
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

import requests

log = logging.getLogger("campus_helpdesk.mailer")
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8050"
BACK_OFF_MAX = 3600.0
SUBJECT_TITLE = 60


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes: host, port, TLS from the start (smtps://), optional login."""

    host: str
    port: int
    tls: bool = False
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> "SmtpServer":
        """Read smtp://[user:pass@]host:port or smtps://…; raise ValueError for anything else."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"HELPDESK_SMTP_URL must look like smtp://[user:pass@]host:port or smtps://…, not {url!r}.")
        tls = parts.scheme == "smtps"
        return cls(parts.hostname, parts.port or (465 if tls else 25), tls,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)

    def connect(self, timeout: float) -> smtplib.SMTP:
        """Open a connection, logged in when the URL names a user."""
        if self.tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=timeout,
                                                        context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=timeout)
        if self.user:
            connection.login(self.user, self.password or "")
        return connection


@dataclass(frozen=True)
class MailSettings:
    """The sender's configuration, from the environment."""

    smtp: SmtpServer | None
    mail_from: str
    public_url: str
    store_url: str
    api_token: str | None = None
    lease_seconds: float = 60.0
    retry_seconds: float = 30.0
    poll_seconds: float = 1.0
    batch: int = 20
    smtp_timeout: float = 10.0
    workers: int = 4

    @classmethod
    def from_environment(cls, env: dict[str, str] | None = None) -> "MailSettings":
        env = dict(os.environ if env is None else env)
        public_url = (env.get("HELPDESK_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")
        smtp_url = env.get("HELPDESK_SMTP_URL") or None
        return cls(
            smtp=SmtpServer.from_url(smtp_url) if smtp_url else None,
            mail_from=env.get("HELPDESK_MAIL_FROM") or f"helpdesk@{urlsplit(public_url).hostname or 'localhost'}",
            public_url=public_url,
            store_url=(env.get("HELPDESK_STORE_URL") or "http://127.0.0.1:8060").rstrip("/"),
            api_token=env.get("HELPDESK_API_TOKEN") or None,
            lease_seconds=float(env.get("HELPDESK_MAIL_LEASE_SECONDS") or 60),
            retry_seconds=float(env.get("HELPDESK_MAIL_RETRY_SECONDS") or 30),
            poll_seconds=float(env.get("HELPDESK_MAIL_POLL_SECONDS") or 1),
            workers=max(1, int(env.get("HELPDESK_MAIL_WORKERS") or 4)),
        )

    @property
    def domain(self) -> str:
        """Return the domain of the sender's address, for Message-IDs."""
        address = parseaddr(self.mail_from)[1]
        return address.rpartition("@")[2] or "localhost"


def thread_id(ticket_id: int, domain: str) -> str:
    """Return the Message-ID of a ticket's first mail, under which its other mails thread."""
    return f"<ticket-{ticket_id}@{domain}>"


def message_id(mail: dict[str, Any], domain: str) -> str:
    """Return the mail's own Message-ID: the thread's for the creation mail, else one per outbox row."""
    if mail["kind"] == "created":
        return thread_id(mail["ticket_id"], domain)
    return f"<ticket-{mail['ticket_id']}.mail-{mail['id']}@{domain}>"


def short_title(ticket: dict[str, Any]) -> str:
    """Return the ticket's title, or the start of its description, for a subject line."""
    text = " ".join((ticket.get("title") or ticket.get("description") or "").split())
    return text if len(text) <= SUBJECT_TITLE else text[:SUBJECT_TITLE - 1].rstrip() + "…"


def mail_text(mail: dict[str, Any], settings: MailSettings) -> tuple[str, list[str]]:
    """Return the subject and the paragraphs of the mail (to the reporter, or to a "me too" person)."""
    details = mail["details"]
    ticket = details["ticket"]
    number = f"#{ticket['id']}"
    title = short_title(ticket)
    me_too = bool(details.get("me_too"))  # they have no follow link: it is the reporter's secret
    link = f"{settings.public_url}/follow/{mail['follow_token']}" if mail.get("follow_token") and not me_too else None
    follow = (f"Follow your ticket, answer and see our replies here: {link}" if link else
              f"You told us you have this problem too, so we write to you about each change of ticket {number}."
              if me_too else "Follow your ticket with the link in our first e-mail about it.")
    if mail["kind"] == "created":
        subject = f"[{number}] We received your report: {title}"
        lines = [f"Thank you for your report. It is ticket {number}.",
                 f"You wrote: {ticket['description']}", follow,
                 "Keep this link to yourself: whoever has it can read and answer the ticket."]
    elif mail["kind"] == "me_too_added":
        subject = f"[{number}] We added you to ticket {number}: {title}"
        lines = [f"Thank you: we added you to ticket {number}, which reports the same problem.",
                 f"It says: {ticket['description']}", follow]
    elif mail["kind"] == "staff_reply":
        author = details.get("author_name") or "The helpdesk"
        subject = f"Re: [{number}] {title}"
        lines = [f"{author} answered on ticket {number}:", details["body"], follow]
    elif mail["kind"] == "status_changed":
        subject = f"Re: [{number}] {title} is now {details['new']}"
        closed = "The helpdesk has closed it." + ("" if me_too else " You can rate how it was handled on the "
                                                                     "follow page.")
        lines = [f"Ticket {number} is now {details['new']}.",
                 {"active": "The helpdesk is working on it.", "closed": closed}.get(details["new"], ""), follow]
        if details.get("merged_into"):
            lines[1] = (f"It reports the same problem as ticket #{details['merged_into']}, so the helpdesk "
                        "follows it there" + ("." if me_too else "; your follow page shows where it went."))
    else:  # follow_link
        subject = f"Re: [{number}] {title}: your new follow link"
        lines = [f"The helpdesk replaced the follow link of ticket {number}; the old link no longer works.", follow]
    lines.append("This mail was sent by the campus helpdesk; replies to it are not read."
                 + ("" if me_too else " Please answer on the follow page."))
    return subject, [line for line in lines if line]


def compose(mail: dict[str, Any], settings: MailSettings) -> EmailMessage:
    """Return the mail as plain text with a simple HTML alternative, threaded under the ticket's first mail."""
    subject, paragraphs = mail_text(mail, settings)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail["recipient"]
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id(mail, settings.domain)
    if mail["kind"] != "created":
        root = thread_id(mail["ticket_id"], settings.domain)
        message["In-Reply-To"] = root
        message["References"] = root
    message["Auto-Submitted"] = "auto-generated"
    message["X-Helpdesk-Ticket"] = str(mail["ticket_id"])
    message.set_content("\n\n".join(paragraphs) + "\n")
    message.add_alternative(html_body(paragraphs), subtype="html")
    return message


def html_body(paragraphs: list[str]) -> str:
    """Return the paragraphs as simple HTML, people's text escaped, links clickable."""
    parts = []
    for paragraph in paragraphs:
        escaped = html.escape(paragraph).replace("\n", "<br>")
        words = [f'<a href="{word}">{word}</a>' if word.startswith(("http://", "https://")) else word
                 for word in escaped.split(" ")]
        parts.append(f"<p>{' '.join(words)}</p>")
    return f"<!doctype html><html><body>{''.join(parts)}</body></html>\n"


class StoreUnavailable(Exception):
    """The store did not answer the outbox request."""


@dataclass
class Sender:
    """Leases mails, delivers them, reports them; one loop, stoppable between mails."""

    settings: MailSettings
    stopping: threading.Event = field(default_factory=threading.Event)
    delivered: int = 0

    def outbox(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """POST to the store's outbox as staff; raise StoreUnavailable when it does not answer well."""
        headers = {"X-Helpdesk-Role": "staff"}
        if self.settings.api_token:
            headers["Authorization"] = f"Bearer {self.settings.api_token}"
        try:
            response = requests.post(f"{self.settings.store_url}/api/v1/outbox{path}", json=body or {},
                                     headers=headers, timeout=10)
        except requests.RequestException as error:
            raise StoreUnavailable(f"the store at {self.settings.store_url} does not answer ({error})") from None
        if response.status_code >= 500 or response.status_code in (401, 403):
            raise StoreUnavailable(f"the store answered {response.status_code}: {response.text[:200]}")
        return response.json()

    def retry_after(self, attempts: int) -> float:
        return min(self.settings.retry_seconds * 2 ** max(attempts - 1, 0), BACK_OFF_MAX)

    def run_once(self) -> int:
        """Lease and deliver one batch; return how many mails were leased."""
        mails = self.outbox("/lease", {"limit": self.settings.batch, "lease_seconds": self.settings.lease_seconds})
        mails = mails["items"]
        # Past half the lease the rest of the batch is left alone: once the lease runs out another
        # worker may take those mails, and a mail must not be on its way twice.
        deadline = time.monotonic() + self.settings.lease_seconds / 2
        if not mails:
            return 0
        connection: smtplib.SMTP | None = None
        try:
            for index, mail in enumerate(mails):
                if self.stopping.is_set() or time.monotonic() > deadline:
                    break  # the rest become due again when the lease runs out
                try:
                    if connection is None:
                        connection = self.settings.smtp.connect(self.settings.smtp_timeout)
                    connection.send_message(compose(mail, self.settings))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
                    self.failed(mail, f"the server refused the mail: {error}", permanent=is_permanent(error))
                    continue
                except smtplib.SMTPResponseException as error:
                    self.failed(mail, f"SMTP {error.smtp_code}: {error.smtp_error!r}",
                                permanent=500 <= error.smtp_code < 600)
                    connection = close_quietly(connection)
                    continue
                except (OSError, smtplib.SMTPException) as error:
                    log.warning("the SMTP server %s:%s cannot take mail now (%s); retrying later",
                                self.settings.smtp.host, self.settings.smtp.port, error)
                    for waiting in mails[index:]:
                        self.failed(waiting, f"the SMTP server cannot be reached: {error}", permanent=False)
                    connection = close_quietly(connection)
                    break
                self.outbox(f"/{mail['id']}/sent")
                self.delivered += 1
        finally:
            close_quietly(connection)
        return len(mails)

    def failed(self, mail: dict[str, Any], error: str, permanent: bool) -> None:
        self.outbox(f"/{mail['id']}/failed", {"error": error[:2000] or "failed", "permanent": permanent,
                                              "retry_after_seconds": self.retry_after(mail["attempts"])})

    def run(self) -> None:
        """Deliver with the configured number of workers until stopped.

        Each worker leases its own batch (leases never overlap) over its own SMTP connection; their
        reports reach the store together and share its group commits, so a few workers deliver
        several times as many mails as one.
        """
        workers = [threading.Thread(target=self.work, name=f"mailer-{number}", daemon=True)
                   for number in range(self.settings.workers)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    def work(self) -> None:
        """Deliver until stopped; when idle or when the store is away, wait a little and look again."""
        while not self.stopping.is_set():
            try:
                leased = self.run_once()
            except StoreUnavailable as error:
                log.warning("%s; trying again shortly", error)
                leased = 0
            if not leased:
                self.stopping.wait(self.settings.poll_seconds)


def is_permanent(error: smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused) -> bool:
    """Return True when the server refused for good (5xx), not for now (4xx)."""
    if isinstance(error, smtplib.SMTPSenderRefused):
        return 500 <= error.smtp_code < 600
    return all(500 <= code < 600 for code, _ in error.recipients.values())


def close_quietly(connection: smtplib.SMTP | None) -> None:
    """Close an SMTP connection, whatever state it is in."""
    if connection is not None:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return None


class HealthHandler(BaseHTTPRequestHandler):
    """Answers any GET with the sender's status (for `up`, the containers and people)."""

    status: dict[str, Any] = {}

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = json.dumps(self.status).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass


def run_mailer(host: str, port: int, settings: MailSettings | None = None) -> None:
    """Serve the health check on host:port and deliver mail until SIGTERM or SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = settings or MailSettings.from_environment()
    sender = Sender(settings)
    HealthHandler.status = {"status": "ok", "delivering": settings.smtp is not None}
    server = ThreadingHTTPServer((host, port), HealthHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name="mailer-health").start()

    def stop(signum: int, frame: Any) -> None:
        sender.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if settings.smtp is None:
        log.info("mail sender on %s:%s: HELPDESK_SMTP_URL is not set, so no mail is sent", host, port)
        sender.stopping.wait()
    else:
        log.info("mail sender on %s:%s delivering through %s:%s from %s", host, port, settings.smtp.host,
                 settings.smtp.port, settings.store_url)
        sender.run()
    server.shutdown()
    log.info("mail sender stopped after delivering %d mails", sender.delivered)

