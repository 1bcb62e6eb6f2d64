"""People's text is isolated in a real browser: a right-to-left override cannot reorder the text beside it."""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

OVERRIDE = "\u202e"  # RIGHT-TO-LEFT OVERRIDE, never closed
ISOLATED = ("isolate", "plaintext", "isolate-override")

#: How the characters of an element's text are laid out: the left edge of its first and of its last character.
FIRST_AND_LAST_X = """element => {
    const text = [...element.childNodes].find(node => node.nodeType === Node.TEXT_NODE && node.data.trim());
    const edge = offset => {
        const range = document.createRange();
        range.setStart(text, offset);
        range.setEnd(text, offset + 1);
        return range.getBoundingClientRect().left;
    };
    return [edge(text.data.search(/\\S/)), edge(text.data.length - 1)];
}"""


def unicode_bidi(page: Page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "elements => elements.map(e => getComputedStyle(e).unicodeBidi)")


@pytest.fixture
def word() -> str:
    return "w" + uuid.uuid4().hex[:8]


def test_an_override_in_an_author_name_does_not_reverse_the_timestamp_beside_it(open_page, stack, word):
    created = stack.client("user").create_ticket(description=f"Projector flickers {word}")
    stack.client("user").post_message(created["id"], "Still flickering", f"Eve{OVERRIDE}")
    page = open_page("staff")
    page.goto(f"/tickets/{created['id']}")
    author = page.locator(".thread-message .message-author").first
    expect(author).to_contain_text("Eve")
    timestamp = author.locator("xpath=following-sibling::span[1]")
    first, last = timestamp.evaluate(FIRST_AND_LAST_X)
    assert first < last, "the timestamp after the name is laid out right to left: the override leaked into it"
    name_box, time_box = author.bounding_box(), timestamp.bounding_box()
    assert time_box["x"] >= name_box["x"] + name_box["width"] - 1, "the timestamp is not to the right of the name"


def test_every_element_showing_peoples_text_is_isolated(open_page, stack, word):
    """Block elements (div, dd, h1) are isolated by the browser's own style sheet too; inline ones are not."""
    created = stack.client("user").create_ticket(description=f"Door {OVERRIDE}stuck {word}", title=f"Door {word}",
                                                 location=f"{OVERRIDE}Hall B", reporter=f"Ana{OVERRIDE}")
    stack.client("user").post_message(created["id"], f"Any news{OVERRIDE}?", f"Bo{OVERRIDE}")
    page = open_page("staff")
    page.goto(f"/tickets/{created['id']}")
    expect(page.locator(".thread-message")).to_have_count(1)
    for selector in (".message-author", ".message-body", "#ticket-history-list .ticket-text", "#ticket-heading",
                     "#ticket-description", "#ticket-details dd"):
        styles = unicode_bidi(page, selector)
        assert styles and all(style in ISOLATED for style in styles), (selector, styles)
    page.goto("/tickets")
    page.fill("#tickets-search", word)
    expect(page.locator(".tickets-grid .ag-row", has_text=f"Door {word}")).to_have_count(1)
    styles = unicode_bidi(page, ".tickets-grid .ag-row .ag-cell")
    assert styles and all(style in ISOLATED for style in styles), styles
