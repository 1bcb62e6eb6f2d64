"""`campus-helpdesk up`: run the five services side by side under honcho, wait until they are healthy.

honcho's Manager starts every service in its own process group, prefixes their output, and on
SIGINT/SIGTERM, or when any one of them exits, sends SIGTERM to all groups (SIGKILL after 5 s).
This module adds what a newcomer needs around it: ports checked before anything starts, health
checks, the demo history, a table of addresses, and a sentence saying which service stopped and why.
A service that dies is not restarted: the others are stopped and `up` exits with status 1, because
a half-running helpdesk (say, a web app without its store) is harder to notice than a stopped one.
"""
from __future__ import annotations

import collections
import datetime
import errno
import os
import re
import shlex
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

from honcho.manager import Manager
from honcho.printer import Message, Printer

from .demo import DEMO_MESSAGES, DEMO_TICKETS, load_demo
from .services import SERVICES, Service, is_healthy
from .store_client import StoreClient, StoreError

HEALTH_TIMEOUT = 90.0  # seconds for all five services to answer, on a slow laptop
AFTER_STOP_WAIT = 5.0
LAST_LINES = 8
UP_NAME = "up"


@dataclass(frozen=True)
class Address:
    """Where one service of this run listens."""

    service: Service
    host: str
    port: int

    @property
    def url(self) -> str:
        # Services bound to every interface are still reached over the loopback address.
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"


def addresses(host: str = "127.0.0.1", port_offset: int = 0) -> list[Address]:
    """Return the five services with their default ports moved by *port_offset*."""
    return [Address(service, host, service.port + port_offset) for service in SERVICES]


def port_is_free(host: str, port: int) -> bool:
    """Return True when a server could listen on host:port now (as waitress binds: with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def taken_ports(run: list[Address]) -> list[Address]:
    """Return the services whose port is already in use."""
    return [address for address in run if not port_is_free(address.host, address.port)]


def service_environment(run: list[Address], db_path: Path) -> dict[str, str]:
    """Return the environment every service gets: this one's plus the database and each service's URL."""
    env = dict(os.environ)
    env.update({address.service.url_variable: address.url for address in run if address.service.url_variable})
    env["HELPDESK_DB_PATH"] = str(db_path)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def service_command(address: Address) -> str:
    """Return the shell command honcho runs for one service (exec, so the service itself gets the signals)."""
    arguments = [sys.executable, "-m", "campus_helpdesk", *address.service.command,
                 "--host", address.host, "--port", str(address.port)]
    return "exec " + shlex.join(arguments)


class UpPrinter(Printer):
    """honcho's printer, which also notes each service's pid, its last lines and which one stopped first."""

    STARTED = re.compile(r"^(\S+) started \(pid=(\d+)\)")
    STOPPED = re.compile(r"^(\S+) stopped \(rc=(-?\d+)\)")

    def __init__(self, output: TextIO, services: int) -> None:
        super().__init__(output)
        self.lock = threading.Lock()
        self.services = services
        self.when_all_started: Callable[[], None] = lambda: None
        self.stopping = False
        self.pids: dict[str, int] = {}
        self.last_lines: dict[str, collections.deque[str]] = collections.defaultdict(
            lambda: collections.deque(maxlen=LAST_LINES))
        self.first_exit: tuple[str, int] | None = None

    def write(self, message: Message) -> None:
        with self.lock:
            text = message.data.decode("utf-8", "replace") if isinstance(message.data, bytes) else message.data
            if message.name == "system":
                self.note(text)
            elif message.name != UP_NAME:
                self.last_lines[message.name].extend(text.splitlines())
            super().write(message)

    def note(self, text: str) -> None:
        """Follow honcho's own announcements: starts, stops, and the beginning of a shutdown."""
        if started := self.STARTED.match(text):
            self.pids[started[1]] = int(started[2])
            if len(self.pids) == self.services:
                self.when_all_started()  # only now: honcho has forked every service, so threads are safe
        elif text.endswith("received\n") or text.startswith("sending SIG"):
            self.stopping = True
        elif (stopped := self.STOPPED.match(text)) and not self.stopping and self.first_exit is None:
            self.first_exit = (stopped[1], int(stopped[2]))
            self.stopping = True

    def say(self, text: str) -> None:
        """Print lines of our own, prefixed like the services' lines."""
        self.write(Message(type="line", data=text + "\n", time=datetime.datetime.now(), name=UP_NAME, colour=None))


def url_table(run: list[Address], seconds: float) -> str:
    """Return the table of addresses printed once everything is healthy."""
    width = max(len(address.service.label) for address in run)
    lines = [f"{address.service.label:<{width}}  {address.url}" for address in run]
    return "\n".join([f"Campus Helpdesk is running (healthy after {seconds:.1f} s):", *lines,
                      "Open the web app in a browser; press Ctrl-C to stop everything."])


