"""Create the Campus Helpdesk web app; ``server`` is what gunicorn serves."""

from __future__ import annotations

from dash import Dash

from . import shell
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

app = Dash(
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

# Dash learns which script files it may serve while it writes its first page. Under
# several gunicorn workers a browser's script request can reach a worker that has not
# written one yet, and fails; so every process writes one page before serving.
with server.test_request_context("/"):
    app.index()

add_security_headers(app)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050)
