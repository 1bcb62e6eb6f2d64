"""Run the campus-helpdesk command in-process against real store processes."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner, Result

from campus_helpdesk.cli import main
from harness.processes import Running, free_port, store_process

CSV_HEADER = "title,description,location,reporter,category,status,opened_at,closed_at\n"


def run_cli(*args: str, store: Running | str | None = None, token: str | None = None) -> Result:
    """Run `campus-helpdesk ARGS` talking to *store* (a process or an address) with an optional token."""
    url = store.url if isinstance(store, Running) else store
    env = {"HELPDESK_STORE_URL": url, "HELPDESK_API_TOKEN": token}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def nowhere() -> str:
    """Return an address where no store listens."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def other_store(tmp_path: Path) -> Iterator[Running]:
    """A second real store on its own database, for round trips."""
    server = store_process(tmp_path / "other" / "helpdesk.duckdb").start()
    yield server
    server.stop()
