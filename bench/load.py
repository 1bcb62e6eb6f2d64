"""Load test: simulated campus users and helpdesk staff against the running stack, on loopback.

Each simulated person works like a person at the web app would make the servers work: campus users
list tickets, open one (ticket, thread, history), report new ones (with the category preview while
typing), write messages and edit; staff also move tickets along the workflow and look at the
analytics. Between actions each one thinks for a moment. The report gives, per request type, how
many were sent, how many failed, and the median, 95th percentile and slowest answer; and the
store's memory before and after.

    python -m bench.load                       # starts its own stack with 20,000 tickets
    python -m bench.load --users 50 --seconds 60 --store-url http://127.0.0.1:8060 ...

A failure is a connection error, a timeout, a 5xx, or a 4xx other than those a person can meet
in a busy helpdesk: 412 (someone changed the ticket first), 409 (someone already moved it) and,
for a campus user, 403 on a ticket staff closed after the user saw it in the list. Those are
counted as conflicts.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import psutil
import requests

TIMEOUT = (3, 30)
FUNCTIONS = ("open_since", "resolution_time", "category_active")
WORDS = ["projector", "eduroam", "radiator", "canteen", "printer", "lift", "library", "leak", "password", "bus"]
CONFLICTS = (409, 412)


@dataclass
class Stack:
    """Where the services answer; *token* is sent when set; *store_pid* is measured when known."""

    store_url: str
    function_urls: dict[str, str] = field(default_factory=dict)
    web_url: str | None = None
    token: str | None = None
    store_pid: int | None = None


@dataclass
class Results:
    """Latencies (ms), failures and conflicts per request type, shared by all simulated people."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    conflicts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, milliseconds: float, failure: str | None = None, conflict: bool = False) -> None:
        with self.lock:
            self.latencies[kind].append(milliseconds)
            if failure:
                self.failures[kind].append(failure)
            if conflict:
                self.conflicts[kind] += 1

    @property
    def total_failures(self) -> int:
        return sum(len(items) for items in self.failures.values())


