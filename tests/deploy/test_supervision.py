"""up's supervision on its own: stand-in servers (python -m http.server) replace the five services.

These run without the web app and the functions, and check what up adds around honcho: health
waits, the address table, stopping everything on a signal or when one service dies.
"""
from __future__ import annotations

import datetime
import io
import os
import signal
import sys
from pathlib import Path

import pytest
from honcho.printer import Message

from campus_helpdesk.services import SERVICES
from campus_helpdesk.up import UpPrinter
from harness.processes import ROOT, service_env

from harness.up import free_port_offset, launch

STAND_INS = """
import shlex, sys
from campus_helpdesk import cli, up

def stand_in(address):
    return "exec " + shlex.join([sys.executable, "-m", "http.server", str(address.port), "--bind", address.host,
                                 "--directory", sys.argv[1]])

up.service_command = stand_in
cli.main(sys.argv[2:], prog_name="campus-helpdesk")
"""


def start_stand_ins(tmp_path: Path):
    """Start up with http.server processes that answer every health check."""
    docroot = tmp_path / "docroot"
    (docroot / "api" / "v1").mkdir(parents=True)
    (docroot / "api" / "v1" / "health").write_text('{"status": "ok"}')
    offset = free_port_offset()
    argv = [sys.executable, "-c", STAND_INS, str(docroot), "up", "--port-offset", str(offset),
            "--db-path", str(tmp_path / "helpdesk.duckdb")]
    return launch(argv, offset, ROOT, service_env())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_every_service_and_frees_every_port(tmp_path: Path, up_runs, sig: int):
    run = start_stand_ins(tmp_path)
    up_runs.append(run)
    output = run.wait_for("Campus Helpdesk is running", timeout=60)
    for service in SERVICES:
        assert run.url(service.name) in output
    assert len(run.seen) >= len(SERVICES)
    assert run.stop(sig) == 0
    assert "All services stopped." in run.output()
    assert run.busy_ports() == [] and run.survivors() == []


def test_a_service_that_dies_is_named_and_the_others_are_stopped(tmp_path: Path, up_runs):
    run = start_stand_ins(tmp_path)
    up_runs.append(run)
    run.wait_for("Campus Helpdesk is running", timeout=60)
    os.kill(run.pid_of("resolution_time"), signal.SIGKILL)
    assert run.process.wait(30) == 1
    stderr = run.stderr.read_text()
    assert "The resolution_time service stopped on its own (exit status -9)" in stderr
    assert "Its last lines:" in stderr
    assert run.busy_ports() == [] and run.survivors() == []


def test_the_printer_follows_honchos_announcements():
    printer = UpPrinter(io.StringIO(), services=2)
    started = []
    printer.when_all_started = lambda: started.append(True)

    def system(text: str) -> None:
        printer.write(Message("line", text, datetime.datetime.now(), "system", None))

    system("store started (pid=101)\n")
    assert not started
    system("web started (pid=102)\n")
    assert started and printer.pids == {"store": 101, "web": 102}
    printer.write(Message("line", b"Worker failed to boot.\n", datetime.datetime.now(), "web", None))
    system("web stopped (rc=3)\n")
    system("sending SIGTERM to store (pid 101)\n")
    system("store stopped (rc=0)\n")
    assert printer.first_exit == ("web", 3) and list(printer.last_lines["web"]) == ["Worker failed to boot."]


def test_after_a_requested_stop_nobody_counts_as_died():
    printer = UpPrinter(io.StringIO(), services=1)
    for text in ("store started (pid=7)\n", "SIGINT received\n", "sending SIGTERM to store (pid 7)\n",
                 "store stopped (rc=0)\n"):
        printer.write(Message("line", text, datetime.datetime.now(), "system", None))
    assert printer.first_exit is None and printer.stopping
