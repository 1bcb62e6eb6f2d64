"""Photos as the store keeps them: decoded, checked, re-encoded without metadata, with a thumbnail.

Nothing a client sends is ever served back as sent: every photo is decoded by Pillow and encoded
again, so EXIF (GPS included), XMP, ICC profiles, comments and anything hidden after the image
data are gone, and what is served is exactly the image type it is labelled as.
"""
from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

#: The image types a photo may be sent as, and Pillow's name of each.
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_BYTES = 10 * 1024 * 1024
#: More pixels than any phone camera's default photo (48 MP sensors save 12 MP); a small file that
#: claims more is a decompression bomb.
MAX_PIXELS = 50_000_000
THUMBNAIL_SIZE = (320, 320)
THUMBNAIL_TYPE = "image/webp"
#: Markup or script inside an image body: a file made to be read as a page as well (a polyglot).
MARKUP = re.compile(rb"<(?:!doctype|html|head|body|script|iframe|svg|object|embed|meta|\?php)[\s>/]", re.IGNORECASE)

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow itself refuses twice as many before decoding anything


class PhotoRefused(ValueError):
    """The body is not a photo the store keeps; *status* says why (413 too large, 415 not that image)."""

    def __init__(self, status: int, sentence: str) -> None:
        super().__init__(sentence)
        self.status = status


@dataclass(frozen=True)
class Photo:
    """A photo as stored: its clean bytes and its thumbnail's."""

    content_type: str
    data: bytes
    width: int
    height: int
    thumbnail: bytes
    thumbnail_type: str = THUMBNAIL_TYPE


def not_the_image(content_type: str, reason: str) -> PhotoRefused:
    return PhotoRefused(415, f"The body is not the {content_type.removeprefix('image/').upper()} image its "
                             f"Content-Type says ({reason}); send a JPEG, PNG or WebP photo as it is.")


def refuse_hidden_content(body: bytes, content_type: str) -> None:
    """Refuse markup anywhere in the body, and bytes after the end of a PNG or WebP image."""
    if MARKUP.search(body):
        raise not_the_image(content_type, "it holds markup as well")
    if content_type == "image/png":
        end = body.rfind(b"IEND")
        if end != -1 and body[end + 8:].strip(b"\x00\r\n\t "):
            raise not_the_image(content_type, "there is more after the end of the image")
    if content_type == "image/webp" and len(body) >= 8:
        declared = int.from_bytes(body[4:8], "little") + 8
        if len(body) > declared + 1:  # RIFF pads an odd size with one byte
            raise not_the_image(content_type, "there is more after the end of the image")


def decode(body: bytes, content_type: str) -> Image.Image:
    """Return the decoded image, refusing a body that is not the type it claims or is a bomb."""
    expected = IMAGE_TYPES[content_type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # sizes are checked below
        try:
            image = Image.open(io.BytesIO(body), formats=[expected])
        except Image.DecompressionBombError:
            raise too_many_pixels() from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise not_the_image(content_type, "it cannot be read as one") from None
    if image.width * image.height > MAX_PIXELS:
        raise too_many_pixels(image.width, image.height)
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError):
        raise not_the_image(content_type, "its image data is broken or cut off") from None
    return image


def too_many_pixels(width: int | None = None, height: int | None = None) -> PhotoRefused:
    size = f" ({width} × {height})" if width else ""
    return PhotoRefused(413, f"The photo has too many pixels{size}; at most {MAX_PIXELS // 1_000_000} megapixels "
                             "are kept: send a smaller photo.")


def clean_photo(body: bytes, content_type: str) -> Photo:
    """Return the photo decoded from *body*, upright, re-encoded without metadata, and its thumbnail."""
    if content_type not in IMAGE_TYPES:
        raise PhotoRefused(415, "A photo must be sent as image/jpeg, image/png or image/webp.")
    if len(body) > MAX_BYTES:
        raise PhotoRefused(413, "The photo is larger than 10 MiB; send a smaller one.")
    if not body:
        raise not_the_image(content_type, "the body is empty")
    refuse_hidden_content(body, content_type)
    image = decode(body, content_type)
    ImageOps.exif_transpose(image, in_place=True)  # the camera's orientation, applied before EXIF is dropped
    keeps_alpha = content_type != "image/jpeg" and ("A" in image.mode or "transparency" in image.info)
    mode = "RGBA" if keeps_alpha else "RGB"
    pixels = image if image.mode == mode else image.convert(mode)
    pixels.info = {}  # PNG and WebP encoders would otherwise copy an ICC profile or EXIF from here
    data = encode(pixels, IMAGE_TYPES[content_type])
    return Photo(content_type, data, pixels.width, pixels.height, encode(thumbnail(pixels), "WEBP", quality=75))


def thumbnail(image: Image.Image) -> Image.Image:
    """Return *image* shrunk to fit THUMBNAIL_SIZE, keeping its proportions (never enlarged)."""
    scale = min(1.0, THUMBNAIL_SIZE[0] / image.width, THUMBNAIL_SIZE[1] / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def encode(image: Image.Image, kind: str, quality: int = 85) -> bytes:
    """Return *image* encoded as *kind* with no metadata at all."""
    out = io.BytesIO()
    if kind == "PNG":
        image.save(out, "PNG", compress_level=6)
    elif kind == "JPEG":
        image.save(out, "JPEG", quality=quality, optimize=False)
    else:
        image.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()
