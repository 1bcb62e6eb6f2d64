"""The category labels: one definition in each part that deploys alone, and the same words in every one."""
from __future__ import annotations

import ast

from dash_app.present import CATEGORY_LABELS
from ticket_store.categorizer import CATEGORIES, LABELS

from harness.processes import ROOT


def function_labels(name: str) -> dict[str, str]:
    """Return the LABELS a function folder defines, read from its source (it deploys alone, so it is not imported)."""
    tree = ast.parse((ROOT / "functions" / name / "main.py").read_text(encoding="utf-8"))
    [labels] = [ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                and [getattr(target, "id", None) for target in node.targets] == ["LABELS"]]
    return labels


def test_store_web_app_and_function_name_the_categories_alike():
    assert list(LABELS) == list(CATEGORIES)
    assert CATEGORY_LABELS == LABELS
    assert function_labels("category_active") == LABELS
