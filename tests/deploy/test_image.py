"""Build the image from the Dockerfile and run compose.yaml's services from it, as their containers would.

The build machines have podman but no runtime that can start a container, so the image is built
with podman (chroot isolation) and each service runs from the image's own files with chroot, as the
image's user, with compose.yaml's command and environment. The services share one network namespace
of their own, as compose's network: they keep compose's ports (8060 inside) and find each other by
compose's host names, and the ports a test talks to are forwarded from free ports on the host.
python:3.11-slim cannot be pulled here, so a Debian bookworm stand-in with Python 3.11 is made once
(debootstrap) and cached outside the repository.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
import requests
import yaml

from harness.processes import ROOT, free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

CACHE = Path(os.environ.get("HELPDESK_IMAGE_CACHE", "/var/cache/campus-helpdesk"))
BASE_TAR = CACHE / "python-3.11-bookworm.tar"
BASE = "localhost/campus-helpdesk-pybase:bookworm"
STAND_IN = "docker.io/library/python:3.11-slim"
IMAGE = "localhost/campus-helpdesk:image-test"
BUILD_STAGE = "localhost/campus-helpdesk-build:image-test"
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
STAND_IN_CONTAINERFILE = """\
FROM {base}
ENV PATH=/usr/local/pyenv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \\
    LANG=C.UTF-8
CMD ["python3"]
"""
TIMINGS: dict[str, float] = {}


def run(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run a command; fail the test with its output if it exits non-zero."""
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited with {result.returncode}:\n{result.stdout[-3000:]}\n"
                    f"{result.stderr[-3000:]}")
    return result


def image_exists(name: str) -> bool:
    return subprocess.run(["podman", "image", "exists", name], capture_output=True).returncode == 0


def make_base_tar() -> None:
    """Debootstrap Debian bookworm with Python 3.11 and a venv at /usr/local/pyenv, and keep it as a tar."""
    CACHE.mkdir(parents=True, exist_ok=True)
    rootfs = Path(tempfile.mkdtemp(prefix="pybase-", dir=CACHE))
    try:
        run("debootstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates", "bookworm",
            str(rootfs), timeout=600)
        # pip inside the build reaches the package index through this machine's certificates
        shutil.copy("/etc/ssl/certs/ca-certificates.crt", rootfs / "etc/ssl/certs/ca-certificates.crt")
        run("chroot", str(rootfs), "python3", "-m", "venv", "/usr/local/pyenv")
        for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for path in (rootfs / leftover).glob("*"):
                if path.is_file():
                    path.unlink()
        partial = BASE_TAR.with_suffix(".partial")
        run("tar", "-C", str(rootfs), "-cf", str(partial), ".")
        partial.rename(BASE_TAR)
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)


def ensure_base() -> None:
    """Make python:3.11-slim available to the build: the real one if present, else the cached stand-in."""
    if image_exists(STAND_IN):
        return
    if not image_exists(BASE):
        if not BASE_TAR.exists():
            make_base_tar()
        run("podman", "import", str(BASE_TAR), BASE)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "Containerfile").write_text(STAND_IN_CONTAINERFILE.format(base=BASE))
        run("podman", "build", "--isolation=chroot", "--pull=never", "-q", "-t", STAND_IN, folder)


def build_image() -> None:
    """Build the repository's Dockerfile and drop the images the previous builds left untagged.

    The build stage gets a tag of its own, so that a rebuild of unchanged sources takes seconds.
    """
    for target, name in (("build", BUILD_STAGE), (None, IMAGE)):
        run("podman", "build", "--isolation=chroot", "--network=host", "--pull=never", "--format", "docker",
            *(["--target", target] if target else []), "-t", name, str(ROOT), timeout=600)
    subprocess.run(["podman", "image", "prune", "-f"], capture_output=True, timeout=120)


@dataclass
class Image:
    """The built image, mounted read-only at *root*, and what its configuration says."""

    root: Path
    config: dict
    healthcheck: dict
    size: int

    @property
    def env(self) -> dict[str, str]:
        return dict(pair.split("=", 1) for pair in self.config["Env"])

    def user(self) -> tuple[int, int, str]:
        """Return the uid, gid and home of the image's USER, read from the image's /etc/passwd."""
        name = self.config["User"]
        for line in (self.root / "etc/passwd").read_text().splitlines():
            fields = line.split(":")
            if name in (fields[0], fields[2]):
                return int(fields[2]), int(fields[3]), fields[5]
        raise AssertionError(f"the image's user {name} is not in its /etc/passwd")


