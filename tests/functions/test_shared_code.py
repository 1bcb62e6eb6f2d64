"""The module the functions share is the same file in each folder (each deploys alone), and main.py stays small."""
from __future__ import annotations

import ast
import difflib

import pytest

from .conftest import FUNCTIONS, assert_error, source

SHARED = "analysis_function.py"
SHARED_HELPERS = {"FunctionError", "AnalysisFunction", "json_response", "read_now", "utc_text"}
MAX_MAIN_LINES = 110
# What each function says it takes when refusing an unknown parameter.
TAKES = {"open_since": "hours or days, and now", "resolution_time": "from, to and now",
         "category_active": "only now", "service_levels": "from, to and now"}


def shared_module(name: str) -> str:
    return (source(name).parent / SHARED).read_text()


def top_level_names(text: str) -> set[str]:
    """Return the names *text* defines at module level (functions, classes and assignments)."""
    names = set()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {name.id for target in node.targets for name in ast.walk(target) if isinstance(name, ast.Name)}
    return names


def test_the_shared_module_is_the_same_file_in_every_function():
    first = FUNCTIONS[0]
    for name in FUNCTIONS[1:]:
        drift = "\n".join(difflib.unified_diff(shared_module(first).splitlines(), shared_module(name).splitlines(),
                                               f"{first}/{SHARED}", f"{name}/{SHARED}", lineterm=""))
        assert (source(name).parent / SHARED).read_bytes() == (source(first).parent / SHARED).read_bytes(), \
            f"the shared module drifted:\n{drift}"


def test_the_shared_module_names_no_function():
    """Whichever copy a process imports first serves every function loaded in it, so it holds no one's settings."""
    text = shared_module(FUNCTIONS[0])
    assert SHARED_HELPERS <= top_level_names(text)
    assert not [name for name in FUNCTIONS if name in text]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_main_py_is_small(name):
    lines = source(name).read_text().splitlines()
    assert len(lines) <= MAX_MAIN_LINES, f"{name}/main.py has {len(lines)} lines; keep it to {MAX_MAIN_LINES}"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_main_py_imports_the_shared_helpers_and_defines_none_again(name):
    tree = ast.parse(source(name).read_text())
    imported = {alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
                and node.module == SHARED.removesuffix(".py") for alias in node.names}
    shared = top_level_names(shared_module(name))
    assert imported and imported <= shared
    again = top_level_names(source(name).read_text()) & shared
    assert not again, f"{name}/main.py defines {sorted(again)} again"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_names_itself_and_answers_errors_in_the_store_shape(name):
    tree = ast.parse(source(name).read_text())
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    named = [call for call in calls if isinstance(call.func, ast.Name) and call.func.id == "AnalysisFunction"]
    assert len(named) == 1 and ast.literal_eval(named[0].args[0]) == name
    assert any(isinstance(call.func, ast.Attribute) and call.func.attr == "answer_errors" for call in calls)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_loaded_in_one_process_keep_their_own_settings(function_clients, name):
    """All four share the first-imported module; each still refuses in its own words."""
    body = assert_error(function_clients[name].get("/", query_string={"colour": "red"}), 400)
    assert body["error"] == f"Unknown parameter 'colour': this function takes {TAKES[name]}."
    missing = assert_error(function_clients[name].get("/favicon.ico"), 404)
    assert missing["error"] == "There is nothing to answer at this address."
