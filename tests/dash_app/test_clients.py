"""The HTTP clients: real store answers, and failures turned into sentences."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from dash_app.analytics_client import AnalyticsClient
from dash_app.service_errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceError,
    ServiceUnavailable,
    StaleVersion,
)
from dash_app.store_client import StoreClient

from .conftest import settings_for


class Canned(BaseHTTPRequestHandler):
    """Answer every request with the server's canned status, headers and body; remember the request."""

    def do_GET(self) -> None:  # noqa: N802
        self.answer()

    def do_POST(self) -> None:  # noqa: N802
        self.answer()

    def answer(self) -> None:
        server = self.server
        server.seen.append((self.command, self.path, dict(self.headers)))  # type: ignore[attr-defined]
        time.sleep(server.delay)  # type: ignore[attr-defined]
        body = server.body.encode()  # type: ignore[attr-defined]
        self.send_response(server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Type", server.content_type)  # type: ignore[attr-defined]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canned() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Canned)
    server.status, server.body, server.content_type, server.delay, server.seen = 200, "{}", "application/json", 0.0, []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_created_ticket_round_trips(user_store, word):
    ticket = user_store.create_ticket(description=f"Printer jams on floor 2 {word}", title="  ", location="Library")
    assert ticket["status"] == "open" and ticket["version"] == 1
    assert ticket["title"] is None and ticket["location"] == "Library"
    assert user_store.get_ticket(ticket["id"])["description"].endswith(word)
    page = user_store.list_tickets(query=word)
    assert [item["id"] for item in page["items"]] == [ticket["id"]] and page["total"] == 1


def test_staff_list_has_counts(staff_store, make_ticket, word):
    make_ticket(f"Leaking tap {word}")
    page = staff_store.list_tickets(query=word, with_counts=True)
    assert page["counts"] == {"open": 1, "active": 0, "closed": 0}


def test_stale_update_raises_with_the_current_ticket(user_store, make_ticket):
    ticket = make_ticket()
    user_store.update_ticket(ticket["id"], ticket["version"], {"title": "First edit"})
    with pytest.raises(StaleVersion) as refused:
        user_store.update_ticket(ticket["id"], ticket["version"], {"title": "Second edit"})
    assert refused.value.status == 412
    assert refused.value.body["current"]["title"] == "First edit"
    assert "changed" in refused.value.message or "version" in refused.value.message


def test_update_from_an_older_version_applies_over_a_message_and_another_field(user_store, staff_store, make_ticket):
    ticket = make_ticket()
    staff_store.post_message(ticket["id"], "A technician is on the way")
    staff_store.update_ticket(ticket["id"], ticket["version"] + 1, {"location": "Room B2"})
    updated = user_store.update_ticket(ticket["id"], ticket["version"], {"title": "Projector is dead"})
    assert (updated["title"], updated["location"], updated["version"]) == ("Projector is dead", "Room B2", 4)


def test_stale_status_change_raises_with_the_current_ticket(user_store, staff_store, make_ticket):
    ticket = make_ticket()
    user_store.post_message(ticket["id"], "Any news?")
    with pytest.raises(StaleVersion) as refused:
        staff_store.change_status(ticket["id"], "active", ticket["version"])
    assert refused.value.body["current"]["version"] == ticket["version"] + 1
    assert staff_store.get_ticket(ticket["id"])["status"] == "open"


def test_invalid_ticket_names_the_field(user_store):
    with pytest.raises(InvalidInput) as refused:
        user_store.create_ticket(description="   ")
    assert refused.value.status == 422
    assert "description" in refused.value.field_messages()
    assert refused.value.field_messages()["description"][0].isupper()


def test_role_rules_become_typed_errors(user_store, staff_store, make_ticket):
    ticket = make_ticket()
    with pytest.raises(Forbidden):
        user_store.change_status(ticket["id"], "active")
    with pytest.raises(Conflict) as refused:
        staff_store.change_status(ticket["id"], "closed")
    assert "active" in refused.value.message
    with pytest.raises(NotFound):
        user_store.get_ticket(10**9)


def test_messages_and_history(staff_store, user_store, make_ticket):
    ticket = make_ticket()
    user_store.post_message(ticket["id"], "Any news?", "Ana")
    staff_store.post_message(ticket["id"], "On our way.", "")
    thread = staff_store.list_messages(ticket["id"])
    assert [(m["author_role"], m["author_name"], m["body"]) for m in thread] == [
        ("user", "Ana", "Any news?"),
        ("staff", None, "On our way."),
    ]
    kinds = [event["kind"] for event in staff_store.list_events(ticket["id"])]
    assert kinds[0] == "created" and kinds.count("message_posted") == 2


def test_categorize_changes_nothing(user_store):
    answer = user_store.categorize("The wifi in the library drops every few minutes")
    assert answer["category"] == "it" and 0 <= answer["confidence"] <= 1


def test_unreachable_store_is_a_sentence(down_store):
    with pytest.raises(ServiceUnavailable) as refused:
        down_store.list_tickets()
    assert refused.value.message == "The ticket store cannot be reached right now. Please try again in a moment."


def test_slow_store_times_out_with_a_sentence(canned):
    canned.delay = 1.0
    client = StoreClient("user", settings_for(url_of(canned)), timeout=(1.0, 0.2))
    with pytest.raises(ServiceUnavailable) as refused:
        client.get_ticket(1)
    assert "did not answer in time" in refused.value.message


@pytest.mark.parametrize(
    ("status", "body", "content_type", "kind", "sentence"),
    [
        (502, "<html>Bad gateway</html>", "text/html", ServiceUnavailable, "The ticket store has a problem right now"),
        (500, "Traceback (most recent call last): ...", "text/plain", ServiceUnavailable, "HTTP 500"),
        (
            409,
            '{"status": 409, "error": "Ticket #1 is closed.", "details": []}',
            "application/json",
            Conflict,
            "Ticket #1 is closed.",
        ),
        (401, "{}", "application/json", ServiceError, "HELPDESK_API_TOKEN"),
    ],
)
def test_error_answers_become_sentences_without_traces(canned, status, body, content_type, kind, sentence):
    canned.status, canned.body, canned.content_type = status, body, content_type
    client = StoreClient("user", settings_for(url_of(canned)))
    with pytest.raises(kind) as refused:
        client.get_ticket(1)
    assert sentence in refused.value.message
    assert "Traceback" not in refused.value.message and "<html>" not in refused.value.message


def test_token_and_role_travel_with_every_request(canned):
    canned.body = json.dumps({"items": [], "total": 0, "limit": 1, "offset": 0})
    client = StoreClient("staff", settings_for(url_of(canned), api_token="s3cret"))
    client.list_tickets(statuses=["open", "closed"], category="it", query=" wifi ", needs_review=True, sort="-id")
    _method, path, headers = canned.seen[-1]
    assert headers["X-Helpdesk-Role"] == "staff" and headers["Authorization"] == "Bearer s3cret"
    assert "status=open%2Cclosed" in path and "category=it" in path and "q=wifi" in path
    assert "needs_review=true" in path and "sort=-id" in path


def test_functions_get_their_parameters_and_the_token(canned):
    canned.body = json.dumps({"count": 3, "by_status": {}, "by_category": {}})
    client = AnalyticsClient(settings_for(url_of(canned), open_since_url=url_of(canned), api_token="t0k"))
    assert client.open_since(36, "hours")["count"] == 3
    _method, path, headers = canned.seen[-1]
    assert path == "/?hours=36" and headers["Authorization"] == "Bearer t0k"


def test_function_down_is_a_sentence_naming_the_analysis():
    client = AnalyticsClient(settings_for("http://127.0.0.1:9"))
    with pytest.raises(ServiceUnavailable) as refused:
        client.category_active()
    assert refused.value.message.startswith("The active-by-category analysis cannot be reached")


def test_function_error_body_sentence_is_kept(canned):
    canned.status = 400
    canned.body = json.dumps({"status": 400, "error": "Give exactly one of hours or days.", "details": []})
    client = AnalyticsClient(settings_for(url_of(canned), open_since_url=url_of(canned)))
    with pytest.raises(InvalidInput) as refused:
        client.open_since(3, "days")
    assert refused.value.message == "Give exactly one of hours or days."
