"""The Dockerfile and compose.yaml agree with the CLI: every service's command, port, health check and URLs.

There is no container engine on the build machines, so these tests read both files and run the
exact commands the containers run.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from campus_helpdesk.cli import main
from campus_helpdesk.services import SERVICES, Service
from harness.processes import ROOT, free_port, service_env


COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def compose_name(service: Service) -> str:
    """Return the compose service of a CLI service (host names may not contain underscores)."""
    return service.name.replace("_", "-")


def instructions(name: str) -> list[str]:
    """Return the arguments of every Dockerfile instruction *name* (continuation lines joined)."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1].strip() for line in joined.splitlines() if line.upper().startswith(name + " ")]


def dockerfile_env() -> dict[str, str]:
    return dict(pair.split("=", 1) for line in instructions("ENV") for pair in line.split())


def parse_command(argv: list[str]):
    """Return the click context the CLI builds for *argv* (raises if the command or an option is unknown)."""
    assert argv[0] == "campus-helpdesk"
    return main.commands[argv[1]].make_context(argv[1], list(argv[2:]))


def test_compose_runs_exactly_the_five_services():
    assert sorted(COMPOSE["services"]) == sorted(compose_name(service) for service in SERVICES)


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_each_container_runs_the_cli_command_on_the_default_port(service: Service):
    spec = COMPOSE["services"][compose_name(service)]
    command = spec["command"]
    assert command == ["campus-helpdesk", *service.command, "--host", "0.0.0.0", "--port", str(service.port)]
    context = parse_command(command)
    assert context.params["port"] == service.port and context.params["host"] == "0.0.0.0"
    health = spec["healthcheck"]["test"]
    assert health == ["CMD", "campus-helpdesk", "health", service.name, "--url", f"http://127.0.0.1:{service.port}"]
    parse_command(health[1:])


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_each_container_finds_every_other_service_by_its_url_variable(service: Service):
    environment = COMPOSE["services"][compose_name(service)]["environment"]
    for other in SERVICES:
        if other.url_variable:
            assert environment[other.url_variable] == f"http://{compose_name(other)}:{other.port}"
    assert {"HELPDESK_TIMEZONE", "HELPDESK_API_TOKEN"} <= set(environment)


def test_only_the_store_mounts_the_database_volume():
    mounting = {name for name, spec in COMPOSE["services"].items() if spec.get("volumes")}
    assert mounting == {"store"}
    store = COMPOSE["services"]["store"]
    volume, target = store["volumes"][0].split(":")[:2]
    assert volume in COMPOSE["volumes"] and target == "/data"
    assert store["environment"]["HELPDESK_DB_PATH"] == dockerfile_env()["HELPDESK_DB_PATH"] == \
        "/data/helpdesk.duckdb"


def test_the_web_app_is_published_on_8050_and_waits_for_a_healthy_store():
    web = COMPOSE["services"]["web"]
    assert "8050:8050" in web["ports"]
    assert web["depends_on"]["store"]["condition"] == "service_healthy"
    for name, spec in COMPOSE["services"].items():
        if name != "store":
            assert "store" in spec["depends_on"]


def test_every_service_builds_the_same_image():
    assert {json.dumps([spec["build"], spec["image"]]) for spec in COMPOSE["services"].values()} == \
        {json.dumps([".", "campus-helpdesk:latest"])}


def test_dockerfile_is_slim_non_root_unbuffered_with_a_data_volume():
    # a build stage installs the package; the image itself starts again from the slim base
    assert instructions("FROM") == ["python:3.11-slim AS build", "python:3.11-slim"]
    env = dockerfile_env()
    assert env["PYTHONUNBUFFERED"] == "1"
    user = instructions("USER")
    assert user and user[-1] not in ("root", "0")
    assert json.loads(instructions("VOLUME")[0]) == ["/data"]
    health = instructions("HEALTHCHECK")[0].split("CMD", 1)[1]
    parse_command(json.loads(health))
    # exec form: a JSON list, so the service gets the signals itself
    command = json.loads(instructions("CMD")[0])
    assert command == ["campus-helpdesk", "web", "--host", "0.0.0.0", "--port", "8050"]
    parse_command(command)


