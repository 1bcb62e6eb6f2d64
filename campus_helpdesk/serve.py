"""Run a WSGI app under gunicorn, configured in code rather than on a command line."""
from __future__ import annotations

from typing import Any, Callable

from gunicorn.app.base import BaseApplication

# Ordinary long search queries must reach the app (and get the API's error shape) instead
# of being refused by gunicorn in plain text; see the limits below.
REQUEST_LINE_LIMIT = 8190


class Server(BaseApplication):
    """A gunicorn server whose app is built by *load_app* inside the worker (never before the fork)."""

    def __init__(self, load_app: Callable[[], Any], options: dict[str, Any]) -> None:
        self.load_app = load_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.load_app()


def serve(load_app: Callable[[], Any], host: str, port: int, *, workers: int = 1, threads: int = 8,
          name: str = "campus-helpdesk") -> None:
    """Serve the app built by *load_app* on host:port until stopped."""
    Server(load_app, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "preload_app": False,
        "timeout": 120,
        "graceful_timeout": 10,
        # gunicorn's 2 s default closed idle connections while clients (the web app, the functions) were
        # reusing them, which failed their next request; people pause longer than that between clicks.
        "keepalive": 75,
        "limit_request_line": REQUEST_LINE_LIMIT,
        "limit_request_field_size": REQUEST_LINE_LIMIT,
        "proc_name": name,
        "control_socket_disable": True,  # five servers on one machine would share its default path
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
    }).run()
