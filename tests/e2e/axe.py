"""Accessibility checks with axe-core (shipped inside axe-playwright-python) on an open page."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

#: The impacts that fail a test: WCAG 2.1 AA problems that block or badly hinder a person.
BLOCKING = ("serious", "critical")
#: The rule sets checked: WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_axe = Axe()


def blocking_violations(page: Page) -> list[str]:
    """Run axe-core on the page and return one line per serious or critical violation."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    lines: list[str] = []
    for violation in results.response.get("violations", []):
        if violation.get("impact") not in BLOCKING:
            continue
        targets = [", ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])[:5]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — at {'; '.join(targets)}")
    return lines


def describe(lines: list[Any]) -> str:
    """Return the violations as a readable block for an assertion message."""
    return "\n".join(str(line) for line in lines)
