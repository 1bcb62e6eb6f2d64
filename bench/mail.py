"""Measure the mail sender: mails per second from the store's outbox to a local SMTP server.

    python -m bench.mail --tickets 100000 --mails 1000

Queues mails by reporting tickets with a contact, then starts `campus-helpdesk mailer` against an
aiosmtpd server on a free port and times how long it takes until the outbox has sent them all.
"""
from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from aiosmtpd.controller import Controller

from harness.processes import Running, free_port, service_env

from .report import Row
from .stack import STAFF

TIMEOUT = 60


class Counting:
    """An SMTP handler that only counts what it accepts."""

    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.accepted += 1
        return "250 OK"


def sent(store_url: str) -> int:
    return requests.get(f"{store_url}/api/v1/outbox", headers=STAFF, timeout=TIMEOUT).json()["sent"]


def measure_mail(store_url: str, mails: int) -> list[Row]:
    """Queue *mails* creation mails, deliver them through a local SMTP server, return the throughput row."""
    def report(number: int) -> None:
        requests.post(f"{store_url}/api/v1/tickets", json={
            "description": f"The light in corridor {number} flickers", "contact": f"r{number}@uni.example.edu"},
            timeout=TIMEOUT).raise_for_status()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(report, range(mails)))
    already = sent(store_url)
    counting = Counting()
    smtp = Controller(counting, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    mailer = Running("mailer", [sys.executable, "-m", "campus_helpdesk", "mailer", "--host", "127.0.0.1",
                                "--port", str(port)], port, service_env(
        HELPDESK_STORE_URL=store_url, HELPDESK_SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
        HELPDESK_MAIL_FROM="helpdesk@uni.example.edu", HELPDESK_MAIL_POLL_SECONDS="0.05"), "/")
    try:
        mailer.start()
        started = time.perf_counter()
        while sent(store_url) - already < mails and time.perf_counter() - started < 600:
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        mailer.stop()
        smtp.stop()
    delivered = sent(store_url) - already
    return [Row("mail.deliver", "mail", f"mail sender: {mails:,} mails from the outbox to a local SMTP server",
                throughput=delivered / seconds, throughput_unit="mails/s", value=seconds, unit="s",
                note=f"{delivered:,} sent, {counting.accepted:,} accepted by SMTP")]


def main() -> None:
    from .stack import Bench

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--mails", type=int, default=1000)
    args = parser.parse_args()
    with Bench(args.tickets, functions=False, web=False) as bench:
        rows = measure_mail(bench.store.url, args.mails)
    from .report import judge

    judge(rows, args.tickets)
    for row in rows:
        print(f"{row.operation}: {row.throughput:,.1f} {row.throughput_unit} ({row.value:.1f} s; {row.note}); "
              f"target {row.target}: {'met' if row.met else 'missed'}")


if __name__ == "__main__":
    main()