@pytest.fixture(scope="module")
def image(request: pytest.FixtureRequest) -> Iterator[Image]:
    if os.geteuid() != 0:
        pytest.skip("building the image and running it with chroot needs root (CI runs the suite as root)")
    missing = [tool for tool in ("podman", "debootstrap", "unshare", "nsenter", "chroot", "ip")
               if shutil.which(tool) is None]
    assert not missing, f"{', '.join(missing)} missing: scripts/test.sh installs podman and debootstrap"
    started = time.monotonic()
    ensure_base()
    TIMINGS["base"] = time.monotonic() - started
    started = time.monotonic()
    build_image()
    TIMINGS["build"] = time.monotonic() - started
    inspected = json.loads(run("podman", "image", "inspect", IMAGE).stdout)[0]
    root = Path(run("podman", "image", "mount", IMAGE).stdout.strip())
    try:
        yield Image(root, inspected["Config"], inspected.get("Healthcheck") or {}, inspected["Size"])
    finally:
        subprocess.run(["podman", "image", "unmount", IMAGE], capture_output=True, timeout=60)
        report = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled():  # shown without -s too
            report.write_line("image test: " + ", ".join(f"{name} {value:.0f}" for name, value in TIMINGS.items())
                              + " (seconds), image " + f"{inspected['Size'] / 1e6:.0f} MB")


# Runs in each container's own mount namespace: the container's /tmp, /proc, /dev, /etc/hosts and
# /data, then the command as the image's user (the mounts vanish with the namespace).
CONTAINER_SCRIPT = """\
set -e
root=$1 hosts=$2 data=$3 data_mode=$4
shift 4
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --bind "$hosts" "$root/etc/hosts"
if [ -n "$data" ]; then
  mount --bind "$data" "$root/data"
  if [ "$data_mode" = ro ]; then mount -o remount,bind,ro "$root/data"; fi
fi
exec chroot "$@"
"""

FORWARDER = """\
import ctypes, json, os, socket, sys, threading
netns, pairs = sys.argv[1], json.loads(sys.argv[2])
listeners = [(socket.create_server(("127.0.0.1", outside)), inside) for outside, inside in pairs]
if ctypes.CDLL(None, use_errno=True).setns(os.open(netns, os.O_RDONLY), 0x40000000) != 0:
    raise OSError(ctypes.get_errno(), "setns")
def pump(source, target):
    try:
        while data := source.recv(65536):
            target.sendall(data)
        target.shutdown(socket.SHUT_WR)
    except OSError:
        source.close(); target.close()
def forward(listener, inside):
    while True:
        client, _ = listener.accept()
        try:
            upstream = socket.create_connection(("127.0.0.1", inside), timeout=10)
            upstream.settimeout(None)
        except OSError:
            client.close(); continue
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
for listener, inside in listeners:
    threading.Thread(target=forward, args=(listener, inside), daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
"""


def container_ports(spec: dict) -> list[int]:
    """Return the container ports a compose service publishes or exposes."""
    published = [int(str(entry).split(":")[-1]) for entry in spec.get("ports", [])]
    return published + [int(port) for port in spec.get("expose", [])]


def compose_environment(spec: dict) -> dict[str, str]:
    """Return a service's environment as compose passes it when HELPDESK_* are unset in the shell."""
    def interpolate(value: object) -> str:
        return re.sub(r"\$\{\w+(?::-([^}]*))?\}", lambda match: match[1] or "", str(value))
    return {name: interpolate(value) for name, value in (spec.get("environment") or {}).items()}


def start_order() -> list[str]:
    """Return compose's services, each after the services it depends on."""
    order: list[str] = []
    def visit(name: str) -> None:
        for dependency in COMPOSE["services"][name].get("depends_on", {}):
            visit(dependency)
        if name not in order:
            order.append(name)
    for name in COMPOSE["services"]:
        visit(name)
    return order


