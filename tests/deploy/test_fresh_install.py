"""The README's first command on a fresh copy: install into a new virtualenv, `up --demo`, use it, Ctrl-C."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from harness.processes import ROOT

from harness.up import free_port_offset, launch

STAFF = {"X-Helpdesk-Role": "staff"}


def readme_start_command() -> list[str]:
    """Return the steps of the README's install-and-start command, in order."""
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)[1]
    line = next(line for line in block.splitlines() if "up --demo" in line and not line.startswith("#"))
    return [step.strip() for step in line.split("&&")]


def fresh_copy(target: Path) -> Path:
    """Copy the project's files as a fresh clone would have them (tracked and new, not ignored)."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def clean_environment() -> dict[str, str]:
    """Return this environment without the helpdesk's variables, a virtualenv or a PYTHONPATH."""
    return {key: value for key, value in os.environ.items()
            if not key.startswith("HELPDESK_") and key not in ("PYTHONPATH", "VIRTUAL_ENV")}


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_readme_command_installs_and_runs_everything_with_demo_data(tmp_path: Path, up_runs):
    project = fresh_copy(tmp_path / "campus-helpdesk")
    *install, start = readme_start_command()
    assert start.endswith("campus-helpdesk up --demo"), start
    env = clean_environment()
    for step in install:
        subprocess.run(step, shell=True, cwd=project, env=env, check=True, timeout=900)

    offset = free_port_offset()  # the README's default ports may be in use on this machine
    run = launch([*shlex.split(start), "--port-offset", str(offset)], offset, project, env)
    up_runs.append(run)
    run.wait_for("Campus Helpdesk is running", timeout=180)
    assert (project / "var" / "helpdesk.duckdb").is_file()  # the default database, inside the fresh copy

    store = run.url("store") + "/api/v1"
    assert requests.get(store + "/tickets?limit=1", headers=STAFF, timeout=10).json()["total"] == 4000
    active = requests.get(store + "/tickets?status=active&sort=-id&limit=50", headers=STAFF, timeout=10).json()
    threads = [requests.get(f"{store}/tickets/{ticket['id']}/messages", headers=STAFF, timeout=10).json()["items"]
               for ticket in active["items"] if ticket["message_count"]]
    assert {message["author_role"] for thread in threads for message in thread} == {"user", "staff"}

    open_since = requests.get(run.url("open_since"), params={"days": 30}, timeout=30)
    assert open_since.status_code == 200 and open_since.json()["count"] > 0
    resolution = requests.get(run.url("resolution_time"), timeout=30)
    assert resolution.status_code == 200 and len(resolution.json()["months"]) == 12
    assert any(month["avg_resolution_hours"] for month in resolution.json()["months"])
    active_by_category = requests.get(run.url("category_active"), timeout=30).json()
    assert {row["category"] for row in active_by_category["categories"]} == {"facility", "it", "services"}
    assert active_by_category["total_active"] > 0
    assert requests.get(run.url("web"), timeout=30).status_code == 200

    assert run.stop() == 0
    assert run.busy_ports() == []
    assert run.survivors() == []
