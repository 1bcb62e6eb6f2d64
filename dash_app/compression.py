"""Static files: gzip-compressed once and kept in memory; assets kept by browsers while unchanged."""
from __future__ import annotations

import gzip
import zlib

from flask import Flask, Response, request

#: Only the static files: they are the same for everybody, so compressing them once serves every visit.
PREFIXES = ("/_dash-component-suites/", "/assets/")
TYPES = ("text/javascript", "application/javascript", "text/css", "application/json", "image/svg+xml")
MIN_BYTES = 1024
MAX_ENTRIES = 256  # the app has a few dozen such files; the bound only guards against odd addresses
LEVEL = 6
#: Dash names each asset with its file's modification time (``?m=...``): a changed file gets a new address.
ASSET_CACHE = "public, max-age=31536000, immutable"


def accepts_gzip(accept_encoding: str) -> bool:
    """Return True when an Accept-Encoding header allows gzip (and does not refuse it with q=0)."""
    for part in accept_encoding.lower().split(","):
        name, _, parameters = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            quality = parameters.strip()
            return not (quality.startswith("q=") and float(quality[2:] or 0) == 0)
    return False


def add_compression(server: Flask) -> None:
    """Compress static JS/CSS answers for browsers that accept gzip, caching each compressed body."""
    cache: dict[tuple[str, int, int], bytes] = {}

    @server.after_request
    def compress(response: Response) -> Response:
        if not request.path.startswith(PREFIXES) or response.status_code != 200:
            return response
        if request.path.startswith("/assets/") and request.args.get("m"):
            response.headers["Cache-Control"] = ASSET_CACHE
        if response.mimetype not in TYPES or "Content-Encoding" in response.headers:
            return response
        response.vary.add("Accept-Encoding")
        if not accepts_gzip(request.headers.get("Accept-Encoding", "")):
            return response
        response.direct_passthrough = False  # a sent file: read it to compress it
        body = response.get_data()
        if len(body) < MIN_BYTES:
            return response
        key = (request.path, len(body), zlib.crc32(body))  # a changed file is compressed again
        packed = cache.get(key)
        if packed is None:
            packed = gzip.compress(body, compresslevel=LEVEL, mtime=0)
            if len(cache) >= MAX_ENTRIES:
                cache.clear()
            cache[key] = packed
        response.set_data(packed)
        response.headers["Content-Encoding"] = "gzip"
        etag, weak = response.get_etag()
        if etag:
            response.set_etag(etag + "-gzip", weak)
        return response
