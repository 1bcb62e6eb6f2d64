"""Each function deploys alone: its own imports and requirements, real processes, a fresh virtualenv."""
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Iterator

import functions_framework
import pytest
import requests

from harness.processes import ROOT, Running, free_port, function_process
from .conftest import FUNCTIONS, assert_error, source
from .history import NOW, utc_text

QUESTIONS = {"open_since": {"days": "30", "now": utc_text(NOW)},
             "resolution_time": {"from": "2023-06", "to": "2024-12", "now": utc_text(NOW)},
             "category_active": {"now": utc_text(NOW)},
             "service_levels": {"from": "2023-06", "to": "2024-12", "now": utc_text(NOW)}}
# What functions-framework brings along: importable without being named in requirements.txt.
FRAMEWORK_PACKAGES = {"flask", "werkzeug"}


def third_party_imports(path: Path) -> set[str]:
    """Return the top-level modules *path* imports that are not in the standard library."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path} uses a relative import"
            modules.add(node.module.split(".")[0])
    return {module for module in modules if module not in sys.stdlib_module_names and module != "__future__"}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_imports_only_what_its_requirements_install(name):
    folder = ROOT / "functions" / name
    assert sorted(path.name for path in folder.iterdir() if not path.name.startswith((".", "__"))) == [
        "README.md", "analysis_function.py", "main.py", "requirements.txt"]
    requirements = [line.strip() for line in (folder / "requirements.txt").read_text().splitlines() if line.strip()]
    assert all("==" in line for line in requirements), "every requirement is pinned"
    installed = {line.split("==")[0].replace("-", "_").lower() for line in requirements}
    own = {path.stem for path in folder.glob("*.py")}  # the folder's own modules, deployed along with main.py
    for module in folder.glob("*.py"):
        assert third_party_imports(module) - own <= installed | FRAMEWORK_PACKAGES, module.name


@pytest.mark.parametrize("name", FUNCTIONS)
def test_readme_shows_how_to_run_call_and_deploy(name):
    readme = (ROOT / "functions" / name / "README.md").read_text()
    assert f"functions-framework --source main.py --target {name}" in readme
    assert "curl " in readme
    assert f"gcloud functions deploy {name} --gen2 --runtime python311 --trigger-http" in readme
    assert f"--entry-point {name}" in readme and "HELPDESK_STORE_URL=" in readme


def test_load_order_does_not_matter(function_clients, call):
    """Loading the three again in the opposite order changes no answer of the ones loaded first."""
    first = {name: call(name, **QUESTIONS[name]).get_json() for name in FUNCTIONS}
    again = {name: functions_framework.create_app(name, str(source(name))).test_client()
             for name in reversed(FUNCTIONS)}
    for name in FUNCTIONS:
        assert again[name].get("/", query_string=QUESTIONS[name]).get_json() == first[name]
        assert call(name, **QUESTIONS[name]).get_json() == first[name]


@pytest.fixture(scope="module")
def function_servers(history_store: Running) -> Iterator[dict[str, Running]]:
    """Every function as a real process (campus-helpdesk function NAME, waitress) on a free port."""
    servers: dict[str, Running] = {}
    try:
        for name in FUNCTIONS:
            servers[name] = function_process(name, history_store.url, HELPDESK_TIMEZONE="Europe/Rome").start()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_real_process_gives_the_in_process_answer(function_servers, call, name):
    response = requests.get(function_servers[name].url, params=QUESTIONS[name], timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    assert response.json() == call(name, **QUESTIONS[name]).get_json()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_root_without_parameters_answers_below_500(function_servers, name):
    """The health check of the test helpers and of `campus-helpdesk up`."""
    response = requests.get(function_servers[name].url + "/", timeout=10)
    if name == "open_since":
        assert "hours" in assert_error(response, 400)["error"]  # it needs a period
    else:
        assert response.status_code == 200 and response.json()["now"]


@pytest.mark.slow
@pytest.mark.parametrize("name", FUNCTIONS)
def test_fresh_virtualenv_with_only_the_requirements_serves_the_function(tmp_path, history_store, call, name):
    """A copy of the folder alone, python -m venv, pip install -r requirements.txt, functions-framework …"""
    folder = Path(shutil.copytree(ROOT / "functions" / name, tmp_path / name,
                                  ignore=shutil.ignore_patterns("__pycache__", ".*")))
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(environment)
    python = environment / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(folder / "requirements.txt")],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    isolated = subprocess.run([str(python), "-c", "import ticket_store"], capture_output=True, cwd=tmp_path)
    assert isolated.returncode != 0, "the fresh environment must not see the repository"

    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("HELPDESK_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(HELPDESK_STORE_URL=history_store.url, HELPDESK_TIMEZONE="Europe/Rome")
    server = Running(name, [str(environment / "bin" / "functions-framework"), "--source", str(folder / "main.py"),
                            "--target", name, "--host", "127.0.0.1", "--port", str(port)],
                     port, env, "/")
    server.start(timeout=60)
    try:
        response = requests.get(server.url, params=QUESTIONS[name], timeout=10)
        assert response.status_code == 200, server.output()
        assert response.json() == call(name, **QUESTIONS[name]).get_json()
    finally:
        server.stop()
