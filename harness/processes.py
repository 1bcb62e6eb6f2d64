"""Start the real services as processes on free ports, watch their logs, and stop them again."""
from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
#: Service logs of this run, removed when the run ends.
LOG_DIR = Path(tempfile.mkdtemp(prefix="helpdesk-logs-"))
atexit.register(shutil.rmtree, LOG_DIR, ignore_errors=True)


def new_log(prefix: str, suffix: str) -> Path:
    """Return a new empty file in this run's log folder."""
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=LOG_DIR)
    os.close(handle)
    return Path(name)


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Running:
    """A service process started by a test or a benchmark."""

    name: str
    args: list[str]
    port: int
    env: dict[str, str]
    health_path: str
    process: subprocess.Popen | None = None
    log: Path = field(default_factory=lambda: new_log("service-", ".log"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "Running":
        """Start the process and wait until its health check answers."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(self.url + self.health_path, timeout=1).status_code < 500:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not become healthy in {timeout} s:\n{self.output()}")

    def output(self) -> str:
        """Return what the process printed so far."""
        return self.log.read_text(errors="replace")[-5000:]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        """Stop the process group (the service and anything it started) and wait for it."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(5)

    def kill(self) -> None:
        """kill -9 the whole process group, as a crash would."""
        self.stop(signal.SIGKILL)


def service_env(**overrides: str) -> dict[str, str]:
    """Return the environment for a service process started from this source tree."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HELPDESK_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def store_process(db_path: Path, port: int | None = None, **env: str) -> Running:
    """Return (not yet started) a ticket store on *db_path*."""
    port = port or free_port()
    return Running("store", [sys.executable, "-m", "campus_helpdesk", "store", "--host", "127.0.0.1",
                             "--port", str(port)], port, service_env(HELPDESK_DB_PATH=str(db_path), **env),
                   "/api/v1/health")


def function_process(name: str, store_url: str, port: int | None = None, **env: str) -> Running:
    """Return (not yet started) one analysis function talking to *store_url*."""
    port = port or free_port()
    return Running(name, [sys.executable, "-m", "campus_helpdesk", "function", name, "--host", "127.0.0.1",
                          "--port", str(port)], port, service_env(HELPDESK_STORE_URL=store_url, **env), "/")


def web_process(urls: dict[str, str], port: int | None = None, workers: int | None = 1, **env: str) -> Running:
    """Return (not yet started) the web app; *urls* maps HELPDESK_*_URL variables to addresses.

    One worker by default, as tests want; *workers* None keeps the production default of `campus-helpdesk web`.
    """
    port = port or free_port()
    return Running("web", [sys.executable, "-m", "campus_helpdesk", "web", "--host", "127.0.0.1", "--port", str(port),
                           *(["--workers", str(workers)] if workers else [])], port, service_env(**urls, **env), "/")
