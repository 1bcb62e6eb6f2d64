"""No module of the store imports one on a higher layer: the rules and the database know no HTTP."""
from __future__ import annotations

import ast
from pathlib import Path

import ticket_store

PACKAGE = Path(ticket_store.__file__).parent
LAYERS = {
    # the helpdesk's rules, the schema and the categorizer stand alone
    "rules": 0, "schema": 0, "categorizer": 0, "service_levels": 0, "images": 0, "report_rules": 0, "similar": 0,
    "search": 0, "known_tickets": 0, "known_dictionary": 0, "known_clocks": 0, "known_titles": 0,
    # the connection and its grouped writes
    "db": 1,
    # the SQL behind named methods
    "tickets": 2, "analytics": 2, "follow": 2, "outbox": 2, "attachment_store": 2, "duplicate_store": 2,
    "notice_store": 2, "similar_index": 2, "index_sorting": 2,
    # HTTP: what clients send and get, who is asking, the import and export of files
    "errors": 3, "payloads": 3, "analytics_queries": 3, "access": 3, "openapi": 3, "bulk": 3, "records": 3,
    "follow_payloads": 3, "report_payloads": 3,
    # the handlers, and the app factory
    "api": 4, "analytics_api": 4, "backup": 4, "staff_api": 4, "follow_api": 4, "outbox_api": 4,
    "attachments": 4, "follow_photos": 4, "duplicates": 4, "notices": 4, "__init__": 5,
}
HTTP = ("flask", "werkzeug")


def runtime_imports(path: Path) -> tuple[set[str], set[str]]:
    """Return the store modules and the outside packages *path* imports when it runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside, outside = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = []  # annotations only
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            if node.module:
                inside.add(node.module.split(".")[0])
            else:
                inside.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            outside.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            outside.update(alias.name.split(".")[0] for alias in node.names)
    return inside, outside


def test_every_store_module_has_a_layer():
    modules = {path.stem for path in PACKAGE.glob("*.py")} | {"categorizer"}
    assert modules == set(LAYERS), "place the new module in LAYERS"


def test_no_module_imports_one_on_a_higher_layer():
    for path in PACKAGE.glob("*.py"):
        inside, _ = runtime_imports(path)
        higher = {name for name in inside if LAYERS[name] > LAYERS[path.stem]}
        assert not higher, f"{path.name} imports {sorted(higher)} from a higher layer"


def test_the_rules_the_database_and_the_sql_know_no_http():
    for name in ("rules", "schema", "search", "db", "tickets", "analytics", "follow", "outbox"):
        _, outside = runtime_imports(PACKAGE / f"{name}.py")
        assert not outside & set(HTTP), f"{name}.py imports {sorted(outside & set(HTTP))}"
