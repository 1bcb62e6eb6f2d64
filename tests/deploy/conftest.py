"""`campus-helpdesk up` runs for one test, all stopped at its end (the runner itself is harness.up)."""
from __future__ import annotations

from typing import Iterator

import pytest

from harness.up import UpRun


@pytest.fixture
def up_runs() -> Iterator[list[UpRun]]:
    """Start up runs with start_up(...) via this list; every one is stopped at the end."""
    runs: list[UpRun] = []
    yield runs
    for run in runs:
        run.clean_up()
