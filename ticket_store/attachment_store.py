"""Photos of tickets in the database: their clean bytes and thumbnails beside the ticket, as BLOBs.

A photo is acknowledged only after its commit, and a backup (a copy of the whole database) holds it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from . import report_rules
from .images import Photo
from .tickets import Tickets, fetch_ticket_row, iso, record_event

if TYPE_CHECKING:
    from .records import Attachment

ATTACHMENT_COLUMNS = "id, ticket_id, content_type, bytes, width, height, created_at"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def attachment_record(row: tuple) -> Attachment:
    """Return the API's attachment from a database row."""
    id_, ticket_id, content_type, size, width, height, created_at = row
    return {"id": id_, "ticket_id": ticket_id, "content_type": content_type, "bytes": size, "width": width,
            "height": height, "created_at": iso(created_at), "url": f"/api/v1/attachments/{id_}",
            "thumbnail_url": f"/api/v1/attachments/{id_}/thumbnail"}


class Attachments:
    """The photos of one database's tickets."""

    def __init__(self, tickets: Tickets) -> None:
        self.tickets = tickets
        self.db = tickets.db

    def add_photo(self, ticket_id: int, photo: Photo, role: str) -> Attachment:
        """Store *photo* under a ticket that is not closed and has room for it."""
        db = self.db

        def write(cursor: duckdb.DuckDBPyConnection) -> Attachment:
            current = self.tickets.record(fetch_ticket_row(cursor, ticket_id, self.tickets.clock()))
            report_rules.refuse_more_photos(current, role)
            now = self.tickets.clock()
            attachment_id = db.reserve_ids("attachments")
            row = (attachment_id, ticket_id, photo.content_type, len(photo.data), photo.width, photo.height, now)
            cursor.execute(
                f"INSERT INTO attachments ({ATTACHMENT_COLUMNS}, role, image, thumbnail_type, thumbnail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*row, role, photo.data, photo.thumbnail_type, photo.thumbnail])
            cursor.execute(
                "UPDATE tickets SET attachment_count = attachment_count + 1, updated_at = ?, version = version + 1 "
                "WHERE id = ?", [now, ticket_id])
            record_event(db, ticket_id, current["version"] + 1, now, role, "photo_added", None,
                         {"attachment_id": attachment_id, "content_type": photo.content_type})
            return attachment_record(row)

        return db.write(write)

    def list_photos(self, ticket_id: int) -> list[Attachment]:
        """Return the ticket's photos (without their bytes), oldest first."""
        rows = self.db.cursor().execute(
            f"SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE ticket_id = ? ORDER BY id", [ticket_id]).fetchall()
        return [attachment_record(row) for row in rows]

    def ticket_of(self, attachment_id: int) -> int | None:
        """Return the id of the ticket the photo belongs to, or None when there is no such photo."""
        row = self.db.cursor().execute("SELECT ticket_id FROM attachments WHERE id = ?", [attachment_id]).fetchone()
        return None if row is None else row[0]

    def photo_bytes(self, attachment_id: int, thumbnail: bool) -> tuple[str, bytes]:
        """Return the content type and bytes of the photo or of its thumbnail."""
        columns = "thumbnail_type, thumbnail" if thumbnail else "content_type, image"
        content_type, data = self.db.cursor().execute(
            f"SELECT {columns} FROM attachments WHERE id = ?", [attachment_id]).fetchone()
        return content_type, bytes(data)


def download_name(attachment_id: int, content_type: str, thumbnail: bool) -> str:
    """Return the file name a saved photo gets."""
    return f"photo-{attachment_id}{'-thumbnail' if thumbnail else ''}.{EXTENSIONS.get(content_type, 'webp')}"
