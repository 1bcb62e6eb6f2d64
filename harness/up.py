"""Run `campus-helpdesk up` as a real process on free ports and watch what it leaves behind."""
from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from campus_helpdesk.services import SERVICES
from campus_helpdesk.up import port_is_free

from .processes import ROOT, new_log, service_env


def free_port_offset() -> int:
    """Return an offset that puts all five default ports on free ports (others may use 8050/8060-8063)."""
    for _ in range(200):
        offset = random.randrange(2_000, 24_000, 100)  # below the ephemeral range (32768+)
        if all(port_is_free("127.0.0.1", service.port + offset) for service in SERVICES):
            return offset
    raise RuntimeError("found no five free ports")


@dataclass
class UpRun:
    """One `campus-helpdesk up` process and its output."""

    process: subprocess.Popen
    offset: int
    stdout: Path
    stderr: Path
    seen: set[int] = field(default_factory=set)

    @property
    def ports(self) -> list[int]:
        return [service.port + self.offset for service in SERVICES]

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{next(s.port for s in SERVICES if s.name == name) + self.offset}"

    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 120) -> str:
        """Return the output once it contains *text*; fail with the output if up exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.note_processes()
            output = self.output()
            if text in output:
                return output
            if self.process.poll() is not None:
                raise AssertionError(f"up exited with {self.process.returncode} before printing {text!r}:\n"
                                     f"{output[-6000:]}")
            time.sleep(0.2)
        raise AssertionError(f"up did not print {text!r} within {timeout} s:\n{self.output()[-6000:]}")

    def note_processes(self) -> None:
        """Remember every process below up (services run in their own sessions, but are still descendants)."""
        try:
            self.seen.update(child.pid for child in psutil.Process(self.process.pid).children(recursive=True))
        except psutil.NoSuchProcess:
            pass

    def pid_of(self, service: str) -> int:
        return int(re.search(rf"{service} started \(pid=(\d+)\)", self.output())[1])

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> int:
        """Send *sig* to up alone (as Ctrl-C would reach it) and return its exit status."""
        self.note_processes()
        self.process.send_signal(sig)
        return self.process.wait(timeout)

    def survivors(self) -> list[psutil.Process]:
        """Return the processes up started that still run (zombies awaiting their parent do not count)."""
        alive = []
        for pid in self.seen:
            try:
                process = psutil.Process(pid)
                if process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.NoSuchProcess:
                pass
        return alive

    def busy_ports(self) -> list[int]:
        return [port for port in self.ports if not port_is_free("127.0.0.1", port)]

    def clean_up(self) -> None:
        """Leave nothing running even when a test failed half-way."""
        self.note_processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for process in self.survivors():
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.stdout.unlink(missing_ok=True)
        self.stderr.unlink(missing_ok=True)


def start_up(db_path: Path, *args: str, offset: int | None = None, **env: str) -> UpRun:
    """Start `campus-helpdesk up ARGS` from the source tree on free ports with the database *db_path*."""
    offset = free_port_offset() if offset is None else offset
    return launch([sys.executable, "-m", "campus_helpdesk", "up", "--port-offset", str(offset),
                   "--db-path", str(db_path), *args], offset, ROOT, service_env(**env))


def launch(argv: list[str], offset: int, cwd: Path, env: dict[str, str]) -> UpRun:
    """Start an up command line *argv* whose ports are moved by *offset*."""
    stdout = new_log("up-", ".out")
    stderr = new_log("up-", ".err")
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err)
    return UpRun(process, offset, stdout, stderr)
