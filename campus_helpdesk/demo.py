"""A realistic demo history of campus tickets, generated with numpy and loaded through the store's bulk import.

Everything random is drawn up front, for all tickets at once, from one generator seeded by the
caller, so the same seed and the same *now* give the same tickets. Text is then put together per
chunk with Arrow and sent as CSV while the next chunk is being built.
"""
from __future__ import annotations

import io
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import demo_text as words
from .store_client import StoreClient, StoreError

COLUMNS = ("title", "description", "location", "reporter", "category", "status", "opened_at", "closed_at")
HISTORY_DAYS = 548  # about 18 months
CHUNK_ROWS = 100_000
DEMO_TICKETS = 4000  # what `up --demo` loads
DEMO_MESSAGES = 2000
HOUR = 3600

# Share of each category over a year; the season of its problems moves it month by month.
CATEGORY_SHARES = np.array([0.38, 0.37, 0.25])
# Median hours from opening to closing per category (facility needs people and parts; IT is mostly remote).
MEDIAN_RESOLUTION_HOURS = np.array([50.0, 6.0, 26.0])
RESOLUTION_SPREAD = 1.0  # sigma of the log-normal resolution time
# Tickets that wait for parts, a contractor or another office take 4-15 times longer.
WAITING_SHARE = np.array([0.10, 0.02, 0.05])
# Tickets nobody ever closed: the old part of the backlog, largest for facility.
FORGOTTEN_SHARE = np.array([0.035, 0.01, 0.025])
MISSING = {"title": 0.15, "location": 0.08}
REPORTER_FORMATS = np.array([0.45, 0.22, 0.08, 0.05, 0.08, 0.12])  # full, email, student id, title, first, none


def term_weight(month: int, day: int) -> float:
    """Return how busy the campus is on a day of the academic year (1.0 is an ordinary teaching day)."""
    if (month, day) <= (1, 6) or (month, day) >= (12, 21):
        return 0.25  # Christmas break
    if month == 1 or (month == 2 and day <= 14):
        return 1.15  # end of winter term and exams
    if month == 2:
        return 0.6  # break between terms
    if month < 6 or (month == 6 and day <= 15):
        return 1.2  # summer term
    if month == 6 or (month == 7 and day <= 15):
        return 1.0  # summer exams
    if month in (7, 8):
        return 0.3  # summer holidays
    if month == 9 and day <= 20:
        return 0.75  # enrolment, before lectures start
    return 1.3  # winter term


WEEKDAY_WEIGHTS = np.array([1.2, 1.1, 1.1, 1.05, 0.85, 0.3, 0.25])  # Monday first
HOUR_WEIGHTS = np.array([0.05, 0.03, 0.02, 0.02, 0.03, 0.05, 0.15, 0.45, 1.2, 1.6, 1.6, 1.5,
                         1.2, 1.3, 1.4, 1.3, 1.1, 0.8, 0.55, 0.45, 0.35, 0.3, 0.2, 0.1])
TERM_WEIGHTS = np.array([[term_weight(month, day) if day <= 31 else 0.0 for day in range(1, 32)]
                         for month in range(1, 13)])


@dataclass(frozen=True)
class Vocabulary:
    """The demo words flattened into arrays, so that picking text for a million tickets is indexing."""

    problem_category: np.ndarray
    problem_speed: np.ndarray
    problem_place: np.ndarray
    problem_weights: np.ndarray  # [category, month, problem]
    reports: pa.Array
    report_start: np.ndarray
    report_count: np.ndarray
    titles: pa.Array
    title_start: np.ndarray
    title_count: np.ndarray
    places: pa.Array
    place_start: np.ndarray
    place_count: np.ndarray
    impacts: pa.Array
    impact_start: np.ndarray
    impact_count: np.ndarray


def flatten(groups: list[tuple[str, ...]]) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Return all strings of *groups* in one array, with each group's start and size."""
    counts = np.array([len(group) for group in groups])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return pa.array([text for group in groups for text in group], pa.string()), starts, counts


def vocabulary() -> Vocabulary:
    """Return the demo words as arrays."""
    problems = [(index, problem) for index, category in enumerate(words.CATEGORIES)
                for problem in words.PROBLEMS[category]]
    place_kinds = list(words.PLACES)
    weights = np.zeros((len(words.CATEGORIES), 12, len(problems)))
    for column, (category, problem) in enumerate(problems):
        weights[category, :, column] = words.SEASONS[problem.season]
    reports, report_start, report_count = flatten([problem.reports for _, problem in problems])
    titles, title_start, title_count = flatten([problem.titles for _, problem in problems])
    places, place_start, place_count = flatten([words.PLACES[kind] for kind in place_kinds])
    impacts, impact_start, impact_count = flatten([words.IMPACT[category] for category in words.CATEGORIES])
    return Vocabulary(
        problem_category=np.array([category for category, _ in problems]),
        problem_speed=np.array([problem.speed for _, problem in problems]),
        problem_place=np.array([place_kinds.index(problem.places) for _, problem in problems]),
        problem_weights=weights,
        reports=reports, report_start=report_start, report_count=report_count,
        titles=titles, title_start=title_start, title_count=title_count,
        places=places, place_start=place_start, place_count=place_count,
        impacts=impacts, impact_start=impact_start, impact_count=impact_count,
    )


