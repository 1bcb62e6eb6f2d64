"""The new-ticket page's photo and the follow page's photos, against a real store."""

from __future__ import annotations

import base64
import io
import json

from dash import no_update
from PIL import Image
from plotly.utils import PlotlyJSONEncoder

from dash_app.follow_client import FollowClient
from dash_app.pages import follow, follow_photos, new_ticket


def rendered(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def as_upload(data: bytes, content_type: str) -> str:
    """Return *data* as dcc.Upload hands a chosen file to a callback."""
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def png(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, "PNG")
    return out.getvalue()


def test_a_new_ticket_s_photo_goes_with_it(settings, user_store, word):
    answer = new_ticket.submit({"description": f"Broken lab window {word}"}, user_store,
                               as_upload(png(), "image/png"))
    assert answer.alert is None and answer.pathname == f"/tickets/{answer.followed['id']}"
    (photo,) = FollowClient(settings).photos(answer.followed["follow_token"])
    assert (photo["width"], photo["height"], photo["content_type"]) == (300, 200, "image/png")


def test_a_refused_photo_leaves_the_ticket_created_and_says_why(settings, user_store, word):
    answer = new_ticket.submit({"description": f"Broken lab door {word}"}, user_store,
                               as_upload(b"\x89PNG\r\n\x1a\nnothing", "image/png"))
    assert answer.pathname is no_update and answer.followed is not None
    text = rendered(answer.alert)
    assert f"#{answer.followed['id']} was created, but the photo was not added" in text and "PNG" in text
    assert user_store.get_ticket(answer.followed["id"])["attachment_count"] == 0
    other = new_ticket.submit({"description": f"Broken lab tap {word}"}, user_store, as_upload(b"x", "text/plain"))
    assert "not a JPEG, PNG or WebP photo" in rendered(other.alert) and other.pathname is no_update


def test_the_follow_page_s_photo_state_and_thumbnails(settings, user_store, staff_store, word):
    ticket = new_ticket.submit({"description": f"Leaking lab sink {word}"}, user_store,
                               as_upload(png((640, 320)), "image/png")).followed
    view = follow.follow_view(ticket["follow_token"], [], FollowClient(settings))
    assert view.photos == {"id": ticket["id"], "photos": 1, "closed": False}
    (button,) = follow_photos.thumbnails(FollowClient(settings), ticket["follow_token"])
    assert button.id["path"] == f"/api/v1/follow/{ticket['follow_token']}/attachments/" \
                                f"{FollowClient(settings).photos(ticket['follow_token'])[0]['id']}"
    assert button.children.src.startswith("data:image/webp;base64,")
    for status in ("active", "closed"):
        staff_store.change_status(ticket["id"], status)
    closed = follow.follow_view(ticket["follow_token"], [], FollowClient(settings))
    assert closed.photos["closed"] and closed.photos["photos"] == 1
    assert FollowClient(settings).photo_data_url(button.id["path"]).startswith("data:image/png;base64,")