class Person:
    """One simulated campus user or staff member."""

    def __init__(self, number: int, role: str, stack: Stack, results: Results, seed: int) -> None:
        self.role = role
        self.name = f"{role} {number}"
        self.stack = stack
        self.results = results
        self.random = random.Random(seed)
        self.session = requests.Session()
        self.session.headers["X-Helpdesk-Role"] = role
        if stack.token:
            self.session.headers["Authorization"] = f"Bearer {stack.token}"
        self.known: list[int] = []  # ticket ids this person has seen in a list

    def call(self, kind: str, method: str, url: str, **kwargs: Any) -> requests.Response | None:
        """Send one request and record how it went."""
        start = time.perf_counter()
        try:
            response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as error:
            self.results.record(kind, (time.perf_counter() - start) * 1000, f"{type(error).__name__}: {error}"[:300])
            return None
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code in CONFLICTS or self.closed_meanwhile(response):
            self.results.record(kind, elapsed, conflict=True)
        elif response.status_code >= 400:
            self.results.record(kind, elapsed, f"{response.status_code} {response.text[:200]}")
        else:
            self.results.record(kind, elapsed)
        return response

    def closed_meanwhile(self, response: requests.Response) -> bool:
        """Return True for a campus user's 403 on a ticket staff closed after the user listed it."""
        return (response.status_code == 403 and self.role == "user"
                and "is closed" in response.json().get("error", ""))

    @property
    def api(self) -> str:
        return self.stack.store_url + "/api/v1"

    # -- actions ---------------------------------------------------------------------------------------------------

    def list_tickets(self) -> None:
        params: dict[str, Any] = {"limit": 25, "sort": self.random.choice(["-opened_at", "-updated_at", "-id"])}
        if self.random.random() < 0.3:
            params["q"] = self.random.choice(WORDS)
        if self.role == "staff":
            params["with_counts"] = "true"
            params["status"] = self.random.choice(["open", "active", "open,active", "closed"])
        if self.random.random() < 0.2:
            params["offset"] = self.random.choice([25, 50, 500])
        if self.stack.web_url and self.random.random() < 0.3:
            self.open_page("/tickets")
        response = self.call("list", "GET", f"{self.api}/tickets", params=params)
        if response is not None and response.ok:
            self.known = [ticket["id"] for ticket in response.json()["items"]] or self.known

    def view_ticket(self) -> dict[str, Any] | None:
        if not self.known:
            self.list_tickets()
        if not self.known:
            return None
        ticket_id = self.random.choice(self.known)
        response = self.call("view", "GET", f"{self.api}/tickets/{ticket_id}")
        self.call("thread", "GET", f"{self.api}/tickets/{ticket_id}/messages")
        self.call("history", "GET", f"{self.api}/tickets/{ticket_id}/events")
        return response.json() if response is not None and response.ok else None

    def create_ticket(self) -> None:
        words = self.random.sample(WORDS, 3)
        description = f"The {words[0]} near the {words[1]} is not working again; the {words[2]} too."
        for typed in (description[:20], description[:45]):  # the new-ticket page previews the category
            self.call("categorize (preview)", "POST", f"{self.api}/categorize", json={"text": typed})
        response = self.call("create", "POST", f"{self.api}/tickets",
                             json={"description": description, "title": f"{words[0].title()} problem",
                                   "location": f"Building {self.random.choice('ABCDE')}", "reporter": self.name})
        if response is not None and response.ok:
            self.known.append(response.json()["id"])

    def post_message(self) -> None:
        ticket = self.view_ticket()
        if ticket and ticket["status"] != "closed":
            self.call("message", "POST", f"{self.api}/tickets/{ticket['id']}/messages",
                      json={"body": f"Any news? It is still happening ({self.name}).", "author_name": self.name})

    def edit_ticket(self) -> None:
        ticket = self.view_ticket()
        if ticket and ticket["status"] != "closed":
            self.call("edit", "PATCH", f"{self.api}/tickets/{ticket['id']}",
                      json={"location": f"Room {self.random.randint(1, 400)}"},
                      headers={"If-Match": f'"{ticket["version"]}"'})

    def change_status(self) -> None:
        ticket = self.view_ticket()
        if ticket and ticket["status"] != "closed":
            following = {"open": "active", "active": "closed"}[ticket["status"]]
            self.call("status change", "POST", f"{self.api}/tickets/{ticket['id']}/status",
                      json={"status": following}, headers={"If-Match": f'"{ticket["version"]}"'})

    def open_page(self, path: str) -> None:
        """Load a web app page as a browser with warm caches does: the page, then its layout."""
        self.call("web page", "GET", self.stack.web_url + path)
        self.call("web layout", "GET", self.stack.web_url + "/_dash-layout")

    def analytics(self) -> None:
        if self.stack.web_url:
            self.open_page("/analytics")
        name = self.random.choice([name for name in FUNCTIONS if name in self.stack.function_urls] or [None])
        if name is None:
            return
        params = {"open_since": {self.random.choice(["hours", "days"]): self.random.choice([24, 72, 168])},
                  "resolution_time": {}, "category_active": {}}[name]
        self.call(f"analytics: {name}", "GET", self.stack.function_urls[name] + "/", params=params)

    def actions(self) -> list[tuple[Callable[[], Any], int]]:
        """Return the actions with their weights for this person's role."""
        if self.role == "staff":
            return [(self.list_tickets, 30), (self.view_ticket, 25), (self.post_message, 15), (self.edit_ticket, 5),
                    (self.change_status, 15), (self.analytics, 10)]
        return [(self.list_tickets, 35), (self.view_ticket, 25), (self.create_ticket, 15), (self.post_message, 15),
                (self.edit_ticket, 10)]

    def work(self, deadline: float, think: tuple[float, float]) -> None:
        """Act and think until *deadline*."""
        actions, weights = zip(*self.actions())
        time.sleep(self.random.uniform(0, think[1]))  # people do not all start at the same instant
        while time.monotonic() < deadline:
            self.random.choices(actions, weights)[0]()
            time.sleep(self.random.uniform(*think))


def process_memory_mb(pid: int | None) -> float | None:
    """Return the resident memory of a process and its children in MB."""
    if pid is None:
        return None
    parent = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 1e6


