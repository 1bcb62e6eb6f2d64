"""The campus-helpdesk command: run the services and work with the data."""
from __future__ import annotations

import functools

import click

from .serve import serve
from .services import DEFAULT_PORTS, FUNCTIONS, function_app, store_app, web_app


def host_and_port(service: str):
    """Add --host and --port options with the service's defaults."""

    def decorate(command):
        command = click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORTS.get(service),
                               show_default=True, help="Port to listen on.")(command)
        return click.option("--host", default="127.0.0.1", show_default=True,
                            help="Address to listen on (0.0.0.0 for every interface).")(command)

    return decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="campus-helpdesk")
def main() -> None:
    """Campus Helpdesk: a ticket system for university campuses."""


@main.command()
@host_and_port("store")
@click.option("--threads", default=8, show_default=True, help="Request threads (the store is always one process).")
def store(host: str, port: int, threads: int) -> None:
    """Run the ticket store API (the only process that opens the database)."""
    serve(store_app, host, port, workers=1, threads=threads, name="helpdesk-store")


@main.command()
@host_and_port("web")
@click.option("--workers", default=2, show_default=True, help="Worker processes.")
def web(host: str, port: int, workers: int) -> None:
    """Run the web app."""
    serve(web_app, host, port, workers=workers, threads=4, name="helpdesk-web")


@main.command()
@click.argument("name", type=click.Choice(FUNCTIONS))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: the function's own).")
@click.option("--workers", default=1, show_default=True, help="Worker processes.")
def function(name: str, host: str, port: int | None, workers: int) -> None:
    """Run one analysis function: open_since, resolution_time or category_active."""
    serve(functools.partial(function_app, name), host, port or DEFAULT_PORTS[name], workers=workers, threads=4,
          name=f"helpdesk-{name}")
