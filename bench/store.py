"""Measure the ticket store over HTTP: list pages, search, get, create, post message.

    python -m bench.store --tickets 1000000

On its own it builds a database of N tickets through the bulk import, starts the store under
waitress and prints a table; `python -m bench` runs the same measurements as part of the whole.
Reads are timed alternately with the store's own function for the same request run in this
process on a read-only copy of the file (the `DuckDB in-process` column), so both see the same
load on a shared machine.
"""
from __future__ import annotations

import argparse
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

import requests

from ticket_store import tickets as ticket_sql
from ticket_store.payloads import parse_ticket_query

from .report import Row
from .stack import STAFF, ReadOnlyDatabase, cpu_seconds
from .timing import interleaved, p50, timed

# 32 words of one demo ticket (its title, description and location): every word must match.
MANY_WORDS = ("software missing hi the programming environment for course is on lab pcs still not fixed since i last "
              "reported it colleagues in office have same problem thank you computer 2 building d")
REVIEW_THRESHOLD = 0.5  # only decides the needs_review flag of each row; any value costs the same
TIMEOUT = 60


@dataclass(frozen=True)
class ListRequest:
    """One list request the web app or a client makes."""

    key: str
    label: str
    params: dict[str, Any]
    role: str = "staff"
    share: float = 1.0  # of --repeat


def list_requests(tickets: int) -> list[ListRequest]:
    """Return the list requests measured at *tickets* tickets."""
    deep = min(10_000, max(0, tickets - 200))
    return [
        ListRequest("store.list.first_page", "list: first page as the web app asks (staff, all statuses, "
                    "newest first, 100, with counts)", {"sort": "-id", "limit": 100, "with_counts": "true"}),
        ListRequest("store.list.user_first_page", "list: open and active (a campus user), newest opened first, 100",
                    {"sort": "-opened_at", "limit": 100}, role="user"),
        ListRequest("store.list.deep_offset", f"list: all statuses, newest opened first, 100 at offset {deep:,}",
                    {"sort": "-opened_at", "limit": 100, "offset": deep}),
        ListRequest("store.list.category", "list: category filter, all statuses, 100",
                    {"category": "it", "sort": "-id", "limit": 100}),
        ListRequest("store.list.sort_title", "list: active, sorted by title, 100",
                    {"status": "active", "sort": "title", "limit": 100}),
        ListRequest("store.list.sla_due", "list: at risk or breached, not closed, soonest first answer due first, "
                    "100, with counts (the staff's queue)",
                    {"sla": "at_risk,breached", "status": "open,active", "sort": "response_due_at", "limit": 100,
                     "with_counts": "true"}),
        ListRequest("store.search.one_word", "search: one word, all statuses, 100, with counts (as the web app)",
                    {"q": "projector", "sort": "-id", "limit": 100, "with_counts": "true"}),
        ListRequest("store.search.two_words", "search: two words, all statuses, 100, with counts (as the web app)",
                    {"q": "wifi library", "sort": "-id", "limit": 100, "with_counts": "true"}),
        ListRequest("store.search.prefix", "search: a word and a prefix being typed, with counts",
                    {"q": "printer jam", "sort": "-id", "limit": 100, "with_counts": "true"}),
        ListRequest("store.search.relevance", "search: two words, sort=relevance, with counts",
                    {"q": "projector aula", "sort": "relevance", "limit": 100, "with_counts": "true"}),
        ListRequest("store.search.many_words", f"search: {len(MANY_WORDS.split())} words, with counts",
                    {"q": MANY_WORDS, "sort": "-id", "limit": 100, "with_counts": "true"}, share=0.5),
    ]


def measure_reads(api: str, tickets: int, repeat: int, reference: ReadOnlyDatabase | None,
                  store_cpu: Callable[[], float] | None = None) -> list[Row]:
    """Time the list, search and get requests; beside each, the store's own function in-process."""
    session = requests.Session()
    rows = []
    in_reference = ticket_sql.Tickets(reference, REVIEW_THRESHOLD) if reference else None
    for request in list_requests(tickets):
        headers = {"X-Helpdesk-Role": request.role}

        def over_http(params: dict[str, Any] = request.params, headers: dict[str, str] = headers) -> None:
            session.get(f"{api}/tickets", params=params, headers=headers, timeout=TIMEOUT).raise_for_status()

        params = dict(request.params)
        if request.role == "user":
            params.setdefault("status", "open,active")  # what the handler does for a user
        query = parse_ticket_query({key: str(value) for key, value in params.items()})
        in_process = lambda query=query: in_reference.list_tickets(query)  # noqa: E731
        rows.append(compare(request.key, request.label, over_http, in_process if reference else None,
                            max(4, int(repeat * request.share)), store_cpu))

    ids = random.Random(7)

    def get_over_http() -> None:
        session.get(f"{api}/tickets/{ids.randint(1, tickets)}", headers=STAFF, timeout=TIMEOUT).raise_for_status()

    def get_in_process() -> None:
        in_reference.get_ticket(ids.randint(1, tickets))

    rows.append(compare("store.get", "get ticket by id", get_over_http, get_in_process if reference else None,
                        repeat, store_cpu))
    if reference:
        rows.append(index_size_row(reference))
    return rows


def index_size_row(reference: ReadOnlyDatabase) -> Row:
    """Return the search index's size on disk: the blocks its tables occupy, and its rows."""
    cursor = reference.cursor()
    block_size = cursor.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
    blocks = sum(cursor.execute(f"SELECT count(DISTINCT block_id) FROM pragma_storage_info('{table}') "
                                "WHERE block_id IS NOT NULL").fetchone()[0] for table in ("ticket_terms", "search_terms"))
    postings, terms = cursor.execute("SELECT (SELECT count(*) FROM ticket_terms), (SELECT count(*) FROM search_terms)"
                                     ).fetchone()
    return Row("resources.search_index", "resources", "search index on disk (ticket_terms and search_terms)",
               value=blocks * block_size / 1e6, unit="MB", extra={"rows": postings, "terms": terms})