@dataclass
class Project:
    """Compose's services run from the image in one network namespace of their own."""

    image: Image
    folder: Path
    netns: subprocess.Popen | None = None
    forwarder: subprocess.Popen | None = None
    ports: dict[int, int] = field(default_factory=dict)  # container port -> forwarded host port
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def open(self) -> None:
        self.netns = subprocess.Popen(["unshare", "--net", "--", "sh", "-c", "ip link set lo up && echo ready && "
                                       "exec sleep 3600"], stdout=subprocess.PIPE, text=True)
        assert self.netns.stdout.readline().strip() == "ready", "the network namespace did not come up"
        hosts = ["127.0.0.1 localhost"] + [f"127.0.0.1 {name}" for name in COMPOSE["services"]]
        (self.folder / "hosts").write_text("\n".join(hosts) + "\n")
        inside = sorted({port for spec in COMPOSE["services"].values() for port in container_ports(spec)})
        self.ports = {port: free_port() for port in inside}
        self.forwarder = subprocess.Popen([sys.executable, "-c", FORWARDER, f"/proc/{self.netns.pid}/ns/net",
                                           json.dumps([[out, port] for port, out in self.ports.items()])],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.forwarder.stdout.readline().strip() == "ready", "the port forwarder did not start"

    def url(self, service: str) -> str:
        """Return the host address forwarded to a service's first port."""
        return f"http://127.0.0.1:{self.ports[container_ports(COMPOSE['services'][service])[0]]}"

    def argv(self, service: str, command: list[str], data: Path | None = None, data_mode: str = "rw") -> list[str]:
        """Return the command line running *command* in *service*'s container."""
        uid, gid, home = self.image.user()
        env = {**self.image.env, "HOME": home, "HOSTNAME": service,
               **compose_environment(COMPOSE["services"][service])}
        return ["nsenter", f"--net=/proc/{self.netns.pid}/ns/net", "--", "unshare", "--mount", "--", "sh", "-c",
                CONTAINER_SCRIPT, "container", str(self.image.root), str(self.folder / "hosts"),
                str(data or ""), data_mode, f"--userspec={uid}:{gid}", f"--groups={gid}", str(self.image.root),
                "env", "-i", "-C", self.image.config.get("WorkingDir") or "/",
                *(f"{name}={value}" for name, value in env.items()), *command]

    def start(self, service: str, **mounts) -> subprocess.Popen:
        """Start a compose service's own command in its container."""
        log = open(self.folder / f"{service}.log", "wb")
        command = [str(part) for part in COMPOSE["services"][service]["command"]]
        process = subprocess.Popen(self.argv(service, command, **mounts), stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        log.close()
        self.processes[service] = process
        return process

    def output(self, service: str) -> str:
        return (self.folder / f"{service}.log").read_text(errors="replace")[-4000:]

    def exec(self, service: str, command: list[str], timeout: float = 60, **mounts) -> subprocess.CompletedProcess:
        """Run *command* in *service*'s container, as `docker compose exec` would."""
        return subprocess.run(self.argv(service, command, **mounts), capture_output=True, text=True, timeout=timeout)

    def wait_healthy(self, service: str, timeout: float = 120) -> None:
        """Run the service's compose health check in its container until it passes."""
        test = [str(part) for part in COMPOSE["services"][service]["healthcheck"]["test"]]
        assert test[0] == "CMD", test
        deadline = time.monotonic() + timeout
        while self.exec(service, test[1:]).returncode != 0:
            assert self.processes[service].poll() is None, f"{service} stopped:\n{self.output(service)}"
            assert time.monotonic() < deadline, f"{service} not healthy in {timeout} s:\n{self.output(service)}"
            time.sleep(1)

    def close(self) -> None:
        """Stop every service, the forwarder and the namespace holder."""
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        for helper in (self.forwarder, self.netns):
            if helper is not None and helper.poll() is None:
                helper.kill()
                helper.wait(10)


@contextmanager
def project(image: Image) -> Iterator[Project]:
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-image-"))
    running = Project(image, folder)
    try:
        running.open()
        yield running
    finally:
        running.close()
        shutil.rmtree(folder, ignore_errors=True)


FUNCTION_QUESTIONS = {"open_since": {"days": "30"}}  # any other function is asked with its defaults


def data_folder(project_folder: Path, owner: int) -> Path:
    """Return an empty folder for /data owned by *owner*, as a fresh named volume of the image is."""
    data = project_folder / "data"
    data.mkdir()
    os.chown(data, owner, owner)
    return data


def test_the_image_is_small_and_deliberate(image: Image):
    uid, gid, home = image.user()
    assert (uid, gid, home) == (10001, 10001, "/app")
    assert sorted(path.name for path in (image.root / "app").iterdir()) == ["functions"]
    for leftover in ("src", "app/tests", "app/bench", "usr/bin/gcc", "usr/bin/cc", "usr/bin/make"):
        assert not (image.root / leftover).exists(), leftover
    packages = image.root / "opt/helpdesk/lib/python3.11/site-packages"
    assert not list(packages.glob("pip"))
    assert not list(packages.glob("*/tests")) and not list(packages.glob("pyarrow/include"))
    assert {"campus_helpdesk", "ticket_store", "dash_app"} <= {path.name for path in packages.iterdir()}
    assert image.healthcheck["Test"][1:] == ["campus-helpdesk", "health", "web", "--url",
                                                       "http://127.0.0.1:8050"]
    assert image.size < 1_000_000_000, f"the image grew to {image.size / 1e6:.0f} MB"


def test_the_image_has_every_command_of_the_cli(image: Image):
    """The data commands (demo, import, export, backup, the mail sender) run from the image too."""
    from campus_helpdesk.cli import main

    with project(image) as running:
        listed = running.exec("store", ["campus-helpdesk", "--help"])
        assert listed.returncode == 0, listed.stderr
        commands = re.findall(r"^  (\S+)", listed.stdout.split("Commands:")[1], re.MULTILINE)
        assert sorted(commands) == sorted(main.commands)
        for name in commands:
            assert running.exec("store", ["campus-helpdesk", name, "--help"]).returncode == 0, name


def test_compose_services_run_from_the_image(image: Image):
    started = time.monotonic()
    with project(image) as running:
        uid, _, _ = image.user()
        data = data_folder(running.folder, uid)
        for service in start_order():
            spec = COMPOSE["services"][service]
            mounts = {"data": data} if any(str(volume).endswith(":/data") for volume in spec.get("volumes", [])) \
                else {}
            running.start(service, **mounts)
            if any(condition == {"condition": "service_healthy"} and dependent == service
                   for other in COMPOSE["services"].values()
                   for dependent, condition in other.get("depends_on", {}).items()):
                running.wait_healthy(service)
        for service in COMPOSE["services"]:
            running.wait_healthy(service)
        TIMINGS["services healthy"] = time.monotonic() - started

        # demo data through the store's published port, as from the host
        store_url = running.url("store")
        env = {name: value for name, value in os.environ.items() if not name.startswith("HELPDESK_")}
        demo = subprocess.run([sys.executable, "-m", "campus_helpdesk", "demo", "--tickets", "400", "--messages",
                               "40", "--store-url", store_url], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
                              capture_output=True, text=True, timeout=120)
        assert demo.returncode == 0, demo.stdout + demo.stderr
        health = requests.get(store_url + "/api/v1/health", timeout=10)
        assert health.json() == {"status": "ok"}
        tickets = requests.get(store_url + "/api/v1/tickets", params={"limit": 1},
                               headers={"X-Helpdesk-Role": "staff"}, timeout=10).json()
        assert tickets["items"], tickets
        assert (data / "helpdesk.duckdb").stat().st_uid == uid  # written by the image's user

        answered = []
        for service, spec in COMPOSE["services"].items():
            command = [str(part) for part in spec["command"]]
            if command[1] != "function":
                continue
            response = requests.get(running.url(service) + "/", params=FUNCTION_QUESTIONS.get(command[2], {}),
                                    timeout=30)
            assert response.status_code == 200, (service, response.text)
            assert response.headers["Content-Type"].startswith("application/json"), service
            answered.append(command[2])
        assert {"open_since", "resolution_time", "category_active"} <= set(answered)
        active = requests.get(running.url("category-active") + "/", timeout=30).json()
        assert active["total_active"] > 0  # the functions read the store that holds the demo tickets

        web = running.url("web")
        page = requests.get(web + "/tickets", timeout=30)
        assert page.status_code == 200 and "Campus Helpdesk" in page.text, page.text[:500]
        layout = requests.get(web + "/_dash-layout", timeout=30)
        assert layout.status_code == 200 and layout.json()
        TIMINGS["services checked"] = time.monotonic() - started


@pytest.mark.parametrize("case", ["read-only", "owned by another user"])
def test_the_store_says_why_it_cannot_use_data(image: Image, case: str):
    with project(image) as running:
        uid, _, _ = image.user()
        data = data_folder(running.folder, uid + 1 if case == "owned by another user" else uid)
        store = running.start("store", data=data, data_mode="ro" if case == "read-only" else "rw")
        try:
            store.wait(90)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the store kept running on a {case} /data:\n{running.output('store')}")
        output = running.output("store")
        expected = ("The database folder /data is read-only" if case == "read-only" else
                    f"The database folder /data is owned by another user (uid {uid + 1}) and not writable by "
                    f"this process (uid {uid})")
        assert expected in output, output
        assert "in use by another process" not in output and "Traceback" not in output, output
        assert store.returncode != 0
