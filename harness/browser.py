"""The one Chromium the browser tests and the web benchmark launch, and what they watch in its pages."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("HELPDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing() -> str | None:
    """Return a sentence saying Chromium is not installed, or None when it is."""
    if Path(CHROMIUM).exists():
        return None
    return f"Chromium is not installed at {CHROMIUM}: apt-get install chromium chromium-driver"


def launch_chromium(playwright: Any) -> Any:
    """Launch the headless Chromium with the arguments every caller uses (a Playwright Browser)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@dataclass
class Watched:
    """What went wrong in the browser while a test ran: console errors, page errors, dialogs."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def page_error(self, error: Exception) -> None:
        self.errors.append(f"page error: {error}")

    def refuse_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()