def pick(rng: np.random.Generator, start: np.ndarray, count: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Return, for each ticket, a uniformly chosen index inside its *group*'s range."""
    return start[group] + (rng.random(len(group)) * count[group]).astype(np.int64)


def opening_times(rng: np.random.Generator, count: int, now: int) -> np.ndarray:
    """Return *count* sorted opening instants (Unix seconds) over the history, busy in term time and office hours."""
    start = now - HISTORY_DAYS * 86400
    hours = np.arange(start // HOUR, now // HOUR + 1)
    # The first and the last hour are only partly inside the history.
    lower = np.maximum(hours * HOUR, start)
    upper = np.minimum((hours + 1) * HOUR, now + 1)
    days = (hours * HOUR // 86400).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    month_index = months.astype(np.int64) % 12
    day_index = (days - months).astype(np.int64)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    weights = (TERM_WEIGHTS[month_index, day_index] * WEEKDAY_WEIGHTS[weekday] * HOUR_WEIGHTS[hours % 24]
               * (upper - lower) / HOUR)
    chosen = rng.choice(len(hours), size=count, p=weights / weights.sum())
    instants = lower[chosen] + (rng.random(count) * (upper - lower)[chosen]).astype(np.int64)
    return np.sort(instants)


@dataclass(frozen=True)
class TicketPlan:
    """Every choice for every ticket, as arrays; text is built from it chunk by chunk."""

    opened: np.ndarray
    closed: np.ndarray  # Unix seconds; meaningful only where status is closed
    status: np.ndarray  # 0 open, 1 active, 2 closed
    category: np.ndarray
    problem: np.ndarray
    report: np.ndarray
    title: np.ndarray  # -1 for no title
    place: np.ndarray  # -1 for no location
    greeting: np.ndarray
    when: np.ndarray
    impact: np.ndarray
    closing: np.ndarray
    reporter_format: np.ndarray
    first_name: np.ndarray
    last_name: np.ndarray
    student_number: np.ndarray

    def __len__(self) -> int:
        return len(self.opened)


def plan_tickets(count: int, seed: int, now: datetime, words_: Vocabulary | None = None) -> TicketPlan:
    """Draw every choice for *count* tickets opened over the 18 months before *now*."""
    vocab = words_ or vocabulary()
    rng = np.random.default_rng(seed)
    now_s = int(now.timestamp())
    opened = opening_times(rng, count, now_s)
    month = opened.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64) % 12

    # Category by month: each category's share, moved by how common its problems are in that month.
    seasonal = vocab.problem_weights.sum(axis=2) / (vocab.problem_weights.sum(axis=2).mean(axis=1, keepdims=True))
    shares = CATEGORY_SHARES[:, None] * seasonal  # [category, month]
    cumulative = np.cumsum(shares / shares.sum(axis=0), axis=0)[:, month]  # [category, ticket]
    category = (rng.random(count)[None, :] > cumulative).sum(axis=0).clip(0, 2)

    problem = np.empty(count, np.int64)
    draws = rng.random(count)
    for index in range(len(words.CATEGORIES)):
        for month_number in range(12):
            chosen = (category == index) & (month == month_number)
            weights = vocab.problem_weights[index, month_number]
            # Zero weights (other categories' problems) are never chosen; the clip guards against rounding.
            cumulative_weights = np.cumsum(weights) / weights.sum()
            problem[chosen] = np.searchsorted(cumulative_weights, draws[chosen], side="right").clip(
                None, np.flatnonzero(weights).max())

    # Resolution: log-normal around the category's median, scaled by the problem; a few are never closed.
    hours = (MEDIAN_RESOLUTION_HOURS[category] * vocab.problem_speed[problem]
             * np.exp(RESOLUTION_SPREAD * rng.standard_normal(count))).clip(0.2, None)
    waiting = rng.random(count) < WAITING_SHARE[category]
    hours[waiting] *= rng.uniform(4, 15, int(waiting.sum()))
    picked_up = opened + (hours * HOUR * rng.uniform(0.05, 0.6, count)).astype(np.int64)
    closed = opened + (hours * HOUR).astype(np.int64)
    status = np.where(closed <= now_s, 2, np.where(picked_up <= now_s, 1, 0))
    forgotten = rng.random(count) < FORGOTTEN_SHARE[category]
    status[forgotten] = (rng.random(int(forgotten.sum())) < 0.6).astype(status.dtype)  # 60 % were picked up

    title = pick(rng, vocab.title_start, vocab.title_count, problem)
    title[rng.random(count) < MISSING["title"]] = -1
    place = pick(rng, vocab.place_start, vocab.place_count, vocab.problem_place[problem])
    place[rng.random(count) < MISSING["location"]] = -1
    return TicketPlan(
        opened=opened, closed=closed, status=status, category=category, problem=problem,
        report=pick(rng, vocab.report_start, vocab.report_count, problem), title=title, place=place,
        greeting=rng.integers(0, len(words.GREETINGS), count), when=rng.integers(0, len(words.WHEN), count),
        impact=pick(rng, vocab.impact_start, vocab.impact_count, category),
        closing=rng.integers(0, len(words.CLOSINGS), count),
        reporter_format=rng.choice(len(REPORTER_FORMATS), size=count, p=REPORTER_FORMATS),
        first_name=rng.integers(0, len(words.FIRST_NAMES), count),
        last_name=rng.integers(0, len(words.LAST_NAMES), count),
        student_number=rng.integers(1_000_000, 9_999_999, count),
    )


def optional(strings: pa.Array, indices: np.ndarray) -> pa.Array:
    """Return strings[indices], null where the index is -1 (or the string is empty)."""
    taken = strings.take(pa.array(np.maximum(indices, 0)))
    missing = pa.array((indices < 0) | (pc.equal(taken, "").to_numpy(zero_copy_only=False)))
    return pc.if_else(missing, pa.scalar(None, pa.string()), taken)


def reporters(plan: TicketPlan, rows: slice) -> pa.Array:
    """Return reporter names in their formats: full name, e-mail, student number, title, first name, none."""
    first = pa.array(words.FIRST_NAMES).take(pa.array(plan.first_name[rows]))
    last = pa.array(words.LAST_NAMES).take(pa.array(plan.last_name[rows]))
    ascii_name = pc.replace_substring_regex(
        pc.utf8_normalize(pc.utf8_lower(pc.binary_join_element_wise(first, last, ".")), "NFKD"), "[^a-z.]", "")
    email = pc.binary_join_element_wise(ascii_name, f"@{words.EMAIL_DOMAIN}", "")
    student = pc.binary_join_element_wise("s", pc.cast(pa.array(plan.student_number[rows]), pa.string()), "")
    titled = pc.binary_join_element_wise(
        pa.array(words.TITLES_OF_PEOPLE).take(pa.array(plan.first_name[rows] % 2)), last, " ")
    full = pc.binary_join_element_wise(first, last, " ")
    none = pa.nulls(len(first), pa.string())
    return pc.choose(pa.array(plan.reporter_format[rows].astype(np.int8)), full, email, student, titled, first, none)


def iso(seconds: np.ndarray) -> pa.Array:
    """Return Unix seconds as ISO 8601 UTC strings."""
    return pc.strftime(pa.array(seconds.astype("datetime64[s]")), format="%Y-%m-%dT%H:%M:%SZ")


def ticket_table(plan: TicketPlan, vocab: Vocabulary, start: int, stop: int) -> pa.Table:
    """Return tickets start..stop of *plan* in the import's columns."""
    rows = slice(start, stop)
    description = pc.binary_join_element_wise(
        pa.array(words.GREETINGS).take(pa.array(plan.greeting[rows])),
        vocab.reports.take(pa.array(plan.report[rows])),
        pa.array(words.WHEN).take(pa.array(plan.when[rows])),
        vocab.impacts.take(pa.array(plan.impact[rows])),
        pa.array(words.CLOSINGS).take(pa.array(plan.closing[rows])),
        "",
    )
    status = plan.status[rows]
    closed_at = pc.if_else(pa.array(status == 2), iso(plan.closed[rows]), pa.scalar(None, pa.string()))
    return pa.table({
        "title": optional(vocab.titles, plan.title[rows]),
        "description": description,
        "location": optional(vocab.places, plan.place[rows]),
        "reporter": reporters(plan, rows),
        "category": pa.array(np.array(words.CATEGORIES)[plan.category[rows]]),
        "status": pa.array(np.array(["open", "active", "closed"])[status]),
        "opened_at": iso(plan.opened[rows]),
        "closed_at": closed_at,
    })


def to_csv(table: pa.Table) -> bytes:
    """Return *table* as CSV with a header line."""
    sink = io.BytesIO()
    pa_csv.write_csv(table, sink)
    return sink.getvalue()


def demo_csv_chunks(count: int, seed: int, now: datetime,
                    chunk_rows: int = CHUNK_ROWS) -> Iterator[tuple[int, bytes]]:
    """Yield (rows, CSV bytes) for *count* demo tickets, chunk by chunk, oldest first."""
    vocab = vocabulary()
    plan = plan_tickets(count, seed, now, vocab)
    for start in range(0, count, chunk_rows):
        stop = min(start + chunk_rows, count)
        yield stop - start, to_csv(ticket_table(plan, vocab, start, stop))


def demo_now() -> datetime:
    """Return the present moment rounded down to the minute: the end of the demo history."""
    return datetime.now(timezone.utc).replace(second=0, microsecond=0)


def in_background(items: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Yield *items* produced by a background thread, so producing the next overlaps using this one."""
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    done = object()

    def produce() -> None:
        try:
            for item in items:
                buffer.put(item)
        except BaseException as error:  # handed to the consumer, which raises it
            buffer.put(error)
        buffer.put(done)

    threading.Thread(target=produce, daemon=True, name="demo-chunks").start()
    while (item := buffer.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item


@dataclass(frozen=True)
class DemoLoad:
    """What a demo load put into the store."""

    tickets: int
    messages: int
    seconds: float


def load_demo(client: StoreClient, count: int, seed: int, *, now: datetime | None = None,
              messages: int = DEMO_MESSAGES, progress: bool = True,
              say: Callable[[str], None] = print) -> DemoLoad:
    """Generate *count* demo tickets, import them in chunks and post up to *messages* thread messages."""
    started = time.perf_counter()
    now = now or demo_now()
    first_id = client.last_ticket_id() + 1
    imported = 0
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   disable=not progress)
    with bar:
        task = bar.add_task("Importing demo tickets", total=count)
        for rows, body in in_background(demo_csv_chunks(count, seed, now)):
            try:
                imported += client.import_tickets(body, "text/csv")
            except StoreError as error:
                raise StoreError(f"{error.message} ({imported:,} demo tickets were imported before this.)") from None
            bar.advance(task, rows)
        threads = demo_threads(client, first_id, seed, messages)
        posting = bar.add_task("Posting thread messages", total=sum(len(thread) for _, thread in threads))
        posted = post_threads(client, threads, lambda done: bar.advance(posting, done))
    load = DemoLoad(imported, posted, time.perf_counter() - started)
    say(f"Loaded {load.tickets:,} demo tickets and {load.messages:,} thread messages in {load.seconds:.1f} s.")
    return load


Thread = list[tuple[str, str | None, str]]  # (role, author name, body) oldest first


def thread_for(ticket: dict[str, Any], rng: np.random.Generator) -> Thread:
    """Return a plausible conversation under an open or active ticket."""
    def choice(options: tuple[str, ...]) -> str:
        return options[int(rng.integers(len(options)))]

    reporter = ticket.get("reporter") or None
    if ticket["status"] == "open":  # nobody from the helpdesk has picked it up yet
        return [("user", reporter, choice(words.USER_NUDGES))] if rng.random() < 0.45 else []
    staff = choice(words.STAFF_NAMES[ticket["category"]])
    thread: Thread = [("staff", staff, choice(words.STAFF_FIRST_REPLIES[ticket["category"]]))]
    if rng.random() < 0.65:
        thread.append(("user", reporter, choice(words.USER_REPLIES)))
        if rng.random() < 0.5:
            thread.append(("staff", staff, choice(words.STAFF_FOLLOW_UPS)))
            if rng.random() < 0.4:
                thread.append(("user", reporter, choice(words.USER_REPLIES)))
    return thread


def demo_threads(client: StoreClient, first_id: int, seed: int, budget: int) -> list[tuple[int, Thread]]:
    """Return conversations for the newest open and active demo tickets, *budget* messages at most."""
    rng = np.random.default_rng([seed, 1])
    threads: list[tuple[int, Thread]] = []
    total, offset = 0, 0
    while total < budget:
        page = client.tickets(status="open,active", sort="-id", limit=200, offset=offset)
        tickets = [ticket for ticket in page if ticket["id"] >= first_id]
        for ticket in tickets:
            thread = thread_for(ticket, rng)[: budget - total]
            if thread:
                threads.append((ticket["id"], thread))
                total += len(thread)
        if len(tickets) < len(page) or len(page) < 200 or total >= budget:
            return threads
        offset += 200
    return threads


def post_threads(client: StoreClient, threads: list[tuple[int, Thread]], advance: Callable[[int], None],
                 workers: int = 4) -> int:
    """Post every thread's messages in order (threads side by side); return how many were posted."""
    local = threading.local()

    def post(ticket_id: int, thread: Thread) -> int:
        own = getattr(local, "client", None) or StoreClient(client.url, client.token)
        local.client = own
        for role, name, body in thread:
            own.post_message(ticket_id, body, role, name)
        advance(len(thread))
        return len(thread)

    with ThreadPoolExecutor(workers, thread_name_prefix="demo-threads") as pool:
        return sum(pool.map(lambda item: post(*item), threads))
