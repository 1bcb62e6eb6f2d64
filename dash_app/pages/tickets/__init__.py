"""Ticket list: a grid paged, sorted, filtered and searched by the store itself."""

import dash

from . import callbacks, layout  # noqa: F401  (importing callbacks registers them)

dash.register_page(
    __name__, path="/tickets", title="Tickets · Campus Helpdesk", name="Tickets", order=1, layout=layout.layout
)