def compare(key: str, label: str, over_http: Callable[[], Any], in_process: Callable[[], Any] | None,
            repeat: int, store_cpu: Callable[[], float] | None = None) -> Row:
    """Return the row of one request timed over HTTP, alternating with the in-process call when given."""
    for call in (over_http, in_process or over_http):  # warm up, outside the store's CPU count
        call()
    before = store_cpu() if store_cpu else 0.0
    if in_process is None:
        row = Row.latency(key, "store", label, timed(over_http, repeat, warmup=0))
    else:
        http_ms, local_ms = interleaved(over_http, in_process, repeat, warmup=0)
        row = Row.latency(key, "store", label, http_ms, duckdb_p50_ms=p50(local_ms))
        row.ratio = row.p50_ms / row.duckdb_p50_ms
    if store_cpu:
        row.extra["store_cpu_ms_per_request"] = (store_cpu() - before) * 1000 / repeat
    return row


def measure_writes(api: str, repeat: int, store_cpu: Callable[[], float] | None = None,
                   clients: int = 8) -> list[Row]:
    """Time creating tickets (one client, then *clients* at once) and posting messages."""
    session = requests.Session()
    rows = []

    # With a contact, as most campus reports will come: each create also issues a follow token and
    # queues the reporter's first mail in the same write.
    def create(own: requests.Session = session) -> None:
        own.post(f"{api}/tickets", json={"description": "The heating in room 2.14 is off again",
                                         "location": "Building B", "contact": "reporter@uni.example.edu"},
                 timeout=TIMEOUT).raise_for_status()

    rows.append(compare("store.create.one", "create ticket with a contact (one client)", create, None, repeat, store_cpu))

    per_client = max(5, repeat // 2)

    def client(_: int) -> list[float]:
        own = requests.Session()
        return timed(lambda: create(own), per_client, warmup=0)

    cpu_before, own_before, start = store_cpu() if store_cpu else 0.0, cpu_seconds(), time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        samples = [ms for batch in pool.map(client, range(clients)) for ms in batch]
    rate = len(samples) / (time.perf_counter() - start)
    row = Row.latency("store.create.eight", "store", f"create ticket with a contact ({clients} concurrent clients)",
                      samples, throughput=rate, throughput_unit="creates/s")
    if store_cpu:
        # Every create costs CPU in the store and in the client; two cores cap the rate at their sum.
        store_ms = (store_cpu() - cpu_before) * 1000 / len(samples)
        client_ms = (cpu_seconds() - own_before) * 1000 / len(samples)
        ceiling = (os.cpu_count() or 1) * 1000 / (store_ms + client_ms)
        row.extra.update(store_cpu_ms_per_request=store_ms, client_cpu_ms_per_request=client_ms,
                         cpu_ceiling_per_s=ceiling)
        row.note = (f"each create cost {store_ms:.1f} ms of CPU in the store and {client_ms:.1f} ms in the "
                    f"client, so {os.cpu_count()} cores allow at most {ceiling:,.0f} creates/s")
    rows.append(row)

    # Messages go under open tickets (a closed one would answer 409 without writing anything).
    open_ids = [ticket["id"] for ticket in session.get(
        f"{api}/tickets", params={"status": "open", "limit": 50, "sort": "-id"}, headers=STAFF,
        timeout=TIMEOUT).json()["items"]]
    turn = iter(range(10**9))

    def post_message() -> None:
        ticket_id = open_ids[next(turn) % len(open_ids)]
        session.post(f"{api}/tickets/{ticket_id}/messages", json={"body": "Any news?"}, headers=STAFF,
                     timeout=TIMEOUT).raise_for_status()

    rows.append(compare("store.message", "post message", post_message, None, max(5, repeat // 2), store_cpu))
    rows.append(measure_bulk(api, session, max(3, repeat // 10)))
    return rows


def measure_bulk(api: str, session: requests.Session, repeat: int, size: int = 500) -> Row:
    """Time POST /tickets/bulk setting the priority of *size* not-closed tickets (each time a change)."""
    ids: list[int] = []
    while len(ids) < size:
        page = session.get(f"{api}/tickets", params={"status": "open,active", "limit": 200, "offset": len(ids),
                                                      "sort": "-id"}, headers=STAFF, timeout=TIMEOUT).json()
        ids += [ticket["id"] for ticket in page["items"]]
        if len(page["items"]) < 200:
            break
    ids = ids[:size]
    priorities = iter(["high", "normal"] * 10**6)

    def change_many() -> None:
        response = session.post(f"{api}/tickets/bulk", json={"ids": ids, "action": "priority",
                                                             "value": next(priorities)},
                                headers=STAFF, timeout=TIMEOUT)
        response.raise_for_status()
        assert response.json()["changed"] == len(ids), response.text[:300]

    return Row.latency(f"store.bulk.{size}", "store", f"bulk: set the priority of {len(ids)} tickets in one request",
                       timed(change_many, repeat))


def main() -> None:
    from .stack import Bench

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with Bench(args.tickets, functions=False, web=False) as bench:
        rows = bench.load_rows + measure_reads(bench.api, args.tickets, args.repeat, bench.reference,
                                               bench.store_cpu)
        rows += measure_writes(bench.api, args.repeat, bench.store_cpu) + bench.resource_rows()
    from .report import judge, size_table

    judge(rows, args.tickets)
    print(size_table(bench.result(rows)))


if __name__ == "__main__":
    main()
