"""Photos, "Is it one of these?" with "Me too", notices and merging, in a real browser against the real services."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from dash_app.photos_client import ReportOnceClient

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


def report_once(stack, role: str) -> ReportOnceClient:
    return ReportOnceClient(role, settings=stack.client(role).settings)


def camera_photo(path):
    """Write a JPEG like a phone's, with a GPS position in its EXIF, and return its path."""
    image = Image.linear_gradient("L").resize((800, 600)).convert("RGB")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (45.0, 28.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_photo_is_uploaded_shown_as_thumbnail_and_opens_full_size(open_page, stack, tmp_path, viewport):
    word = "w" + uuid.uuid4().hex[:8]
    ticket = stack.client("user").create_ticket(description=f"The window in the stairwell is broken {word}")
    page: Page = open_page("user", viewport=viewport)
    page.goto(f"/tickets/{ticket['id']}")
    expect(page.locator("#ticket-photos")).to_contain_text("No photos yet.")
    upload = page.locator("#ticket-photo-upload input[type=file]")
    assert "image/jpeg" in (upload.get_attribute("accept") or "")
    upload.set_input_files(str(camera_photo(tmp_path / "photo.jpg")))
    expect(page.locator("#ticket-photo-added")).to_be_visible()
    thumbnail = page.locator(".ticket-photo-thumbnail img")
    expect(thumbnail).to_have_count(1)
    assert thumbnail.get_attribute("src").startswith("data:image/webp;base64,")
    thumbnail.click()
    expect(page.locator("#ticket-photo-full")).to_be_visible()
    assert page.locator("#ticket-photo-full").get_attribute("src").startswith("data:image/jpeg;base64,")
    stored = report_once(stack, "user").photos(ticket["id"])
    assert len(stored) == 1 and (stored[0]["width"], stored[0]["height"]) == (800, 600)


def test_a_file_that_is_not_a_photo_is_refused_with_a_sentence(open_page, stack, tmp_path):
    ticket = stack.client("user").create_ticket(description="The lift is stuck again")
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>")
    page = open_page("user")
    page.goto(f"/tickets/{ticket['id']}")
    page.locator("#ticket-photo-upload input[type=file]").set_input_files(str(fake))
    expect(page.locator("#ticket-photo-error")).to_contain_text("not the PNG image")
    assert report_once(stack, "user").photos(ticket["id"]) == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_is_it_one_of_these_offers_me_too_while_typing(open_page, stack, viewport):
    word = "zq" + uuid.uuid4().hex[:6]
    ticket = stack.client("user").create_ticket(
        description=f"The coffee machine {word} in the cafeteria eats coins", location="Cafeteria")
    page = open_page("user", viewport=viewport)
    page.goto("/tickets/new")
    page.fill("#new-location", "Cafeteria")
    page.fill("#new-description", f"coffee machine {word} took my money")
    box = page.locator("#new-similar-box")
    expect(box).to_contain_text("Is it one of these?")
    expect(box).to_contain_text(f"#{ticket['id']}")
    page.fill("#new-me-too-contact", "kim@campus.example")
    page.locator(f"#new-similar-box .new-similar-ticket:has-text('#{ticket['id']}') .new-me-too").click()
    expect(box).to_contain_text("2 people reported this.")
    assert stack.client("staff").get_ticket(ticket["id"])["me_too_count"] == 1


def test_matching_notices_are_shown_before_the_report_is_written(open_page, stack):
    word = "nq" + uuid.uuid4().hex[:6]
    staff = report_once(stack, "staff")
    notice = staff.publish_notice(f"The {word} network in the main library is down, we're on it",
                                  location="Main library")
    try:
        page = open_page("user")
        page.goto("/tickets/new")
        page.fill("#new-description", f"cannot connect to {word} at all")
        expect(page.locator(".new-notice")).to_contain_text(f"The {word} network in the main library is down")
        page.fill("#new-location", "Science building")
        expect(page.locator(".new-notice", has_text=word)).to_have_count(0)
        entry = open_page(role=None)
        entry.goto("/")
        expect(entry.locator("#entry-notices")).to_contain_text(f"The {word} network in the main library is down")
    finally:
        staff.withdraw_notice(notice["id"])


def test_staff_merge_a_duplicate_from_its_page(open_page, stack):
    user = stack.client("user")
    main = user.create_ticket(description="The projector in hall C shows no picture")
    duplicate = user.create_ticket(description="No image from the hall C projector")
    page = open_page("staff")
    page.goto(f"/tickets/{duplicate['id']}")
    page.fill("#ticket-merge-into", str(main["id"]))
    page.click("#ticket-merge")
    expect(page.locator("#ticket-merge-done")).to_contain_text(f"#{main['id']}")
    expect(page.locator("#ticket-merged-into")).to_have_text(f"#{main['id']}", timeout=12_000)
    assert stack.client("staff").get_ticket(main["id"])["me_too_count"] == 1
    page.goto(f"/tickets/{main['id']}")
    expect(page.locator("#ticket-reported-by")).to_contain_text("2 people reported this.")
