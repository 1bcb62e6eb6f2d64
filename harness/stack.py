"""The store, the three functions and the web app as real processes on free ports, which a caller may break."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import requests

from .processes import Running, function_process, store_process, web_process

FUNCTIONS = ("open_since", "resolution_time", "category_active")
FUNCTION_URL_VARIABLES = {name: f"HELPDESK_{name.upper()}_URL" for name in FUNCTIONS}
#: What a service's log shows when it printed a stack trace.
TRACE_MARKERS = ("Traceback (most recent call last)", 'File "/')


@dataclass
class Stack:
    """The five services as real processes, started for one test (or run) that may stop and restart them."""

    db_path: Path
    token: str | None
    store: Running
    functions: dict[str, Running] = field(default_factory=dict)
    web: Running | None = None
    env: dict[str, str] = field(default_factory=dict)  # what every service was started with, the token included

    def processes(self) -> list[Running]:
        return [self.store, *self.functions.values(), *([self.web] if self.web else [])]

    def headers(self, role: str = "staff") -> dict[str, str]:
        return {"X-Helpdesk-Role": role, **({"Authorization": f"Bearer {self.token}"} if self.token else {})}

    def create_ticket(self, description: str, **fields: str) -> dict:
        response = requests.post(f"{self.store.url}/api/v1/tickets", json={"description": description, **fields},
                                 headers=self.headers("user"), timeout=10)
        response.raise_for_status()
        return response.json()

    def restart_store(self) -> None:
        """Start the store again on the same port and database file."""
        self.store = store_process(self.db_path, port=self.store.port, **self.env).start()

    def logs_without_traces(self) -> dict[str, str]:
        """Return the log of each service that printed a stack trace or the token."""
        bad = {}
        for process in self.processes():
            log = process.log.read_text(errors="replace")
            if any(marker in log for marker in TRACE_MARKERS) or (self.token and self.token in log):
                bad[process.name] = log[-3000:]
        return bad

    def dead(self) -> list[Running]:
        """Return the services whose process has exited."""
        return [process for process in self.processes()
                if process.process is not None and process.process.poll() is not None]

    def stop(self) -> None:
        for process in reversed(self.processes()):
            process.stop()


def start_stack(db_path: Path, token: str | None = None, web: bool = True, *, functions: bool = True,
                web_workers: int | None = 1, timeout: float = 30, web_timeout: float = 60, **env: str) -> Stack:
    """Start the store, the three functions and (optionally) the web app on free ports.

    *env* goes to every service (HELPDESK_TIMEZONE, say); *web_workers* None keeps the web app's production default.
    """
    env = {**env, **({"HELPDESK_API_TOKEN": token} if token else {})}
    stack = Stack(db_path, token, store_process(db_path, **env).start(timeout), env=env)
    try:
        for name in FUNCTIONS if functions else ():
            stack.functions[name] = function_process(name, stack.store.url, **env).start(timeout)
        if web:
            urls = {"HELPDESK_STORE_URL": stack.store.url,
                    **{FUNCTION_URL_VARIABLES[name]: process.url for name, process in stack.functions.items()}}
            stack.web = web_process(urls, workers=web_workers, **env).start(timeout=web_timeout)
    except BaseException:
        stack.stop()
        raise
    return stack
