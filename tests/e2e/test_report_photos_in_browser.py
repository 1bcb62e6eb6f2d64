"""Photos where the reporter is: on the follow page (see, open, add while not closed) and with a new ticket."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from dash_app.follow_client import FollowClient
from dash_app.photos_client import ReportOnceClient

from .axe import blocking_violations, describe
from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e
WIDTHS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


def camera_photo(path, kind: str = "JPEG", size: tuple[int, int] = (900, 600)):
    """Write a real photo made by Pillow, with a GPS position in its EXIF, and return its path."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (45.0, 28.0, 10.0)}
    out = io.BytesIO()
    image.save(out, kind, exif=exif)
    path.write_bytes(out.getvalue())
    return path


def reported(stack, description: str) -> dict:
    """Report a ticket as the web app does; the answer carries its follow token."""
    return FollowClient(stack.client("user").settings).report({"description": description})


def photos_of(stack, ticket_id: int) -> list[dict]:
    return ReportOnceClient("staff", settings=stack.client("staff").settings).photos(ticket_id)


@WIDTHS
def test_the_follow_page_adds_a_photo_shows_it_and_opens_it_full_size(open_page, stack, tmp_path, viewport):
    ticket = reported(stack, f"The window in the stairwell is broken {uuid.uuid4().hex[:6]}")
    page: Page = open_page(role=None, viewport=viewport)  # only the link
    page.goto(f"/follow/{ticket['follow_token']}")
    expect(page.locator("#follow-photos")).to_contain_text("No photos yet.")
    upload = page.locator("#follow-photo-upload input[type=file]")
    assert "image/jpeg" in (upload.get_attribute("accept") or "")
    upload.set_input_files(str(camera_photo(tmp_path / "window.jpg")))
    expect(page.locator("#follow-photo-added")).to_be_visible()
    thumbnail = page.locator(".follow-photo-thumbnail img")
    expect(thumbnail).to_have_count(1)
    assert thumbnail.get_attribute("src").startswith("data:image/webp;base64,")
    assert thumbnail.bounding_box()["width"] <= viewport["width"]
    thumbnail.click()
    expect(page.locator("#follow-photo-full")).to_be_visible()
    assert page.locator("#follow-photo-full").get_attribute("src").startswith("data:image/jpeg;base64,")
    (stored,) = photos_of(stack, ticket["id"])
    assert (stored["width"], stored["height"]) == (900, 600)


def test_a_closed_ticket_shows_its_photos_on_the_follow_page_but_takes_none(open_page, stack, tmp_path):
    ticket = reported(stack, "The tap in kitchen K2 drips all night")
    FollowClient(stack.client("user").settings).add_photo(
        ticket["follow_token"], camera_photo(tmp_path / "tap.png", "PNG").read_bytes(), "image/png")
    staff = stack.client("staff")
    staff.change_status(ticket["id"], "active")
    staff.change_status(ticket["id"], "closed")
    page = open_page(role=None)
    page.goto(f"/follow/{ticket['follow_token']}")
    expect(page.locator("#follow-status")).to_have_text("Closed")
    expect(page.locator(".follow-photo-thumbnail img")).to_have_count(1)
    expect(page.locator("#follow-photo-form")).to_be_hidden()
    page.locator(".follow-photo-thumbnail").click()
    assert page.locator("#follow-photo-full").get_attribute("src").startswith("data:image/png;base64,")


def test_a_refused_photo_on_the_follow_page_says_why(open_page, stack, tmp_path):
    ticket = reported(stack, "The lift in building C is stuck again")
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n<html>not a picture</html>")
    page = open_page(role=None)
    page.goto(f"/follow/{ticket['follow_token']}")
    page.locator("#follow-photo-upload input[type=file]").set_input_files(str(fake))
    expect(page.locator("#follow-photo-error")).to_contain_text("not the PNG image")
    assert photos_of(stack, ticket["id"]) == []


@WIDTHS
def test_a_new_ticket_is_sent_with_its_photo(open_page, stack, tmp_path, viewport):
    word = "np" + uuid.uuid4().hex[:6]
    page = open_page("user", viewport=viewport)
    page.goto("/tickets/new")
    page.fill("#new-description", f"The radiator in room B12 leaks water on the floor {word}")
    upload = page.locator("#new-photo input[type=file]")
    assert set((upload.get_attribute("accept") or "").split(",")) == {"image/jpeg", "image/png", "image/webp"}
    upload.set_input_files(str(camera_photo(tmp_path / "radiator.webp", "WEBP", (640, 480))))
    expect(page.locator("#new-photo-ready")).to_contain_text("radiator.webp")
    button = page.locator("#new-photo-add").bounding_box()
    assert button["x"] >= 0 and button["x"] + button["width"] <= viewport["width"]
    page.click("#new-submit")
    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    number = int(page.url.rsplit("/", 1)[1])
    (stored,) = photos_of(stack, number)
    assert (stored["content_type"], stored["width"], stored["height"]) == ("image/webp", 640, 480)
    expect(page.locator(".ticket-photo-thumbnail img")).to_have_count(1)


def test_a_new_ticket_whose_photo_is_refused_is_created_and_says_so(open_page, stack, tmp_path):
    word = "nr" + uuid.uuid4().hex[:6]
    fake = tmp_path / "broken.jpg"
    fake.write_bytes(b"\xff\xd8\xff\xe0 this is no JPEG at all")
    page = open_page("user", viewport=PHONE)
    page.goto("/tickets/new")
    page.fill("#new-description", f"The door of lab 4 does not lock any more {word}")
    page.locator("#new-photo input[type=file]").set_input_files(str(fake))
    page.click("#new-submit")
    error = page.locator("#new-photo-error")
    expect(error).to_contain_text("was created, but the photo was not added")
    expect(error).to_contain_text("not the JPEG image")
    expect(page).to_have_url(re.compile(r"/tickets/new$"))
    (ticket,) = stack.client("staff").list_tickets(query=word)["items"]
    assert ticket["attachment_count"] == 0 and f"#{ticket['id']}" in error.inner_text()
    expect(page.locator("#new-description")).to_have_value("")  # a second click cannot send it twice
    page.click("#new-photo-ticket-link")
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket['id']}$"))


@WIDTHS
def test_the_photo_pieces_have_no_serious_accessibility_violations(open_page, stack, tmp_path, viewport):
    ticket = reported(stack, "The heating in room 2.14 makes a loud noise")
    FollowClient(stack.client("user").settings).add_photo(
        ticket["follow_token"], camera_photo(tmp_path / "heating.jpg").read_bytes(), "image/jpeg")
    page = open_page(role=None, viewport=viewport)
    page.goto(f"/follow/{ticket['follow_token']}")
    expect(page.locator(".follow-photo-thumbnail img")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    violations = blocking_violations(page)
    assert not violations, describe(violations)
    form = open_page("user", viewport=viewport)
    form.goto("/tickets/new")
    form.locator("#new-photo input[type=file]").set_input_files(str(tmp_path / "heating.jpg"))
    expect(form.locator("#new-photo-ready")).to_be_visible()
    violations = blocking_violations(form)
    assert not violations, describe(violations)
