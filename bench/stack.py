"""Build a fresh database of N tickets through the store's bulk import, and run the services on it.

`Bench` is what every measurement module works against: a temporary folder, the database
built in it (by the demo generator of `campus-helpdesk demo` when it is installed, else by
`bench.dataset`), a read-only copy of the file for the in-process DuckDB times, and the store,
the three functions and the web app as real processes on free ports.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import duckdb
import psutil
import requests

from harness.processes import ROOT, Running, function_process, store_process, web_process
from harness.stack import FUNCTION_URL_VARIABLES, FUNCTIONS
from ticket_store.index_sorting import SORTED, SORTING, IndexSorting

from .report import Row, as_dicts, load_average

STAFF = {"X-Helpdesk-Role": "staff"}
SORTED_FROM = 100_000  # tickets: a load of this many leaves an index due for sorting (index_sorting)


def wait_for_index_sorting(store: Running) -> None:
    """Wait for the sort of the search index the store starts after the last import (index_sorting), so that the
    database measured is the one a store holds after it, and no measurement runs beside it."""
    # The store looks every quiet_seconds and sorts at the first look with no write since the one before.
    deadline = time.monotonic() + 2 * IndexSorting.quiet_seconds + 5
    while SORTING not in store.output() and time.monotonic() < deadline:
        time.sleep(0.2)
    deadline = time.monotonic() + 900
    while SORTING in store.output() and SORTED not in store.output() and time.monotonic() < deadline:
        time.sleep(0.5)


class ReadOnlyDatabase:
    """Just enough of the store's Database for its SQL functions: one read-only connection, in this process."""

    def __init__(self, path: Path) -> None:
        self.connection = duckdb.connect(str(path), read_only=True, config={"memory_limit": "512MB"})
        self.connection.execute("SET TimeZone = 'UTC'")
        self.next_events = self.connection.execute("SELECT coalesce(max(id), 0) + 1 FROM events").fetchone()[0]

    def next_id(self, table: str) -> int:
        """Return the next id of *table* (only events are asked for: known_tickets); nothing is written here."""
        return self.next_events

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.connection

    def close(self) -> None:
        self.connection.close()


def demo_available() -> bool:
    """Return True when the `campus-helpdesk demo` generator is in the tree."""
    return (ROOT / "campus_helpdesk" / "demo.py").exists()


def web_available() -> bool:
    """Return True when the web app is in the tree."""
    return (ROOT / "dash_app" / "app.py").exists()


def process_memory(process: psutil.Process) -> tuple[int, int]:
    """Return the resident and the peak resident bytes of *process*."""
    peak = 0
    try:
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    except OSError:
        pass
    rss = process.memory_info().rss
    return rss, max(peak, rss)


def store_memory(store: Running) -> tuple[float, float]:
    """Return the store's resident and peak resident memory in MB."""
    parent = psutil.Process(store.process.pid)
    figures = [process_memory(process) for process in [parent, *parent.children(recursive=True)]]
    return sum(rss for rss, _ in figures) / 1e6, sum(peak for _, peak in figures) / 1e6


def cpu_seconds(running: Running | None = None) -> float:
    """Return the CPU seconds used so far by *running*'s processes, or by this one."""
    if running is None:
        times = psutil.Process().cpu_times()
        return times.user + times.system
    parent = psutil.Process(running.process.pid)
    return sum(sum(process.cpu_times()[:2]) for process in [parent, *parent.children(recursive=True)])


def file_size_mb(path: Path) -> float:
    """Return the size of the database file and its write-ahead log in MB."""
    return sum(part.stat().st_size for part in (path, path.with_name(path.name + ".wal")) if part.exists()) / 1e6


