"""Creating, reading, listing and editing tickets (SPEC §2–3)."""
from __future__ import annotations

import pytest

from ticket_store.openapi import openapi_document

from .conftest import CSV_HEADER, STAFF, USER, assert_error, if_match, matches_schema


def test_created_ticket_is_open_categorized_and_versioned(client):
    response = client.post("/api/v1/tickets", json={
        "description": "  The Wi-Fi in the library keeps dropping  ", "title": "Wi-Fi", "location": "Library",
        "reporter": "Ana"})
    assert response.status_code == 201
    ticket = response.get_json()
    matches_schema("CreatedTicket", ticket)
    assert response.headers["Location"] == f"/api/v1/tickets/{ticket['id']}"
    assert response.headers["ETag"] == '"1"'
    assert ticket["description"] == "The Wi-Fi in the library keeps dropping"
    assert ticket["status"] == "open" and ticket["version"] == 1 and ticket["message_count"] == 0
    assert ticket["category"] in ("facility", "it", "services") and ticket["category_source"] == "auto"
    assert 0 <= ticket["category_confidence"] <= 1
    assert ticket["closed_at"] is None and ticket["opened_at"] == ticket["updated_at"]
    assert ticket["opened_at"].endswith("Z")


@pytest.mark.parametrize("fields", [
    {"description": "The Wi-Fi in the library keeps dropping"},
    {"title": "Radiator", "description": "stone cold since Monday in room 2.14"},
    {"description": "qwerty"},
])
def test_created_ticket_gets_the_category_and_confidence_categorize_gives(client, fields):
    text = f"{fields['title']}\n{fields['description']}" if "title" in fields else fields["description"]
    expected = client.post("/api/v1/categorize", json={"text": text}).get_json()
    ticket = client.post("/api/v1/tickets", json=fields).get_json()
    assert (ticket["category"], ticket["category_confidence"]) == (expected["category"], expected["confidence"])


def test_ids_increase(desk):
    first, second = desk.create(), desk.create()
    assert second["id"] > first["id"]


def test_get_returns_ticket_with_etag(client, desk):
    ticket = desk.create(title="Lift stuck")
    response = client.get(f"/api/v1/tickets/{ticket['id']}")
    assert response.status_code == 200 and response.get_json() == ticket
    assert response.headers["ETag"] == '"1"'


def test_unicode_and_html_are_kept_as_text(desk):
    text = "Le chauffage ne marche pas 🥶 <script>alert(1)</script> 日本語\n\tline two"
    assert desk.get(desk.create(text)["id"])["description"] == text


@pytest.mark.parametrize("body, field", [
    ({}, "description"),
    ({"description": ""}, "description"),
    ({"description": "   \n\t "}, "description"),
    ({"description": "x" * 10_001}, "description"),
    ({"description": 42}, "description"),
    ({"description": None}, "description"),
    ({"description": ["a"]}, "description"),
    ({"description": "ok", "title": "t" * 121}, "title"),
    ({"description": "ok", "location": "l" * 201}, "location"),
    ({"description": "ok", "reporter": "r" * 81}, "reporter"),
    ({"description": "ok", "title": 5}, "title"),
    ({"description": "bad \x00 byte"}, "description"),
    ({"description": "bell \x07"}, "description"),
    ({"description": "ok", "title": "escape \x1b[31m"}, "title"),
    ({"description": "vertical tab at the end \x0b"}, "description"),  # a control character, though trimmable
    ({"description": "ok", "reporter": "\x85next line first"}, "reporter"),
    ({"description": "ok", "status": "closed"}, "status"),
    ({"description": "ok", "category": "it"}, "category"),
    ({"description": "ok", "opened_at": "2024-01-01T00:00:00Z"}, "opened_at"),
    ({"description": "ok", "id": 7}, "id"),
    ({"description": "ok", "priority": "high"}, "priority"),
])
def test_invalid_ticket_is_refused_and_nothing_is_stored(client, desk, body, field):
    body = assert_error(client.post("/api/v1/tickets", json=body), 422)
    assert field in [detail["field"] for detail in body["details"]]
    assert desk.count() == 0


