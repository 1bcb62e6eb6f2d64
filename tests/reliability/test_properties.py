"""Property-based tests on arbitrary Unicode: the categorizer seam and the bulk import parser."""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticket_store import create_app
from ticket_store.categorizer import CATEGORIES, load_categorizer

STAFF = {"X-Helpdesk-Role": "staff"}
COLUMNS = ("title", "description", "location", "reporter", "category", "status", "opened_at", "closed_at")
LIMITS = {"title": 120, "description": 10_000, "location": 200, "reporter": 80}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What the API trims from text fields: Unicode White_Space (tab, newline, no-break and wide spaces …).
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow,
                                                                                      HealthCheck.data_too_large])
IMPORT_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=60)  # each example is a committed import

unicode_text = st.text(max_size=40)
spacey_text = st.text(alphabet=" \t\r\n\xa0\u2003\u3000\u2028x\u00e9\u4e2d\U0001f600", max_size=12)
# What shows nothing, mixed with white space: an import of only these is an empty description.
invisible_text = st.text(alphabet="\u200b\u200d\u2060\ufeff\u202e\u2066\u00ad\u3164\u115f\ufe0f\U000e0100\U000e0041 \t",
                         max_size=6)


def near_limit(limit: int) -> st.SearchStrategy[str]:
    """Texts a few characters either side of *limit*, padded with spaces that trimming removes."""
    return st.builds(lambda length, letter, pad: letter * length + " " * pad,
                     st.integers(limit - 1, limit + 1), st.sampled_from("a\u00e9\u4e2d\U0001f600"), st.integers(0, 3))


def field_text(name: str) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), unicode_text, spacey_text, invisible_text, near_limit(LIMITS[name]))


@pytest.fixture(scope="module")
def categorizer():
    return load_categorizer()


class TestCategorizer:
    @PROPERTY_SETTINGS
    @given(text=st.text(max_size=300))
    def test_any_text_gets_a_valid_answer(self, categorizer, text):
        result = categorizer.categorize(text)
        assert result.category in CATEGORIES
        assert 0 <= result.confidence <= 1
        assert set(result.scores) == set(CATEGORIES)
        assert all(0 <= score <= 1 for score in result.scores.values())
        assert abs(sum(result.scores.values()) - 1) < 0.01
        assert result.confidence == pytest.approx(result.scores[result.category], abs=1e-6)
        assert result.scores[result.category] == pytest.approx(max(result.scores.values()), abs=1e-6)
        assert isinstance(result.explanation, list) and all(isinstance(line, str) for line in result.explanation)
        assert categorizer.categorize(text) == result  # the same text always gets the same answer

    @PROPERTY_SETTINGS
    @given(texts=st.lists(st.text(max_size=100), max_size=8))
    def test_many_at_once_equals_one_by_one(self, categorizer, texts):
        together = categorizer.categorize_many(texts)
        alone = [categorizer.categorize(text) for text in texts]
        assert [r.category for r in together] == [r.category for r in alone]
        assert [r.confidence for r in together] == pytest.approx([r.confidence for r in alone], abs=1e-6)


# --- the import parser ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Iterator[Any]:
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("props") / "props.duckdb"), "TESTING": True})
    yield app.test_client()
    app.extensions["ticket_store"].db.close()


def trim(value: str | None) -> str:
    return (value or "").strip(WHITE_SPACE)


def shows_nothing(value: str | None) -> bool:
    """Return True for a text of only white space and invisible characters (Cf, Hangul fillers, selectors)."""
    return all(character in WHITE_SPACE or character in HANGUL_FILLERS or unicodedata.category(character) == "Cf"
               or 0xFE00 <= ord(character) <= 0xFE0F or 0xE0100 <= ord(character) <= 0xE01EF
               or ord(character) in (0x180B, 0x180C, 0x180D, 0x180F) for character in value or "")


def first_problem(row: dict[str, str | None]) -> str | None:
    """Return the first field the import must refuse in *row* (text rules only), or None."""
    for name in ("title", "description", "location", "reporter"):
        if CONTROL.search(row[name] or ""):
            return name
    if shows_nothing(row["description"]):
        return "description"
    for name, limit in LIMITS.items():
        if len(trim(row[name])) > limit:
            return name
    return None