def run_load(stack: Stack, users: int = 50, seconds: float = 60, staff_share: float = 0.2,
             think: tuple[float, float] = (0.5, 1.5), seed: int = 1) -> dict[str, Any]:
    """Run *users* simulated people for *seconds*; return the report."""
    results = Results()
    staff = max(1, round(users * staff_share))
    people = [Person(n, "staff" if n < staff else "user", stack, results, seed * 1000 + n) for n in range(users)]
    memory_before = process_memory_mb(stack.store_pid)
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=person.work, args=(deadline, think), daemon=True) for person in people]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    samples = [memory_before]
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(10.0, left))
        samples.append(process_memory_mb(stack.store_pid))
    for thread in threads:
        thread.join(max(0.0, deadline + 120 - time.monotonic()))
    elapsed = time.monotonic() - started
    return {"users": users, "staff": staff, "seconds": round(elapsed, 1), "results": results,
            "memory_before_mb": memory_before, "memory_after_mb": process_memory_mb(stack.store_pid),
            "memory_samples_mb": samples,
            "requests": sum(len(samples) for samples in results.latencies.values())}


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def report_table(report: dict[str, Any]) -> str:
    """Return the report as a Markdown table with a summary line."""
    results: Results = report["results"]
    lines = ["| request type | requests | failures | conflicts | median ms | p95 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for kind in sorted(results.latencies):
        samples = results.latencies[kind]
        lines.append(f"| {kind} | {len(samples)} | {len(results.failures[kind])} | {results.conflicts[kind]} | "
                     f"{statistics.median(samples):.1f} | {percentile(samples, 0.95):.1f} | {max(samples):.1f} |")
    rate = report["requests"] / report["seconds"]
    memory = ""
    if report["memory_before_mb"] is not None:
        memory = (f"; store memory {report['memory_before_mb']:.0f} MB before, {report['memory_after_mb']:.0f} MB "
                  f"after (every 10 s: {', '.join(f'{mb:.0f}' for mb in report['memory_samples_mb'])})")
    for kind, items in sorted(results.failures.items()):
        for item in items[:3]:
            lines.append(f"\n{kind} failed: {item}")
    lines.append("")
    lines.append(f"{report['users']} people ({report['staff']} staff) for {report['seconds']} s: "
                 f"{report['requests']} requests ({rate:.0f}/s), {results.total_failures} failures{memory}.")
    return "\n".join(lines)


def start_stack(tickets: int, token: str | None = None, work: Path | None = None) -> tuple[Stack, list[Any]]:
    """Start the store (filled with *tickets* tickets), the functions and the web app on free ports.

    The database and its CSV go in *work* (a new temporary folder when None, kept for a look afterwards).
    """
    from harness.processes import ROOT, function_process, store_process, web_process

    from .dataset import write_tickets_csv

    work = work or Path(tempfile.mkdtemp(prefix="helpdesk-load-"))
    env = {"HELPDESK_API_TOKEN": token} if token else {}
    store = store_process(work / "helpdesk.duckdb", **env).start()
    running: list[Any] = [store]
    try:
        headers = {"X-Helpdesk-Role": "staff", "Content-Type": "text/csv",
                   **({"Authorization": f"Bearer {token}"} if token else {})}
        if tickets:
            body = write_tickets_csv(work / "tickets.csv", tickets).read_bytes()
            requests.post(store.url + "/api/v1/import", data=body, headers=headers, timeout=300).raise_for_status()
        urls = {"HELPDESK_STORE_URL": store.url}
        functions = {}
        for name in FUNCTIONS:
            if (ROOT / "functions" / name / "main.py").exists():
                running.append(function_process(name, store.url, **env).start())
                functions[name] = running[-1].url
                urls[f"HELPDESK_{name.upper()}_URL"] = running[-1].url
        web_url = None
        if (ROOT / "dash_app" / "app.py").exists():
            running.append(web_process(urls, **env).start(timeout=60))
            web_url = running[-1].url
    except BaseException:
        for service in reversed(running):
            service.stop()
        raise
    return Stack(store.url, functions, web_url, token, store.process.pid), running


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--staff-share", type=float, default=0.2)
    parser.add_argument("--tickets", type=int, default=20_000, help="tickets to load first (own stack only)")
    parser.add_argument("--store-url", help="use a running stack instead of starting one")
    parser.add_argument("--web-url")
    parser.add_argument("--token", help="the stack's HELPDESK_API_TOKEN, if it has one")
    for name in FUNCTIONS:
        parser.add_argument(f"--{name.replace('_', '-')}-url")
    args = parser.parse_args()

    running: list[Any] = []
    if args.store_url:
        functions = {name: getattr(args, f"{name}_url") for name in FUNCTIONS if getattr(args, f"{name}_url")}
        stack = Stack(args.store_url, functions, args.web_url, args.token)
    else:
        stack, running = start_stack(args.tickets, args.token)
    try:
        report = run_load(stack, args.users, args.seconds, args.staff_share)
        print(report_table(report))
        if report["results"].total_failures:
            for service in running:
                print(f"\n--- {service.name} log ---\n{service.output()}")
    finally:
        for service in reversed(running):
            service.stop()


if __name__ == "__main__":
    main()