def test_longest_allowed_fields_are_accepted(desk):
    ticket = desk.create("d" * 10_000, title="t" * 120, location="l" * 200, reporter="r" * 80)
    assert len(ticket["description"]) == 10_000


def test_limits_count_the_text_after_trimming(client, desk):
    """SPEC §2: 1–10,000 characters after trimming, so white space around the longest text is not refused."""
    ticket = desk.create("\n " + "d" * 10_000 + "\u3000\t", title=" " + "t" * 120 + "\n")
    assert (len(ticket["description"]), len(ticket["title"])) == (10_000, 120)
    assert client.post("/api/v1/categorize", json={"text": "\n" + "x" * 10_000}).status_code == 200
    text_schema = openapi_document()["components"]["schemas"]["TicketCreate"]["properties"]["description"]
    assert "maxLength" not in text_schema and "10,000 characters after trimming" in text_schema["description"]


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe", b'{"description": "x"'])
def test_malformed_json_is_400(client, desk, raw):
    assert_error(client.post("/api/v1/tickets", data=raw, content_type="application/json"), 400)
    assert desk.count() == 0


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null"])
def test_json_that_is_not_an_object_is_422(client, body):
    assert_error(client.post("/api/v1/tickets", data=body, content_type="application/json"), 422)


def test_body_over_one_mebibyte_is_413(client, desk):
    response = client.post("/api/v1/tickets", json={"description": "x" * (1024 * 1024 + 10)})
    assert_error(response, 413)
    assert desk.count() == 0


def test_unknown_role_header_is_400(client):
    assert_error(client.get("/api/v1/tickets", headers={"X-Helpdesk-Role": "admin"}), 400)


def test_missing_ticket_is_404(client):
    for path in ("/api/v1/tickets/999", "/api/v1/tickets/999/messages", "/api/v1/tickets/999/events",
                 "/api/v1/tickets/abc"):
        assert_error(client.get(path, headers=STAFF), 404)


