"""Ticket page: the fields, edit, staff actions, the live message thread and the history."""

import dash

from . import callbacks, layout  # noqa: F401  (importing callbacks registers them)

dash.register_page(
    __name__,
    path_template="/tickets/<ticket_id>",
    title="Ticket · Campus Helpdesk",
    name="Ticket",
    order=3,
    layout=layout.layout,
)