class Startup(threading.Thread):
    """Wait for the services (and load the demo) while the main thread runs honcho's loop."""

    def __init__(self, run: list[Address], printer: UpPrinter, stop: Callable[[], None], demo: bool,
                 timeout: float) -> None:
        super().__init__(daemon=True, name="up-startup")
        self.run_ = run
        self.printer = printer
        self.stop = stop
        self.demo = demo
        self.timeout = timeout
        self.failure: str | None = None
        self.seconds: float | None = None

    def run(self) -> None:
        started = time.monotonic()
        try:
            store = self.run_[0]
            self.wait_for([store], time.monotonic())
            if self.demo:
                self.load_demo(store)
            self.wait_for(self.run_[1:], time.monotonic())
        except Exception as failure:  # noqa: BLE001 - whatever went wrong, stop everything and say what
            if not self.printer.stopping:
                self.failure = str(failure) if isinstance(failure, StartupFailed) else \
                    f"Starting failed unexpectedly: {failure!r}."
                self.printer.say(self.failure + " Stopping everything.")
                self.printer.stopping = True
                self.stop()
            return
        self.seconds = time.monotonic() - started
        self.printer.say(url_table(self.run_, self.seconds))

    def wait_for(self, services: list[Address], started: float) -> None:
        """Return once every service answers its health check; raise StartupFailed after the timeout."""
        token = os.environ.get("HELPDESK_API_TOKEN") or None
        waiting = list(services)
        while waiting:
            if self.printer.stopping:
                raise StartupFailed("Stopped while starting.")
            waiting = [address for address in waiting if not is_healthy(address.service, address.url, token)]
            if waiting and time.monotonic() - started > self.timeout:
                names = ", ".join(f"{address.service.name} ({address.url})" for address in waiting)
                raise StartupFailed(f"No answer from {names} after {self.timeout:.0f} seconds.")
            if waiting:
                time.sleep(0.2)

    def load_demo(self, store: Address) -> None:
        """Fill an empty database with the demo history; leave a non-empty one alone and say so."""
        client = StoreClient(store.url)
        try:
            count = client.ticket_count()
            if count:
                self.printer.say(f"The database already holds {count:,} tickets; leaving them alone "
                                 "(demo data goes only into an empty database).")
                return
            self.printer.say(f"Loading the demo history: {DEMO_TICKETS:,} tickets over 18 months, with threads...")
            load_demo(client, DEMO_TICKETS, seed=1, messages=DEMO_MESSAGES, progress=False, say=self.printer.say)
        except StoreError as error:
            raise StartupFailed(f"Loading the demo history failed: {error.message}") from None


class StartupFailed(Exception):
    """A service did not become healthy, or the demo could not be loaded."""


def stop_leftovers(printer: UpPrinter) -> None:
    """Make sure no process of any service's group survives (a child may outlive its parent)."""
    deadline = time.monotonic() + AFTER_STOP_WAIT
    groups = set(printer.pids.values())
    while groups and time.monotonic() < deadline:
        groups = {group for group in groups if group_alive(group)}
        if groups:
            time.sleep(0.1)
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass


def group_alive(group: int) -> bool:
    """Return True while any process of the process group *group* exists."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_up(host: str, port_offset: int, db_path: Path, demo: bool, timeout: float = HEALTH_TIMEOUT,
           output: TextIO = sys.stdout) -> int:
    """Run every service until Ctrl-C/SIGTERM or until one stops; return the exit status for the shell."""
    run = addresses(host, port_offset)
    taken = taken_ports(run)
    if taken:
        names = ", ".join(f"{address.port} ({address.service.name})" for address in taken)
        which = "Port" if len(taken) == 1 else "Ports"
        is_are = "is" if len(taken) == 1 else "are"
        print(f"{which} {names} {is_are} already in use, so nothing was started; stop what uses "
              f"{'it' if len(taken) == 1 else 'them'} or move every port with --port-offset.", file=sys.stderr)
        return 1

    db_path = db_path.expanduser().resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    printer = UpPrinter(output, len(run))
    manager = Manager(printer)
    startup = Startup(run, printer, manager.terminate, demo, timeout)
    printer.when_all_started = startup.start
    env = service_environment(run, db_path)
    for address in run:
        manager.add_process(address.service.name, service_command(address), env=env)
    printer.say(f"Starting the store, three functions, the web app and the mail sender; database {db_path}")
    manager.loop()
    stop_leftovers(printer)
    return outcome(printer, startup)


def outcome(printer: UpPrinter, startup: Startup) -> int:
    """Say how the run ended and return the exit status: 0 after a requested stop, 1 after a failure."""
    if printer.first_exit is not None:
        name, code = printer.first_exit
        lines = "\n".join(f"    {line}" for line in printer.last_lines.get(name, [])) or "    (it printed nothing)"
        print(f"The {name} service stopped on its own (exit status {code}), so every other service was stopped "
              f"too. Its last lines:\n{lines}", file=sys.stderr)
        return 1
    if startup.failure:
        print(startup.failure, file=sys.stderr)
        return 1
    printer.say("All services stopped.")
    return 0