class TestList:
    def test_user_sees_open_and_active_only(self, client, desk):
        open_, active, closed = desk.ticket_in("open"), desk.ticket_in("active"), desk.ticket_in("closed")
        page = client.get("/api/v1/tickets", headers=USER).get_json()
        matches_schema("TicketPage", page)
        assert {ticket["id"] for ticket in page["items"]} == {open_["id"], active["id"]}
        assert page["total"] == 2 and closed["id"] not in [t["id"] for t in page["items"]]

    def test_staff_sees_all_three_statuses(self, client, desk):
        for status in ("open", "active", "closed"):
            desk.ticket_in(status)
        page = client.get("/api/v1/tickets", headers=STAFF).get_json()
        assert sorted(ticket["status"] for ticket in page["items"]) == ["active", "closed", "open"]

    @pytest.mark.parametrize("status", ["closed", "open,closed"])
    def test_user_asking_for_closed_is_403(self, client, status):
        assert_error(client.get(f"/api/v1/tickets?status={status}", headers=USER), 403)

    def test_absent_role_header_means_user(self, client, desk):
        desk.ticket_in("closed")
        assert_error(client.get("/api/v1/tickets?status=closed"), 403)
        assert client.get("/api/v1/tickets").get_json()["total"] == 0

    def test_status_and_category_filters(self, client, desk):
        desk.ticket_in("active", description="The printer on floor 2 is jammed")
        desk.ticket_in("open", description="The printer in the lab is offline")
        page = client.get("/api/v1/tickets?status=active", headers=STAFF).get_json()
        assert [ticket["status"] for ticket in page["items"]] == ["active"]
        category = page["items"][0]["category"]
        others = client.get(f"/api/v1/tickets?category={category}", headers=STAFF).get_json()
        assert all(ticket["category"] == category for ticket in others["items"])

    def test_search_matches_every_word_in_any_text_field(self, client, desk):
        hit = desk.create("Heating broken", location="Building C, room 101")
        desk.create("Heating broken", location="Library")
        desk.create("Canteen queue too long")
        page = client.get("/api/v1/tickets?q=heating+ROOM", headers=STAFF).get_json()
        assert [ticket["id"] for ticket in page["items"]] == [hit["id"]]

    def test_search_finds_the_edited_text_and_not_the_old_one(self, client, desk):
        ticket = desk.create("Heating broken", location="Library")
        response = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"description": "Window stuck"},
                                headers={**STAFF, **if_match(ticket["version"])})
        assert response.status_code == 200
        assert client.get("/api/v1/tickets?q=WINDOW+library", headers=STAFF).get_json()["total"] == 1
        assert client.get("/api/v1/tickets?q=heating", headers=STAFF).get_json()["total"] == 0

    def test_search_finds_imported_tickets_in_any_script(self, client, desk):
        rows = ['"Ascensore","L\'ascensore È BLOCCATO",Edificio Ä,Zoë,facility,open,2026-01-05T09:00:00Z,',
                ',Проектор НЕ работает,,,it,open,2026-01-06T09:00:00Z,']
        assert desk.import_csv(CSV_HEADER + "\n".join(rows) + "\n").status_code == 200
        for term, hits in [("è+bloccato", 1), ("edificio+ä", 1), ("ZOË", 1), ("проектор", 1), ("ascensore+проектор", 0)]:
            assert client.get(f"/api/v1/tickets?q={term}", headers=STAFF).get_json()["total"] == hits, term

    def test_search_by_ticket_number(self, client, desk):
        desk.create()
        second = desk.create()
        page = client.get(f"/api/v1/tickets?q=%23{second['id']}", headers=STAFF).get_json()
        assert second["id"] in [ticket["id"] for ticket in page["items"]]

    def test_search_treats_wildcards_literally(self, client, desk):
        desk.create("100% broken")
        desk.create("1000 broken")
        assert client.get("/api/v1/tickets?q=100%25", headers=STAFF).get_json()["total"] == 1

    def test_sort_and_paging(self, client, desk):
        ids = [desk.create(f"ticket number {n}")["id"] for n in range(7)]
        first = client.get("/api/v1/tickets?sort=id&limit=3", headers=STAFF).get_json()
        second = client.get("/api/v1/tickets?sort=id&limit=3&offset=3", headers=STAFF).get_json()
        assert [t["id"] for t in first["items"] + second["items"]] == ids[:6]
        assert first["total"] == 7 and second["offset"] == 3 and second["limit"] == 3
        newest = client.get("/api/v1/tickets", headers=STAFF).get_json()
        assert [t["id"] for t in newest["items"]] == ids[::-1]

    @pytest.mark.parametrize("sort", ["title", "-title", "status", "-category", "-updated_at", "closed_at"])
    def test_pages_follow_the_sort_without_gaps_or_repeats(self, client, desk, sort):
        for n, title in enumerate(["Radiator", None, "Wi-Fi", "Canteen", "Radiator", None, "Printer", "Lift"]):
            desk.ticket_in(("open", "active", "closed")[n % 3], description=f"ticket number {n}", title=title)
        whole = client.get(f"/api/v1/tickets?sort={sort}&limit=200", headers=STAFF).get_json()["items"]
        pages = [client.get(f"/api/v1/tickets?sort={sort}&limit=3&offset={offset}", headers=STAFF).get_json()
                 for offset in (0, 3, 6)]
        assert [ticket["id"] for page in pages for ticket in page["items"]] == [ticket["id"] for ticket in whole]
        column, descending = sort.removeprefix("-"), sort.startswith("-")
        present = [ticket for ticket in whole if ticket[column] is not None]
        assert present == sorted(present, key=lambda ticket: ticket[column], reverse=descending)
        assert all(ticket[column] is None for ticket in whole[len(present):])  # NULLS LAST

    @pytest.mark.parametrize("query", ["", "status=open,active", "status=closed", "q=printer",
                                       "q=printer&status=active&category=it"])
    def test_total_is_the_same_with_and_without_counts(self, client, desk, query):
        for n, status in enumerate(["open", "active", "closed", "active", "open"]):
            desk.ticket_in(status, description=("The printer is jammed" if n % 2 else "The radiator is cold"))
        plain = client.get(f"/api/v1/tickets?{query}", headers=STAFF).get_json()
        counted = client.get(f"/api/v1/tickets?{query}&with_counts=true", headers=STAFF).get_json()
        assert counted["total"] == plain["total"] == sum(counted["counts"].values())
        assert counted["items"] == plain["items"]

    def test_opened_window_filters(self, client, desk):
        ticket = desk.create()
        after = client.get(f"/api/v1/tickets?opened_after={ticket['opened_at']}", headers=STAFF).get_json()
        before = client.get("/api/v1/tickets?opened_before=2000-01-01T00:00:00Z", headers=STAFF).get_json()
        assert after["total"] == 1 and before["total"] == 0

    def test_counts_per_status(self, client, desk):
        desk.ticket_in("open"), desk.ticket_in("open"), desk.ticket_in("closed")
        staff = client.get("/api/v1/tickets?with_counts=true&status=open", headers=STAFF).get_json()
        assert staff["counts"] == {"open": 2} and staff["total"] == 2
        every = client.get("/api/v1/tickets?with_counts=true", headers=STAFF).get_json()
        assert every["counts"] == {"open": 2, "active": 0, "closed": 1}
        user = client.get("/api/v1/tickets?with_counts=true", headers=USER).get_json()
        assert user["counts"] == {"open": 2, "active": 0}

    @pytest.mark.parametrize("query", ["limit=201", "limit=0", "offset=-1", "limit=ten", "status=pending",
                                       "category=garden", "sort=-priority", "opened_after=yesterday", "colour=red",
                                       "q=" + "x" * 201, "needs_review=maybe"])
    def test_bad_list_parameters_are_422(self, client, query):
        assert_error(client.get(f"/api/v1/tickets?{query}", headers=STAFF), 422)


