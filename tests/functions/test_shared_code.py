"""The part the three functions share is the same in each: they deploy alone, so none may import another."""
from __future__ import annotations

import ast
import difflib

import pytest

from .conftest import FUNCTIONS, source

START = "# ---- shared: "
END = "# ---- end of the shared part ----"
SHARED_HELPERS = {"FunctionError", "refused", "json_response", "check_request", "read_now", "utc_text", "ask_store"}
# What each function defines before the shared part, for the shared part to use.
SETTINGS = {"FUNCTION", "PARAMETERS", "TAKES", "ANSWER", "STORE_TIMEOUT"}


def shared_part(name: str) -> str:
    """Return the lines of *name*'s main.py between the shared markers."""
    text = source(name).read_text()
    assert text.count(START) == 1 and text.count(END) == 1, f"{name}/main.py needs one pair of shared markers"
    return text[text.index(START):text.index(END)]


def top_level_names(text: str) -> set[str]:
    """Return the names *text* defines at module level (functions, classes and assignments)."""
    names = set()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {name.id for target in node.targets for name in ast.walk(target) if isinstance(name, ast.Name)}
    return names


def test_the_shared_part_is_the_same_in_the_three_functions():
    parts = {name: shared_part(name) for name in FUNCTIONS}
    first = FUNCTIONS[0]
    for name in FUNCTIONS[1:]:
        drift = "\n".join(difflib.unified_diff(parts[first].splitlines(), parts[name].splitlines(),
                                               f"{first}/main.py", f"{name}/main.py", lineterm=""))
        assert parts[name] == parts[first], f"the shared part drifted:\n{drift}"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_shared_helpers_are_defined_only_inside_the_shared_part(name):
    shared = top_level_names(shared_part(name))
    assert SHARED_HELPERS <= shared
    text = source(name).read_text()
    outside = top_level_names(text[:text.index(START)] + text[text.index(END):])
    assert not shared & outside, f"{name}/main.py defines {sorted(shared & outside)} again outside the shared part"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_names_itself_and_its_settings_before_the_shared_part(name):
    text = source(name).read_text()
    before = ast.parse(text[:text.index(START)])
    settings = {target.id: node.value for node in before.body if isinstance(node, ast.Assign)
                for target in ast.walk(node.targets[0]) if isinstance(target, ast.Name)}
    assert SETTINGS <= set(settings)
    assert ast.literal_eval(settings["FUNCTION"]) == name
