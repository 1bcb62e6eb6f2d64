"""A real SMTP server (aiosmtpd) on a free port, a real store and the real mail sender as processes."""
from __future__ import annotations

import asyncio
import sys
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests
from aiosmtpd.controller import Controller

from harness.processes import Running, free_port, service_env, store_process

STAFF = {"X-Helpdesk-Role": "staff"}
PUBLIC_URL = "http://helpdesk.uni.example.edu"
MAIL_FROM = "Campus Helpdesk <helpdesk@uni.example.edu>"


class Mailbox:
    """What the SMTP server accepted, in order; optionally slow, to catch a sender mid-queue."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.mails: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.mails.append(message_from_bytes(envelope.content, policy=policy.default))
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.mails)

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        """Wait until *count* mails arrived; return them all."""
        deadline = time.monotonic() + timeout
        while self.count() < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.count() >= count, f"only {self.count()} of {count} mails arrived"
        with self.lock:
            return list(self.mails)


class SmtpServer:
    """An aiosmtpd server that can be stopped and started again on its port."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.port = free_port()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def smtp(mailbox: Mailbox) -> Iterator[SmtpServer]:
    server = SmtpServer(mailbox)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Running]:
    server = store_process(tmp_path / "helpdesk.duckdb").start()
    yield server
    server.stop()


def mailer_process(store_url: str, smtp_url: str, **env: str) -> Running:
    """Return (not yet started) the mail sender of `campus-helpdesk mailer`."""
    port = free_port()
    settings = {"HELPDESK_STORE_URL": store_url, "HELPDESK_SMTP_URL": smtp_url, "HELPDESK_MAIL_FROM": MAIL_FROM,
                "HELPDESK_PUBLIC_URL": PUBLIC_URL, "HELPDESK_MAIL_POLL_SECONDS": "0.1",
                "HELPDESK_MAIL_RETRY_SECONDS": "0.3", "HELPDESK_MAIL_LEASE_SECONDS": "2", **env}
    return Running("mailer", [sys.executable, "-m", "campus_helpdesk", "mailer", "--host", "127.0.0.1",
                              "--port", str(port)], port, service_env(**settings), "/")


@pytest.fixture
def start_mailer(store: Running, smtp: SmtpServer) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(**env: str) -> Running:
        process = mailer_process(store.url, smtp.url, **env).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def outbox_counts(store: Running) -> dict[str, int]:
    return requests.get(store.url + "/api/v1/outbox", headers=STAFF, timeout=10).json()


def wait_until_sent(store: Running, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while outbox_counts(store)["sent"] < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert outbox_counts(store)["sent"] == count, outbox_counts(store)