def test_dockerfile_copies_what_exists_and_points_to_the_functions():
    for line in instructions("COPY"):
        if line.startswith("--from=build "):
            assert line == "--from=build /opt/helpdesk /opt/helpdesk"  # only the virtualenv of the build stage
            continue
        *sources, _ = line.split()
        for source in sources:
            assert (ROOT / source).exists() or source in ("dash_app", "functions"), source
    assert "COPY functions ./functions" in DOCKERFILE and "WORKDIR /app" in DOCKERFILE
    assert dockerfile_env()["HELPDESK_FUNCTIONS_DIR"] == "/app/functions"


def test_dockerignore_keeps_the_database_and_the_virtualenv_out():
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    assert {".git", ".venv", "var", "*.duckdb", "tests", "bench", "**/results"} <= set(ignored)
    for needed in ("campus_helpdesk", "ticket_store", "dash_app", "functions", "pyproject.toml", "README.md"):
        assert needed not in ignored


def test_the_containers_commands_serve_and_pass_their_health_checks(tmp_path: Path):
    """Run each compose command as the container would (0.0.0.0), only on a free port, with compose's URLs."""
    ports = {service.name: free_port() for service in SERVICES}
    urls = {service.url_variable: f"http://127.0.0.1:{ports[service.name]}" for service in SERVICES
            if service.url_variable}
    processes = []
    try:
        for service in SERVICES:  # the store first, as depends_on says
            spec = COMPOSE["services"][compose_name(service)]
            command = [str(part) for part in spec["command"]]
            command[command.index("--port") + 1] = str(ports[service.name])
            env = service_env(**urls, HELPDESK_DB_PATH=str(tmp_path / "helpdesk.duckdb"))
            processes.append(subprocess.Popen([sys.executable, "-m", "campus_helpdesk", *command[1:]], cwd=ROOT,
                                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            health = [str(part) for part in spec["healthcheck"]["test"][1:]]
            health[health.index("--url") + 1] = f"http://127.0.0.1:{ports[service.name]}"
            deadline = time.monotonic() + 60
            while subprocess.run([sys.executable, "-m", "campus_helpdesk", *health[1:]], cwd=ROOT, env=env,
                                 capture_output=True).returncode != 0:
                assert processes[-1].poll() is None, processes[-1].stderr.read().decode()[-3000:]
                assert time.monotonic() < deadline, f"{service.name} never passed its health check"
                time.sleep(0.5)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)


KUBERNETES = list(yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yaml").read_text()))


def kubernetes(kind: str, name: str) -> dict:
    return next(item for item in KUBERNETES if item["kind"] == kind and item["metadata"]["name"] == name)


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_kubernetes_runs_each_compose_service_with_its_command_port_and_service_name(service: Service):
    name = compose_name(service)
    kind = "StatefulSet" if name == "store" else "Deployment"
    workload = kubernetes(kind, name)
    container = workload["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == COMPOSE["services"][name]["command"]
    assert container["ports"] == [{"containerPort": service.port}]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert workload["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == 10001
    assert kubernetes("Service", name)["spec"]["ports"] == [{"port": service.port, "targetPort": service.port}]
    probe = container["readinessProbe"]
    if "exec" in probe:
        assert probe["exec"]["command"] == COMPOSE["services"][name]["healthcheck"]["test"][1:]
    else:
        assert probe["httpGet"] == {"path": service.health_path, "port": service.port}


def test_kubernetes_keeps_the_store_single_with_its_own_volume_and_the_urls_of_compose():
    store = kubernetes("StatefulSet", "store")["spec"]
    assert store["replicas"] == 1
    mounts = store["template"]["spec"]["containers"][0]["volumeMounts"]
    assert {"name": "data", "mountPath": "/data"} in mounts
    assert [claim["metadata"]["name"] for claim in store["volumeClaimTemplates"]] == ["data"]
    settings = kubernetes("ConfigMap", "helpdesk")["data"]
    for service in SERVICES:
        if service.url_variable:
            assert settings[service.url_variable] == COMPOSE["x-helpdesk"]["environment"][service.url_variable]