class TestEdit:
    def test_fresh_if_match_edits_and_bumps_version(self, client, desk):
        ticket = desk.create()
        response = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "Cold room", "location": "B12"},
                                headers=if_match(1))
        assert response.status_code == 200
        edited = response.get_json()
        matches_schema("Ticket", edited)
        assert edited["title"] == "Cold room" and edited["location"] == "B12"
        assert edited["version"] == 2 and response.headers["ETag"] == '"2"'
        assert edited["updated_at"] > ticket["updated_at"] and edited["opened_at"] == ticket["opened_at"]

    def test_missing_if_match_is_428(self, client, desk):
        ticket = desk.create()
        assert_error(client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "x"}), 428)
        assert desk.get(ticket["id"])["version"] == 1

    def test_stale_if_match_is_412_with_current_ticket(self, client, desk):
        ticket = desk.create()
        client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "first"}, headers=if_match(1))
        body = assert_error(client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "second"},
                                         headers=if_match(1)), 412)
        assert body["current"]["title"] == "first" and body["current"]["version"] == 2
        assert desk.get(ticket["id"])["title"] == "first"

    @pytest.mark.parametrize("header", ['W/"1"', "1", '"1"'])
    def test_if_match_forms(self, client, desk, header):
        ticket = desk.create()
        assert client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "x"},
                            headers={"If-Match": header}).status_code == 200

    def test_garbage_if_match_is_412(self, client, desk):
        ticket = desk.create()
        assert_error(client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "x"},
                                  headers={"If-Match": "banana"}), 412)

    def test_title_can_be_cleared(self, client, desk):
        ticket = desk.create(title="Temporary")
        edited = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": None}, headers=if_match(1))
        assert edited.get_json()["title"] is None

    @pytest.mark.parametrize("body", [{}, {"description": ""}, {"description": None}, {"title": "t" * 121},
                                      {"status": "closed"}, {"version": 5}, {"unknown": 1},
                                      {"reporter": "a\x00b"}])
    def test_invalid_edit_is_422_and_changes_nothing(self, client, desk, body):
        ticket = desk.create()
        assert_error(client.patch(f"/api/v1/tickets/{ticket['id']}", json=body, headers={**if_match(1), **STAFF}),
                     422)
        assert desk.get(ticket["id"]) == ticket

    def test_user_cannot_change_category(self, client, desk):
        ticket = desk.create()
        assert_error(client.patch(f"/api/v1/tickets/{ticket['id']}", json={"category": "services"},
                                  headers={**if_match(1), **USER}), 403)

    def test_staff_corrects_category(self, client, desk):
        ticket = desk.create("The canteen staff were rude to me")
        new = "facility" if ticket["category"] != "facility" else "it"
        edited = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"category": new},
                              headers={**if_match(1), **STAFF}).get_json()
        assert edited["category"] == new and edited["category_source"] == "staff" and edited["version"] == 2
        assert edited["needs_review"] is False

    def test_edit_with_same_values_changes_nothing(self, client, desk):
        ticket = desk.create(title="Same")
        again = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "Same"}, headers=if_match(1))
        assert again.status_code == 200 and again.get_json()["version"] == 1

    def test_closed_ticket_cannot_be_edited_by_staff(self, client, desk):
        ticket = desk.ticket_in("closed")
        assert_error(client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "x"},
                                  headers={**if_match(ticket["version"]), **STAFF}), 409)

    def test_user_writing_to_closed_ticket_gets_403(self, client, desk):
        ticket = desk.ticket_in("closed")
        assert_error(client.patch(f"/api/v1/tickets/{ticket['id']}", json={"title": "x"},
                                  headers={**if_match(ticket["version"]), **USER}), 403)

    def test_error_precedence(self, client, desk):
        closed = desk.ticket_in("closed")
        path = f"/api/v1/tickets/{closed['id']}"
        # 404 beats everything after it, 403 beats 428/422, 428 beats 422, 422 beats 409, 409 beats 412.
        assert_error(client.patch("/api/v1/tickets/999", json={}, headers=USER), 404)
        assert_error(client.patch(path, json={"title": 5}, headers=USER), 403)
        open_ = desk.create()
        assert_error(client.patch(f"/api/v1/tickets/{open_['id']}", json={"title": 5}), 428)
        assert_error(client.patch(path, json={"title": 5}, headers={**if_match(1), **STAFF}), 422)
        assert_error(client.patch(path, json={"title": "x"}, headers={**if_match(1), **STAFF}), 409)


class TestUserVisibility:
    @pytest.mark.parametrize("suffix", ["", "/messages", "/events"])
    def test_user_cannot_read_closed_ticket(self, client, desk, suffix):
        ticket = desk.ticket_in("closed")
        assert_error(client.get(f"/api/v1/tickets/{ticket['id']}{suffix}", headers=USER), 403)
        assert client.get(f"/api/v1/tickets/{ticket['id']}{suffix}", headers=STAFF).status_code == 200

    @pytest.mark.parametrize("status", ["open", "active"])
    def test_user_reads_and_edits_open_and_active(self, client, desk, status):
        ticket = desk.ticket_in(status)
        assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=USER).status_code == 200
        assert client.patch(f"/api/v1/tickets/{ticket['id']}", json={"description": "now worse"},
                            headers={**if_match(ticket["version"]), **USER}).status_code == 200
