"""Photos on tickets: only real images are kept, re-encoded without metadata, served under the ticket's rules."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from ticket_store.images import MAX_PIXELS

from .conftest import STAFF, USER, assert_error, matches_schema

GPS = 0x8825
MAKE = 0x010F


def photo(kind: str = "JPEG", size: tuple[int, int] = (640, 480), exif: Image.Exif | None = None,
          mode: str = "RGB") -> bytes:
    """Return a real photo made by Pillow: a gradient, so it compresses like a picture."""
    image = Image.linear_gradient("L").resize(size).convert(mode)
    out = io.BytesIO()
    image.save(out, kind, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "CampusPhone"
    exif[GPS] = {1: "N", 2: (52.0, 12.0, 30.5), 3: "E", 4: (13.0, 24.0, 5.0)}
    return exif


def upload(client, ticket_id: int, body: bytes, content_type: str = "image/jpeg", role: dict = USER):
    return client.post(f"/api/v1/tickets/{ticket_id}/attachments", data=body, content_type=content_type,
                       headers=role)


@pytest.mark.parametrize("kind, content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_each_image_type_is_kept_with_a_thumbnail(client, desk, kind, content_type):
    ticket = desk.create()
    response = upload(client, ticket["id"], photo(kind, (1200, 900)), content_type)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    matches_schema("Attachment", created)
    assert (created["content_type"], created["width"], created["height"]) == (content_type, 1200, 900)
    assert response.headers["Location"] == created["url"]
    full = client.get(created["url"], headers=USER)
    assert full.status_code == 200 and full.mimetype == content_type
    assert full.headers["X-Content-Type-Options"] == "nosniff" and full.headers["ETag"]
    assert Image.open(io.BytesIO(full.data)).format == kind and len(full.data) == created["bytes"]
    small = client.get(created["thumbnail_url"], headers=USER)
    assert small.status_code == 200 and small.headers["X-Content-Type-Options"] == "nosniff"
    thumbnail = Image.open(io.BytesIO(small.data))
    assert small.mimetype == "image/webp" and thumbnail.size == (320, 240)
    assert desk.get(ticket["id"])["attachment_count"] == 1
    assert [item["id"] for item in client.get(f"/api/v1/tickets/{ticket['id']}/attachments").get_json()["items"]] \
        == [created["id"]]
    kinds = [event["kind"] for event in client.get(f"/api/v1/tickets/{ticket['id']}/events").get_json()["items"]]
    assert kinds == ["created", "photo_added"]


def test_gps_and_every_other_metadata_are_dropped(client, desk):
    ticket = desk.create()
    sent = photo("JPEG", exif=gps_exif())
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS)  # the photo really carries a location
    created = upload(client, ticket["id"], sent).get_json()
    kept = client.get(created["url"]).data
    image = Image.open(io.BytesIO(kept))
    assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    assert b"CampusPhone" not in kept and b"Exif" not in kept


def test_a_turned_photo_is_stored_upright(client, desk):
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held on its side: turn 90° clockwise to view
    created = upload(client, desk.create()["id"], photo("JPEG", (400, 300), exif=exif)).get_json()
    assert (created["width"], created["height"]) == (300, 400)


def test_a_repeated_download_is_answered_not_modified(client, desk):
    created = upload(client, desk.create()["id"], photo()).get_json()
    first = client.get(created["url"])
    again = client.get(created["url"], headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@pytest.mark.parametrize("body, content_type", [
    pytest.param(b"\x89PNG\r\n\x1a\n" + HTML, "image/png", id="png-header-on-html"),
    pytest.param(b"\xff\xd8\xff\xe0" + HTML, "image/jpeg", id="jpeg-header-on-html"),
    pytest.param(b"RIFF\x00\x01\x00\x00WEBP" + HTML, "image/webp", id="webp-header-on-html"),
    pytest.param(photo("PNG") + HTML, "image/png", id="png-polyglot-html-after-the-image"),
    pytest.param(photo("JPEG")[:-2] + HTML + b"\xff\xd9", "image/jpeg", id="jpeg-polyglot-html-inside"),
    pytest.param(photo("PNG")[:-12] + png_chunk(b"tEXt", b"c\x00" + HTML) + photo("PNG")[-12:], "image/png",
                 id="png-polyglot-html-in-a-text-chunk"),
    pytest.param(photo("PNG"), "image/jpeg", id="png-sent-as-jpeg"),
    pytest.param(photo("JPEG"), "image/webp", id="jpeg-sent-as-webp"),
    pytest.param(photo("JPEG")[:400], "image/jpeg", id="cut-off-jpeg"),
    pytest.param(b"", "image/png", id="empty"),
    pytest.param(photo("GIF"), "image/gif", id="gif-not-accepted"),
    pytest.param(photo("JPEG"), "application/octet-stream", id="no-image-type"),
    pytest.param(b'{"a": 1}', "application/json", id="json"),
])
def test_a_body_that_is_not_the_image_it_claims_is_refused(client, desk, body, content_type):
    ticket = desk.create()
    assert_error(upload(client, ticket["id"], body, content_type), 415)
    assert desk.get(ticket["id"])["attachment_count"] == 0
    assert desk.get(ticket["id"])["version"] == 1


def test_a_decompression_bomb_is_refused(client, desk):
    side = int(MAX_PIXELS ** 0.5) + 100  # a few kilobytes of PNG that would decode to 200 MB
    bomb = io.BytesIO()
    Image.new("L", (side, side)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 1024 * 1024
    ticket = desk.create()
    body = assert_error(upload(client, ticket["id"], bomb.getvalue(), "image/png"), 413)
    assert "pixels" in body["error"]
    huge = io.BytesIO()  # beyond twice the limit Pillow refuses before reading a pixel
    header = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 60_000, 60_000, 8, 0, 0, 0, 0))
    huge.write(header + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + png_chunk(b"IEND", b""))
    assert_error(upload(client, ticket["id"], huge.getvalue(), "image/png"), 413)
    assert desk.get(ticket["id"])["attachment_count"] == 0


def test_a_photo_over_10_mib_is_refused(client, desk):
    ticket = desk.create()
    too_big = photo("PNG")
    too_big += b"\x00" * (10 * 1024 * 1024 + 1 - len(too_big))
    assert_error(upload(client, ticket["id"], too_big, "image/png"), 413)
    assert desk.get(ticket["id"])["attachment_count"] == 0


def test_a_ticket_holds_at_most_20_photos(client, desk):
    ticket = desk.create()
    small = photo("JPEG", (64, 48))
    for _ in range(20):
        assert upload(client, ticket["id"], small).status_code == 201
    body = assert_error(upload(client, ticket["id"], small), 409)
    assert "20 photos" in body["error"]
    assert desk.get(ticket["id"])["attachment_count"] == 20


def test_closed_tickets_take_no_photos_and_show_theirs_to_staff_only(client, desk):
    ticket = desk.create()
    created = upload(client, ticket["id"], photo()).get_json()
    desk.move(ticket["id"], "active"), desk.move(ticket["id"], "closed")
    for url in (created["url"], created["thumbnail_url"], f"/api/v1/tickets/{ticket['id']}/attachments"):
        assert_error(client.get(url, headers=USER), 403)
        assert client.get(url, headers=STAFF).status_code == 200
    assert_error(upload(client, ticket["id"], photo(), role=USER), 403)
    assert_error(upload(client, ticket["id"], photo(), role=STAFF), 409)


def test_unknown_tickets_and_photos_are_404(client, desk):
    assert_error(upload(client, 999, photo()), 404)
    assert_error(client.get("/api/v1/attachments/999"), 404)
    assert_error(client.get("/api/v1/attachments/999/thumbnail"), 404)


def test_a_transparent_png_keeps_its_transparency(client, desk):
    image = Image.new("RGBA", (50, 40), (255, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    created = upload(client, desk.create()["id"], out.getvalue(), "image/png").get_json()
    kept = Image.open(io.BytesIO(client.get(created["url"]).data))
    assert kept.mode == "RGBA" and kept.getpixel((0, 0))[3] == 0


def test_a_backup_holds_the_photos(client, desk, tmp_path):
    import duckdb

    created = upload(client, desk.create()["id"], photo()).get_json()
    response = client.post("/api/v1/backup", headers=STAFF)
    assert response.status_code == 200
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(response.data)
    with duckdb.connect(str(copy), read_only=True) as con:
        stored = con.execute("SELECT image FROM attachments WHERE id = ?", [created["id"]]).fetchone()[0]
    assert bytes(stored) == client.get(created["url"]).data
