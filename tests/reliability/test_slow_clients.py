"""Slow and idle clients cannot starve the others (SPEC §7.5), against each kind of service as a real process."""
from __future__ import annotations

import socket
import statistics
import time
from pathlib import Path
from typing import Iterator

import psutil
import pytest
import requests

from harness.processes import Running, function_process, store_process, web_process

IDLE = 100           # connections that send nothing at all
TRICKLING = 100      # connections that send headers, part of a body, then one byte at a time
PROBES = 50
P95_LIMIT = 0.5      # seconds
RSS_GROWTH_LIMIT = 64 * 1024 * 1024


@pytest.fixture(params=["store", "open_since", "web"])
def service(request, tmp_path: Path) -> Iterator[Running]:
    """One service as a real process (a function and the web app get a store to talk to)."""
    store = store_process(tmp_path / "helpdesk.duckdb").start()
    target = store
    try:
        if request.param == "open_since":
            target = function_process("open_since", store.url).start()
        elif request.param == "web":
            target = web_process({"HELPDESK_STORE_URL": store.url}).start()
        yield target
    finally:
        if target is not store:
            target.stop()
        store.stop()


def open_slow_clients(port: int) -> tuple[list[socket.socket], list[socket.socket]]:
    """Open the idle connections and the trickling ones (each has sent its headers and a part of its body)."""
    idle, trickling = [], []
    for _ in range(IDLE):
        idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    for number in range(TRICKLING):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(b"POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 4000\r\n\r\n" + b'{"description": "' + b"x" * number)
        trickling.append(connection)
    return idle, trickling


def trickle(connections: list[socket.socket]) -> None:
    """Send one more byte of each body."""
    for connection in connections:
        connection.send(b"y")


def probe_times(url: str, connections: list[socket.socket]) -> list[float]:
    """Time PROBES requests on fresh connections, a byte more of each slow body between them."""
    times = []
    for _ in range(PROBES):
        trickle(connections)
        started = time.perf_counter()
        response = requests.get(url, timeout=30)
        times.append(time.perf_counter() - started)
        assert response.status_code < 500
    return times


@pytest.mark.slow
def test_two_hundred_slow_connections_do_not_delay_other_clients(service: Running, record_property):
    health = service.url + service.health_path
    server = psutil.Process(service.process.pid)
    requests.get(health, timeout=10)
    rss_before = server.memory_info().rss
    idle, trickling = open_slow_clients(service.port)
    try:
        time.sleep(0.5)  # let the server accept them all
        times = sorted(probe_times(health, trickling))
        rss_after = server.memory_info().rss
        still_open = sum(1 for connection in trickling if connection.fileno() >= 0)
    finally:
        for connection in idle + trickling:
            connection.close()
    p95 = times[int(0.95 * len(times)) - 1]
    summary = {"service": service.name, "p50_ms": round(statistics.median(times) * 1000, 1),
               "p95_ms": round(p95 * 1000, 1), "max_ms": round(times[-1] * 1000, 1),
               "rss_before_mib": round(rss_before / 2**20, 1), "rss_after_mib": round(rss_after / 2**20, 1)}
    print(summary)
    record_property("slow_clients", summary)
    assert still_open == TRICKLING
    assert p95 < P95_LIMIT, summary
    assert rss_after - rss_before < RSS_GROWTH_LIMIT, summary
