"""The demo history: the same for a seed, realistic where the analytics look, and accepted by the store."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
import requests

from campus_helpdesk import demo
from campus_helpdesk.demo_text import CATEGORIES

from .conftest import run_cli

NOW = datetime(2026, 3, 15, 10, 30, tzinfo=timezone.utc)
STAFF = {"X-Helpdesk-Role": "staff"}
FACILITY, IT, SERVICES = (CATEGORIES.index(name) for name in ("facility", "it", "services"))
OPEN, ACTIVE, CLOSED = 0, 1, 2


@pytest.fixture(scope="module")
def plan() -> demo.TicketPlan:
    return demo.plan_tickets(60_000, seed=11, now=NOW)


def read_csv(chunks) -> pa.Table:
    """Read demo CSV chunks back as text columns."""
    parse = pa_csv.ParseOptions(newlines_in_values=True)
    convert = pa_csv.ConvertOptions(strings_can_be_null=True, column_types=dict.fromkeys(demo.COLUMNS, pa.string()))
    return pa.concat_tables(pa_csv.read_csv(io.BytesIO(body), parse_options=parse, convert_options=convert)
                            for _, body in chunks)


def test_the_same_seed_gives_the_same_tickets():
    first = list(demo.demo_csv_chunks(3000, seed=7, now=NOW, chunk_rows=1000))
    second = list(demo.demo_csv_chunks(3000, seed=7, now=NOW, chunk_rows=1000))
    other = list(demo.demo_csv_chunks(3000, seed=8, now=NOW, chunk_rows=1000))
    assert [rows for rows, _ in first] == [1000, 1000, 1000]
    assert first == second
    assert first != other


def test_chunking_does_not_change_the_tickets():
    whole = read_csv(demo.demo_csv_chunks(2500, seed=3, now=NOW, chunk_rows=2500))
    chunked = read_csv(demo.demo_csv_chunks(2500, seed=3, now=NOW, chunk_rows=1000))
    assert whole.equals(chunked)


def test_categories_are_balanced(plan):
    shares = np.bincount(plan.category, minlength=3) / len(plan)
    assert all(0.2 < share < 0.45 for share in shares), shares


def test_term_time_is_busier_than_the_holidays(plan):
    def month_of(days: np.ndarray) -> np.ndarray:
        return days.astype("datetime64[M]").astype(int) % 12 + 1

    history = np.arange(plan.opened.min() // 86400, plan.opened.max() // 86400 + 1).astype("datetime64[D]")
    ticket_months = month_of((plan.opened // 86400).astype("datetime64[D]"))

    def per_day(months: tuple[int, ...]) -> float:
        return np.isin(ticket_months, months).sum() / np.isin(month_of(history), months).sum()

    assert per_day((10, 11)) > 2.5 * per_day((8,))  # teaching versus the summer holidays
    hour = (plan.opened // 3600) % 24
    assert (hour >= 8).sum() - (hour >= 18).sum() > 0.7 * len(plan)  # mostly office hours
    weekday = (plan.opened // 86400 + 3) % 7
    assert (weekday >= 5).mean() < 0.12  # few on weekends


def test_facility_is_slower_than_services_and_it(plan):
    hours = (plan.closed - plan.opened) / 3600
    median = {category: np.median(hours[(plan.status == CLOSED) & (plan.category == category)])
              for category in (FACILITY, IT, SERVICES)}
    assert median[FACILITY] > 1.2 * median[SERVICES] and median[SERVICES] > 3 * median[IT], median
    assert 1 < median[IT] < 12 and 24 < median[FACILITY] < 96


def test_there_is_a_backlog_of_open_and_active_tickets(plan):
    now = NOW.timestamp()
    unresolved = plan.status != CLOSED
    assert 0.01 < (plan.status == OPEN).mean() < 0.08 and 0.01 < (plan.status == ACTIVE).mean() < 0.08
    assert (unresolved & (plan.opened > now - 2 * 86400)).sum() > 0  # fresh ones ...
    assert (unresolved & (plan.opened < now - 90 * 86400)).sum() > 0  # ... and old, forgotten ones
    by_category = np.bincount(plan.category[unresolved], minlength=3)
    assert by_category[FACILITY] == by_category.max()  # facility work piles up


def test_timestamps_cover_18_months_and_are_consistent(plan):
    now = NOW.timestamp()
    assert plan.opened.min() >= now - demo.HISTORY_DAYS * 86400 and plan.opened.max() <= now
    assert plan.opened.min() < now - 520 * 86400
    assert np.all(np.diff(plan.opened) >= 0)  # ids follow time
    closed = plan.status == CLOSED
    assert np.all(plan.closed[closed] >= plan.opened[closed]) and np.all(plan.closed[closed] <= now)


def test_the_wording_varies():
    table = read_csv(demo.demo_csv_chunks(5000, seed=2, now=NOW))
    descriptions = table["description"].to_pylist()
    assert len(set(descriptions)) > 0.6 * len(descriptions)
    assert len(set(table["location"].drop_null().to_pylist())) > 100
    assert len(set(table["reporter"].drop_null().to_pylist())) > 1000
    assert 0.75 < table["title"].drop_null().length() / len(table) < 0.95
    assert all(0 < len(text) <= 10_000 and text.strip() == text for text in descriptions)
    assert max(len(title) for title in table["title"].drop_null().to_pylist()) <= 120
    closed = [status == "closed" for status in table["status"].to_pylist()]
    assert [value is not None for value in table["closed_at"].to_pylist()] == closed


def test_demo_tickets_follow_the_category_guide_as_the_categorizer_reads_it():
    from ticket_store.categorizer import load_categorizer, ticket_text

    table = read_csv(demo.demo_csv_chunks(2000, seed=6, now=NOW))
    texts = [ticket_text(title, description)
             for title, description in zip(table["title"].to_pylist(), table["description"].to_pylist())]
    assigned = [result.category for result in load_categorizer().categorize_many(texts)]
    agreement = np.mean([ours == theirs for ours, theirs in zip(table["category"].to_pylist(), assigned)])
    assert agreement > 0.95


def test_demo_tickets_pass_the_store_import(client):
    body = next(demo.demo_csv_chunks(5000, seed=4, now=datetime.now(timezone.utc) - timedelta(minutes=1)))[1]
    response = client.post("/api/v1/import", data=body, content_type="text/csv", headers=STAFF)
    assert response.get_json() == {"imported": 5000}


def test_demo_command_with_the_same_seed_and_end_loads_the_same_tickets(store_server, other_store, tmp_path):
    for store in (store_server, other_store):
        args = ["demo", "--tickets", "500", "--seed", "9", "--now", "2026-01-10T12:00:00Z", "--messages", "0"]
        assert run_cli(*args, store=store).exit_code == 0
        assert run_cli("export", str(tmp_path / f"{store.port}.csv"), store=store).exit_code == 0
    first, second = (tmp_path / f"{store.port}.csv" for store in (store_server, other_store))
    assert first.read_bytes() == second.read_bytes()
    with open(first, newline="", encoding="utf-8") as file:
        opened = [row["opened_at"] for row in csv.DictReader(file)]
    assert len(opened) == 500 and max(opened) <= "2026-01-10T12:00:00" and min(opened) >= "2024-07-10"


def test_demo_refuses_a_history_ending_in_the_future(store_server):
    result = run_cli("demo", "--now", "2999-01-01", store=store_server)
    assert result.exit_code == 2 and "cannot end in the future" in result.output


def test_demo_command_loads_tickets_and_threads_from_both_roles(store_server):
    result = run_cli("demo", "--tickets", "3000", "--seed", "2", "--messages", "60", store=store_server)
    assert result.exit_code == 0, result.output
    assert "Loaded 3,000 demo tickets and 60 thread messages" in result.output
    api = store_server.url + "/api/v1"
    assert requests.get(api + "/tickets?limit=1", headers=STAFF, timeout=10).json()["total"] == 3000
    active = requests.get(api + "/tickets?status=active&sort=-id&limit=200", headers=STAFF, timeout=10).json()
    roles = {message["author_role"]
             for ticket in active["items"] if ticket["message_count"]
             for message in requests.get(f"{api}/tickets/{ticket['id']}/messages", headers=STAFF,
                                         timeout=10).json()["items"]}
    assert roles == {"user", "staff"}