def text_rows() -> st.SearchStrategy[list[dict[str, Any]]]:
    """Rows whose text fields are arbitrary and whose other columns are valid."""
    row = st.fixed_dictionaries({
        "title": field_text("title"), "description": field_text("description"),
        "location": field_text("location"), "reporter": field_text("reporter"),
        "category": st.sampled_from(["", "it", "facility", "services"]),
        "status": st.sampled_from(["open", "active", "closed"]),
    }).map(lambda row: {**row, "opened_at": "2024-03-01T08:00:00Z",
                        "closed_at": "2024-03-02T09:30:00Z" if row["status"] == "closed" else ""})
    return st.lists(row, min_size=1, max_size=5)


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)  # "\r\n" line ends, so fields holding either character get quoted
    writer.writerow(COLUMNS)
    writer.writerows([[row[name] if row[name] is not None else "" for name in COLUMNS] for row in rows])
    return out.getvalue().encode("utf-8", "surrogatepass")


def as_ndjson(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8", "surrogatepass")


def total(store) -> int:
    return store.get("/api/v1/tickets", query_string={"limit": 1}, headers=STAFF).get_json()["total"]


def post_import(store, body: bytes, kind: str):
    content_type = {"csv": "text/csv", "ndjson": "application/x-ndjson"}[kind]
    return store.post("/api/v1/import", data=body, content_type=content_type, headers=STAFF)


def assert_all_or_nothing(store, response, before: int, rows: int) -> None:
    """200 with exactly the rows, or a 422 that names a row and imported nothing; never anything else."""
    body = response.get_json()
    assert response.status_code in (200, 422), (response.status_code, body)
    if response.status_code == 200:
        assert body == {"imported": rows} and total(store) == before + rows
    else:
        assert body["status"] == 422 and body["error"].startswith("Nothing was imported")
        assert isinstance(body["details"][0]["row"], int) and 0 <= body["details"][0]["row"] <= max(rows, 1)
        assert total(store) == before


@pytest.mark.parametrize("kind", ["csv", "ndjson"])
@IMPORT_SETTINGS
@given(rows=text_rows())
def test_import_of_arbitrary_text_is_exact_or_names_the_first_bad_row(store, kind, rows):
    before = total(store)
    if kind == "csv":  # CSV cannot tell an absent value from an empty one
        rows = [{name: value if value is not None else "" for name, value in row.items()} for row in rows]
    response = post_import(store, (as_csv if kind == "csv" else as_ndjson)(rows), kind)
    problems = [(number, first_problem(row)) for number, row in enumerate(rows, 1) if first_problem(row)]
    assert_all_or_nothing(store, response, before, len(rows))
    if problems:
        assert response.status_code == 422, f"row {problems[0][0]} should be refused ({problems[0][1]})"
        detail = response.get_json()["details"][0]
        assert (detail["row"], detail["field"]) == problems[0], response.get_json()
        return
    assert response.status_code == 200, response.get_json()
    page = store.get("/api/v1/tickets", query_string={"sort": "-id", "limit": len(rows)}, headers=STAFF).get_json()
    for row, ticket in zip(rows, reversed(page["items"])):
        for name in ("title", "description", "location", "reporter"):
            assert ticket[name] == (None if shows_nothing(row[name]) else trim(row[name])), name
        assert ticket["status"] == row["status"] and ticket["category"] in CATEGORIES


any_cell = st.one_of(st.none(), unicode_text, st.sampled_from(
    ["open", "active", "closed", "it", "2024-01-01T00:00:00Z", "2024-13-45", "9999-01-01", "", " "]))


@pytest.mark.parametrize("kind", ["csv", "ndjson"])
@IMPORT_SETTINGS
@given(rows=st.lists(st.fixed_dictionaries({name: any_cell for name in COLUMNS}), min_size=1, max_size=4))
def test_import_of_arbitrary_cells_never_fails_halfway(store, kind, rows):
    before = total(store)
    response = post_import(store, (as_csv if kind == "csv" else as_ndjson)(rows), kind)
    assert_all_or_nothing(store, response, before, len(rows))


@pytest.mark.parametrize("kind", ["csv", "ndjson"])
@IMPORT_SETTINGS
@given(body=st.one_of(st.text(max_size=200).map(lambda text: ",".join(COLUMNS) + "\n" + text),
                      st.text(max_size=200), st.binary(max_size=200)))
def test_import_of_arbitrary_bodies_is_never_a_server_error(store, kind, body):
    before = total(store)
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    response = post_import(store, raw, kind)
    assert response.status_code in (200, 422), (response.status_code, response.get_json())
    if response.status_code == 422:
        assert total(store) == before and response.get_json()["error"].endswith(".")
    else:
        assert total(store) == before + response.get_json()["imported"]
