"""Create the Campus Helpdesk web app; ``server`` is what waitress serves."""

from __future__ import annotations

from dash import Dash
from flask import request

from . import shell
from .compression import add_compression
from .page_scripts import page_scripts
from .security import add_security_headers

#: The page frame Dash writes, with the page's language (read aloud correctly by screen readers).
INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>
"""


class HelpdeskDash(Dash):
    """Dash, writing each page's script tags for that page (dash_app/page_scripts.py)."""

    def interpolate_index(self, **kwargs: str) -> str:
        kwargs["scripts"] = page_scripts(kwargs.get("scripts", ""), request.path,
                                         self.config.requests_pathname_prefix)
        return super().interpolate_index(**kwargs)


app = HelpdeskDash(
    __name__,
    use_pages=True,
    pages_folder="",  # the pages are imported below, as ordinary modules
    title="Campus Helpdesk",
    update_title=None,
    suppress_callback_exceptions=True,
)
app.index_string = INDEX_STRING
app.layout = shell.layout
server = app.server

# A page registers itself when imported, which needs the app to exist.
from .pages import analytics, entry, new_ticket, ticket, tickets  # noqa: E402,F401
from .pages import follow, location_codes, mine  # noqa: E402,F401

# Dash learns which script files it may serve while it writes its first page. A browser's
# script request could reach a process that has not written one yet, and fail; so every
# process writes one page before serving.
with server.test_request_context("/"):
    app.index()

add_security_headers(app)
add_compression(server)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050)
