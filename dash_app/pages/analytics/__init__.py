"""Analytics (staff only): open tickets in a period, resolution time by month, active by category."""

import dash

from . import category, layout, open_since, resolution  # noqa: F401  (each registers its callbacks)

dash.register_page(
    __name__, path="/analytics", title="Analytics · Campus Helpdesk", name="Analytics", order=4, layout=layout.layout
)
