"""Which scripts a page names up front: no legacy polyfill; where the grid shows, a hint to fetch its code."""
from __future__ import annotations

import re

#: Pages that show the ticket grid. dash-ag-grid fetches the grid's own code (870 KB, 250 KB gzipped)
#: only once a grid is on the page, after the scripts, the layout and the page's callback have come and
#: gone; a preload hint fetches it while those run, and it is compiled only when the grid asks for it
#: (compiling it early, as a script of the page, took main-thread time from the first paint here).
GRID_PAGES = ("/tickets",)
GRID_CHUNK = "_dash-component-suites/dash_ag_grid/async-community.js"

#: Dash names @babel/polyfill (core-js 2) first on every page, for browsers older than React 18 runs
#: in; evaluating it costs 70-280 ms of the main thread here. The one thing Dash's bundles take
#: from it, the global ``regeneratorRuntime`` (for their lazily loaded parts), the
#: dash-bootstrap-components bundle defines as well, before any of them can need it.
POLYFILL = re.compile(r'<script src="[^"]*/dash/deps/polyfill@[^"]*"></script>\s*')


def page_scripts(scripts: str, path: str, prefix: str = "/") -> str:
    """Return the script tags Dash wrote for a page, adjusted for the page at *path*."""
    scripts = POLYFILL.sub("", scripts, count=1)
    if (path.rstrip("/") or "/") in GRID_PAGES:
        scripts += f'\n<link rel="preload" href="{prefix}{GRID_CHUNK}" as="script">'
    return scripts
