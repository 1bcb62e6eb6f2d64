"""What the ticket page and the follow page show of photos alike: thumbnails, the full-size view, the hint."""

from __future__ import annotations

from typing import Any, Callable, Iterable

import dash_bootstrap_components as dbc
from dash import html

PHOTO_TYPES_ACCEPTED = "image/jpeg,image/png,image/webp"
PHOTO_HINT = ("JPEG, PNG or WebP up to 10 MiB; on a phone this opens the camera. Location data and other metadata "
              "are removed.")


def thumbnail_buttons(photos: Iterable[dict[str, Any]], data_url: Callable[[str], str], kind: str,
                      whose: str) -> list[html.Button]:
    """Return a button per photo showing its thumbnail; *kind* names the pattern id the full-size view listens to."""
    return [
        html.Button(
            html.Img(src=data_url(photo["thumbnail_url"]), alt=f"Photo {number} of {whose}",
                     className="rounded border", style={"maxWidth": "160px", "maxHeight": "160px"}),
            id={"type": kind, "path": photo["url"]},
            className=f"btn p-0 border-0 bg-transparent {kind}-thumbnail",
            n_clicks=0,
            title="Open the photo full size",
        )
        for number, photo in enumerate(photos, start=1)
    ]


def full_size_view(prefix: str) -> dbc.Modal:
    """Return the dialog that shows one photo at full size (ids *prefix*-modal and *prefix*-full)."""
    return dbc.Modal(
        [dbc.ModalHeader(dbc.ModalTitle("Photo")),
         dbc.ModalBody(html.Img(id=f"{prefix}-full", alt="The photo at full size", style={"maxWidth": "100%"}))],
        id=f"{prefix}-modal", size="xl", is_open=False,
    )