def timed_method(method: Callable[..., Any], spans: list[tuple[float, float]]) -> Callable[..., Any]:
    """Return *method* wrapped so that each call's start and end are appended to *spans*."""
    def timed_call(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spans.append((start, time.perf_counter()))

    return timed_call


class Bench:
    """A fresh database of *tickets* tickets and the services running on it, for one size."""

    def __init__(self, tickets: int, *, functions: bool = True, web: bool = True, loader: str = "auto",
                 timezone: str = "Europe/Rome", demo_messages: int = 2000,
                 say: Callable[[str], None] = print) -> None:
        self.tickets = tickets
        self.want_functions, self.want_web = functions, web and web_available()
        self.loader = ("demo" if demo_available() else "csv") if loader == "auto" else loader
        self.timezone = timezone
        self.demo_messages = demo_messages
        self.say = say
        self.skipped: list[str] = []
        if web and not self.want_web:
            self.skipped.append("the web app (dash_app/ is not in this tree)")
        self.services: list[Running] = []
        self.functions: dict[str, Running] = {}
        self.store: Running | None = None
        self.web: Running | None = None
        self.reference: ReadOnlyDatabase | None = None
        self.load_rows: list[Row] = []
        self.import_peak_mb = 0.0

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> "Bench":
        self.started = time.perf_counter()
        self.load_before = load_average()
        self.load_samples: list[float] = []
        self.sampling = threading.Event()
        threading.Thread(target=self.sample_load, name="load-average", daemon=True).start()
        self.work = Path(tempfile.mkdtemp(prefix="helpdesk-bench-"))
        self.database = self.work / "helpdesk.duckdb"
        try:
            self.load_rows = self.build()
            self.size_mb = file_size_mb(self.database)
            shutil.copyfile(self.database, self.work / "reference.duckdb")
            wal = self.database.with_name(self.database.name + ".wal")
            if wal.exists():  # writes not yet checkpointed (the demo's last messages) are part of the data
                shutil.copyfile(wal, self.work / "reference.duckdb.wal")
            self.reference = ReadOnlyDatabase(self.work / "reference.duckdb")
            self.start_services()
        except BaseException:
            self.__exit__()
            raise
        return self

    def sample_load(self, every: float = 5.0) -> None:
        """Note the 1-minute load average every few seconds until the bench ends."""
        while not self.sampling.wait(every):
            self.load_samples.append(os.getloadavg()[0])

    def __exit__(self, *exc: Any) -> None:
        self.sampling.set()
        for service in reversed(self.services):
            service.stop()
            service.log.unlink(missing_ok=True)
        self.services.clear()
        if self.reference is not None:
            self.reference.close()
            self.reference = None
        shutil.rmtree(self.work, ignore_errors=True)  # a million tickets take a few hundred MB

    def start(self, service: Running, timeout: float = 60) -> Running:
        self.services.append(service)
        return service.start(timeout)

    def build(self) -> list[Row]:
        """Load the tickets into a fresh database through a store of their own; stop it (a checkpoint)."""
        store = self.start(store_process(self.database))
        try:
            rows = self.load_demo(store.url) if self.loader == "demo" else self.load_csv(store.url)
            if self.tickets >= SORTED_FROM:
                wait_for_index_sorting(store)
            self.import_peak_mb = store_memory(store)[1]
        except Exception:
            self.say("The store's log before the load failed:\n" + store.output())
            raise
        finally:
            store.stop()
            self.services.remove(store)
            store.log.unlink(missing_ok=True)
        return rows

    def load_csv(self, store_url: str) -> list[Row]:
        """Generate the tickets as one CSV file with bench.dataset and import it in one request."""
        from .dataset import write_tickets_csv

        start = time.perf_counter()
        csv_path = write_tickets_csv(self.work / "tickets.csv", self.tickets)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        with open(csv_path, "rb") as body:
            response = requests.post(f"{store_url}/api/v1/import", data=body,
                                     headers={**STAFF, "Content-Type": "text/csv"}, timeout=3600)
        response.raise_for_status()
        seconds = time.perf_counter() - start
        csv_path.unlink()
        self.say(f"  generated {self.tickets:,} tickets in {generated:.1f} s, imported them in {seconds:.1f} s")
        return [Row("load.import", "load", f"import {self.tickets:,} tickets (bench CSV, one request)",
                    value=seconds, unit="s", throughput=self.tickets / seconds, throughput_unit="tickets/s",
                    extra={"tickets": self.tickets, "generate_seconds": generated})]

    def load_demo(self, store_url: str) -> list[Row]:
        """Load the tickets as `campus-helpdesk demo --tickets N` does; time the import requests apart."""
        from campus_helpdesk.demo import load_demo
        from campus_helpdesk.store_client import StoreClient

        client = StoreClient(store_url)
        importing: list[tuple[float, float]] = []
        client.import_tickets = timed_method(client.import_tickets, importing)  # type: ignore[method-assign]
        load = load_demo(client, self.tickets, seed=1, messages=self.demo_messages, progress=False,
                         say=lambda line: self.say("  " + line))
        finished = time.perf_counter()
        import_seconds = sum(end - start for start, end in importing)
        threads_seconds = finished - importing[-1][1]
        demo = Row("load.demo", "load", f"demo load: {load.tickets:,} tickets and {load.messages:,} messages "
                   "(campus-helpdesk demo)", value=load.seconds, unit="s", throughput=load.tickets / load.seconds,
                   throughput_unit="tickets/s",
                   extra={"tickets": load.tickets, "messages": load.messages, "import_seconds": import_seconds,
                          "threads_seconds": threads_seconds})
        demo.note = (f"{import_seconds:.1f} s in the import requests, {threads_seconds:.1f} s after them choosing "
                     f"and posting {load.messages:,} thread messages, the rest waiting for the generator, "
                     "which builds the next chunk while one is imported")
        requests_ = "request" if len(importing) == 1 else "requests"
        return [demo, Row("load.import", "load", f"import {load.tickets:,} tickets (POST /import, {len(importing)} "
                          f"{requests_} of up to 100,000)", value=import_seconds, unit="s",
                          throughput=load.tickets / import_seconds, throughput_unit="tickets/s",
                          extra={"tickets": load.tickets, "requests": len(importing)})]

    def start_services(self) -> None:
        """Start the store on the built database, then the functions and the web app as asked."""
        self.store = self.start(store_process(self.database))
        if self.want_functions:
            for name in FUNCTIONS:
                self.functions[name] = self.start(function_process(name, self.store.url,
                                                                   HELPDESK_TIMEZONE=self.timezone))
        if self.want_web:
            urls = {"HELPDESK_STORE_URL": self.store.url,
                    **{FUNCTION_URL_VARIABLES[name]: server.url for name, server in self.functions.items()}}
            # the web app with its production settings (two workers)
            self.web = self.start(web_process(urls, workers=None, HELPDESK_TIMEZONE=self.timezone), timeout=120)

    # ------------------------------------------------------------ results

    @property
    def api(self) -> str:
        return self.store.url + "/api/v1"

    def store_cpu(self) -> float:
        """Return the CPU seconds the store has used so far."""
        return cpu_seconds(self.store)

    def resource_rows(self) -> list[Row]:
        """Return the database size and the store's memory now and at its peak."""
        rss, peak = store_memory(self.store)
        return [
            Row("resources.database", "resources", "database file on disk (after the import, checkpointed)",
                value=self.size_mb, unit="MB"),
            Row("resources.store_memory", "resources", "store memory (RSS, arbiter + worker) after the run",
                value=rss, unit="MB", extra={"peak_mb": peak}),
            Row("resources.import_memory", "resources", "store memory peak during the import (RSS high-water mark)",
                value=self.import_peak_mb, unit="MB"),
        ]

    def result(self, rows: list[Row]) -> dict[str, Any]:
        """Return this size's results as the report stores them."""
        return {"tickets": self.tickets, "loader": {"demo": "campus-helpdesk demo generator",
                                                    "csv": "bench/dataset.py CSV"}[self.loader],
                "load_before": self.load_before, "load_after": load_average(),
                "load_during": {"min": min(self.load_samples, default=None), "max": max(self.load_samples, default=None),
                                "mean": sum(self.load_samples) / len(self.load_samples) if self.load_samples else None},
                "seconds": time.perf_counter() - self.started, "skipped": self.skipped, "rows": as_dicts(rows)}
