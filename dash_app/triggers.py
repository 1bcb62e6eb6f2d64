"""Tell a real button press from the calls Dash makes when a page's components appear."""

from __future__ import annotations

from typing import Any, Iterable, Mapping


def pressed(triggered: Iterable[Mapping[str, Any]] | None) -> str | None:
    """Return the id of the button that was pressed (or the field Enter was pressed in), or None.

    When a page is drawn, Dash calls the callbacks of its new buttons with every button
    listed as triggered and ``n_clicks`` still 0; only a count above 0 is a press.
    """
    for trigger in triggered or []:
        prop_id = str(trigger.get("prop_id") or "")
        component, _, prop = prop_id.rpartition(".")
        if prop in ("n_clicks", "n_submit") and trigger.get("value"):
            return component
    return None
