"""The web app's static answers: gzip for browsers that take it, long caching of assets, each page's scripts."""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import dash_bootstrap_components
import pytest

from dash_app.app import server
from dash_app.compression import accepts_gzip
from dash_app.page_scripts import GRID_CHUNK, page_scripts

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture(scope="module")
def client():
    return server.test_client()


def script_sources(html: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', html)


@pytest.mark.parametrize("header, expected", [
    ("gzip, deflate, br", True), ("br;q=1.0, gzip;q=0.8", True), ("*", True), ("identity", False),
    ("", False), ("gzip;q=0", False), ("deflate, gzip;q=0.0", False),
])
def test_gzip_is_used_only_when_the_browser_accepts_it(header, expected):
    assert accepts_gzip(header) is expected


def test_component_scripts_are_sent_gzipped_and_unpack_to_the_same_file(client):
    grid = next(src for src in script_sources(client.get("/tickets").get_data(as_text=True)) if "dash_ag_grid" in src)
    plain = client.get(grid)
    packed = client.get(grid, headers=GZIP)
    again = client.get(grid, headers=GZIP)  # from the cache of compressed files
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data == gzip.decompress(again.data)
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 2
    assert packed.headers["Cache-Control"] == plain.headers["Cache-Control"]  # Dash's, for fingerprinted files


def test_pages_and_callbacks_are_not_touched(client):
    page = client.get("/tickets", headers=GZIP)
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
    layout = client.get("/_dash-layout", headers=GZIP)
    assert layout.status_code == 200 and "Content-Encoding" not in layout.headers


def test_assets_named_with_their_time_are_kept_and_others_revalidated(client):
    page = client.get("/tickets").get_data(as_text=True)
    asset = next(src for src in script_sources(page) if src.startswith("/assets/tickets.js?m="))
    named = client.get(asset, headers=GZIP)
    assert named.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert named.headers["Content-Encoding"] == "gzip"
    bare = client.get("/assets/tickets.js")
    assert "immutable" not in bare.headers.get("Cache-Control", "")
    tiny = client.get("/assets/loading.js", headers=GZIP)  # under a kilobyte: not worth packing
    assert tiny.status_code == 200 and "Content-Encoding" not in tiny.headers


def test_a_conditional_request_still_gets_not_modified(client):
    plain = client.get("/assets/tickets.js")
    again = client.get("/assets/tickets.js", headers={**GZIP, "If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_the_list_page_fetches_the_grid_code_early_and_other_pages_do_not(client):
    for path in ("/tickets", "/tickets?status=open&sort=title"):
        html = client.get(path).get_data(as_text=True)
        assert f'<link rel="preload" href="/{GRID_CHUNK}" as="script">' in html
    for path in ("/", "/tickets/new", "/analytics", "/mine"):
        assert GRID_CHUNK not in client.get(path).get_data(as_text=True)
    chunk = client.get("/" + GRID_CHUNK)
    assert chunk.status_code == 200 and b"webpackChunkdash_ag_grid" in chunk.data


def test_no_page_names_the_legacy_polyfill_and_its_one_global_still_comes(client):
    for path in ("/", "/tickets", "/analytics"):
        sources = script_sources(client.get(path).get_data(as_text=True))
        assert not [src for src in sources if "polyfill" in src]
        assert any("dash_renderer" in src for src in sources) and any("react-dom" in src for src in sources)
    # Dash's bundles use regeneratorRuntime for their lazily loaded parts; the Bootstrap bundle,
    # named on every page before the renderer, defines it.
    bundle = Path(dash_bootstrap_components.__file__).parent / "_components" / "dash_bootstrap_components.min.js"
    assert "regeneratorRuntime=r" in bundle.read_text()
    sources = script_sources(client.get("/").get_data(as_text=True))
    assert sources.index(next(s for s in sources if "dash_bootstrap_components" in s)) < \
        sources.index(next(s for s in sources if "dash_renderer" in s))


def test_page_scripts_leaves_other_tags_alone():
    tags = ('<script src="/_dash-component-suites/dash/deps/polyfill@7.v4_4_1m1.12.1.min.js"></script>\n'
            '<script src="/_dash-component-suites/dash/deps/react@18.v4_4_1m1.3.1.min.js"></script>')
    assert page_scripts(tags, "/") == '<script src="/_dash-component-suites/dash/deps/react@18.v4_4_1m1.3.1.min.js"></script>'
    assert page_scripts(tags, "/tickets/", "/helpdesk/").endswith(
        f'<link rel="preload" href="/helpdesk/{GRID_CHUNK}" as="script">')
