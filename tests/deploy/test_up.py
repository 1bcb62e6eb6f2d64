"""`campus-helpdesk up`: starts the five services, waits for health, and stops every process on a signal."""
from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest
import requests

from campus_helpdesk.services import SERVICES
from harness.processes import store_process

from harness.up import free_port_offset, start_up

STAFF = {"X-Helpdesk-Role": "staff"}
RUNNING = "Campus Helpdesk is running"


def ticket_total(url: str) -> int:
    return requests.get(url + "/api/v1/tickets?limit=1", headers=STAFF, timeout=10).json()["total"]


def test_a_taken_port_is_reported_before_anything_starts(tmp_path: Path, up_runs):
    offset = free_port_offset()
    port = SERVICES[2].port + offset
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        run = start_up(tmp_path / "helpdesk.duckdb", offset=offset)
        up_runs.append(run)
        assert run.process.wait(30) == 1
    assert f"Port {port} ({SERVICES[2].name}) is already in use" in run.stderr.read_text()
    assert "started" not in run.stdout.read_text()
    assert not (tmp_path / "helpdesk.duckdb").exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_up_starts_every_service_and_a_signal_stops_them_all(tmp_path: Path, up_runs, sig: int):
    started = time.monotonic()
    run = start_up(tmp_path / "helpdesk.duckdb")
    up_runs.append(run)
    output = run.wait_for(RUNNING)
    print(f"up was healthy after {time.monotonic() - started:.1f} s")
    for service in SERVICES:
        assert f"{run.url(service.name)}" in output
        response = requests.get(run.url(service.name) + service.health_path, timeout=10)
        assert response.status_code == 200 if service.name == "store" else response.status_code < 500
    assert ticket_total(run.url("store")) == 0  # no demo asked for

    assert run.stop(sig) == 0
    assert "All services stopped." in run.output()
    assert run.busy_ports() == []
    assert run.survivors() == []


def test_up_demo_fills_an_empty_database(tmp_path: Path, up_runs):
    run = start_up(tmp_path / "helpdesk.duckdb", "--demo")
    up_runs.append(run)
    output = run.wait_for(RUNNING)
    assert output.index("Loaded 4,000 demo tickets") < output.index(RUNNING)
    assert ticket_total(run.url("store")) == 4000
    assert run.stop() == 0 and run.busy_ports() == [] and run.survivors() == []


def test_up_demo_leaves_an_existing_database_alone(tmp_path: Path, up_runs):
    db_path = tmp_path / "helpdesk.duckdb"
    store = store_process(db_path).start()
    requests.post(store.url + "/api/v1/tickets", json={"description": "The lift is stuck"}, timeout=10)
    store.stop()

    run = start_up(db_path, "--demo")
    up_runs.append(run)
    output = run.wait_for(RUNNING)
    assert "The database already holds 1 tickets; leaving them alone" in output
    assert ticket_total(run.url("store")) == 1
    assert run.stop() == 0


def test_when_a_service_dies_up_names_it_and_stops_the_others(tmp_path: Path, up_runs):
    run = start_up(tmp_path / "helpdesk.duckdb")
    up_runs.append(run)
    run.wait_for(RUNNING)
    run.note_processes()
    os.killpg(run.pid_of("store"), signal.SIGKILL)

    assert run.process.wait(30) == 1
    assert "The store service stopped on its own (exit status -9), so every other service was stopped too" \
        in run.stderr.read_text()
    assert run.busy_ports() == []
    assert run.survivors() == []
