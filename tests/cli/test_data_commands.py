"""import, export, demo and eval-categorizer from the command line: errors in one sentence, exit status."""
from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from harness.processes import ROOT, service_env, store_process

from .conftest import CSV_HEADER, nowhere, run_cli

STAFF = {"X-Helpdesk-Role": "staff"}
ROWS = (
    'Radiator cold,"The radiator in B12 is cold, again.\nSecond line with ""quotes"".",Building B room 1.12,'
    'Anna Rossi,facility,closed,2025-01-10T08:00:00Z,2025-01-12T09:30:00Z\n'
    ',Eduroam drops every few minutes — très ennuyeux ✓,,,it,active,2025-03-01T10:00:00Z,\n'
    'Queue,The canteen queue took forty minutes,Main canteen,s1234567,,open,2025-04-02T12:15:00Z,\n'
)


def ticket_total(url: str) -> int:
    return requests.get(url + "/api/v1/tickets?limit=1", headers=STAFF, timeout=10).json()["total"]


def assert_one_clear_sentence(result, *phrases: str) -> None:
    """Assert a non-zero exit with a short message naming *phrases*, and no traceback."""
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


def test_import_of_a_missing_file_says_so(tmp_path: Path):
    result = run_cli("import", str(tmp_path / "nope.csv"), store=nowhere())
    assert_one_clear_sentence(result, "nope.csv", "does not exist")


@pytest.mark.parametrize("command", [["import", "{csv}"], ["export", "{out}"], ["demo", "--tickets", "10"]])
def test_data_commands_say_when_the_store_is_unreachable(tmp_path: Path, command: list[str]):
    (tmp_path / "in.csv").write_text(CSV_HEADER + ROWS)
    args = [arg.format(csv=tmp_path / "in.csv", out=tmp_path / "out.csv") for arg in command]
    address = nowhere()
    result = run_cli(*args, store=address)
    assert_one_clear_sentence(result, f"The ticket store at {address} does not answer", "HELPDESK_STORE_URL")
    assert result.exit_code == 1
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("row, named", [
    ("x,The printer is broken,,,it,done,2025-01-01T00:00:00Z,\n", "row 2, field status"),
    ("x,The printer is broken,,,it,closed,2025-01-01T00:00:00Z,\n", "row 2, field closed_at"),
    ("x,,,,it,open,2025-01-01T00:00:00Z,\n", "row 2, field description"),
    ("x,The printer is broken,,,it,open,yesterday,\n", "row 2, field opened_at"),
])
def test_bad_csv_shows_the_row_and_field_and_imports_nothing(store_server, tmp_path: Path, row: str, named: str):
    good = "Fine,The lights flicker in room 2.14,,,facility,open,2025-01-01T00:00:00Z,\n"
    (tmp_path / "bad.csv").write_text(CSV_HEADER + good + row)
    result = run_cli("import", str(tmp_path / "bad.csv"), store=store_server)
    assert_one_clear_sentence(result, "Nothing was imported", named)
    assert result.exit_code == 1
    assert ticket_total(store_server.url) == 0


def test_import_of_a_file_of_unknown_format_says_how_to_name_it(store_server, tmp_path: Path):
    (tmp_path / "tickets.txt").write_text(CSV_HEADER + ROWS)
    result = run_cli("import", str(tmp_path / "tickets.txt"), store=store_server)
    assert_one_clear_sentence(result, "Cannot tell the format", "--format csv")
    assert run_cli("import", "--format", "csv", str(tmp_path / "tickets.txt"), store=store_server).exit_code == 0


def test_import_larger_than_the_store_takes_is_refused_before_sending(tmp_path: Path):
    with open(tmp_path / "huge.csv", "wb") as file:
        file.truncate(513 * 1024 * 1024)  # sparse: no disk space used
    result = run_cli("import", str(tmp_path / "huge.csv"), store=nowhere())
    assert_one_clear_sentence(result, "larger than the 512 MiB", "split it")


def test_export_into_a_missing_folder_says_so(store_server, tmp_path: Path):
    result = run_cli("export", str(tmp_path / "missing" / "out.csv"), store=store_server)
    assert_one_clear_sentence(result, "the folder", "does not exist")


def test_import_then_export_round_trips_through_the_cli(store_server, other_store, tmp_path: Path):
    (tmp_path / "in.csv").write_text(CSV_HEADER + ROWS, encoding="utf-8")
    imported = run_cli("import", str(tmp_path / "in.csv"), store=store_server)
    assert imported.exit_code == 0 and "Imported 3 tickets" in imported.output

    exported = run_cli("export", str(tmp_path / "first.csv"), store=store_server)
    assert exported.exit_code == 0 and "Exported 3 tickets" in exported.output
    with open(tmp_path / "first.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [row["status"] for row in rows] == ["closed", "active", "open"]
    assert rows[0]["description"] == 'The radiator in B12 is cold, again.\nSecond line with "quotes".'
    assert rows[1]["description"] == "Eduroam drops every few minutes — très ennuyeux ✓"
    assert rows[2]["category"] in ("facility", "it", "services")  # assigned by the categorizer

    assert run_cli("import", str(tmp_path / "first.csv"), store=other_store).exit_code == 0
    assert run_cli("export", str(tmp_path / "second.csv"), store=other_store).exit_code == 0
    assert (tmp_path / "second.csv").read_bytes() == (tmp_path / "first.csv").read_bytes()


def test_ndjson_import(store_server, tmp_path: Path):
    line = '{"description": "The projector shows no signal", "status": "open", "opened_at": "2025-02-02T09:00:00Z"}'
    (tmp_path / "tickets.ndjson").write_text(line + "\n" + line + "\n")
    result = run_cli("import", str(tmp_path / "tickets.ndjson"), store=store_server)
    assert result.exit_code == 0 and "Imported 2 tickets" in result.output


def test_data_commands_send_the_api_token(tmp_path: Path):
    store = store_process(tmp_path / "helpdesk.duckdb", HELPDESK_API_TOKEN="s3cret").start()
    try:
        (tmp_path / "in.csv").write_text(CSV_HEADER + ROWS)
        refused = run_cli("import", str(tmp_path / "in.csv"), store=store)
        assert_one_clear_sentence(refused, "needs its API token", "HELPDESK_API_TOKEN")
        assert run_cli("import", str(tmp_path / "in.csv"), store=store, token="s3cret").exit_code == 0
        assert run_cli("export", str(tmp_path / "out.csv"), store=store, token="s3cret").exit_code == 0
    finally:
        store.stop()


def eval_categorizer(*args: str) -> subprocess.CompletedProcess:
    """Run the real `campus-helpdesk eval-categorizer ARGS` from this source tree (about 3 s)."""
    return subprocess.run([sys.executable, "-m", "campus_helpdesk", "eval-categorizer", *args], cwd=ROOT,
                          env=service_env(), capture_output=True, text=True, timeout=120)


def test_eval_categorizer_scores_the_real_model_on_the_shipped_heldout_tickets():
    from ticket_store.categorizer.training import HELDOUT_FILE

    with open(HELDOUT_FILE, newline="", encoding="utf-8") as rows:
        heldout = [row for row in csv.DictReader(rows) if row["text"].strip()]
    result = eval_categorizer()
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    report = result.stdout
    tickets, accuracy = re.search(r"Held-out tickets: (\d+)\s+accuracy ([\d.]+)%", report).groups()
    assert int(tickets) == len(heldout)
    assert re.search(r"Hard tickets:\s+(\d+)", report)[1] == str(sum(row["hard"] == "1" for row in heldout))
    supports: dict[str, int] = {}  # the first report is the English held-out set's; one per language follows
    for name, count in re.findall(r"^(facility|it|services)\s+[\d.]+%\s+[\d.]+%\s+(\d+)$", report, re.MULTILINE):
        supports.setdefault(name, int(count))
    assert supports == {name: sum(row["category"] == name for row in heldout)
                        for name in ("facility", "it", "services")}
    baseline = float(re.search(r"Keyword rules on the same tickets: accuracy ([\d.]+)%", report)[1])
    assert float(accuracy) > baseline, "the learned categorizer scores below the keyword rules it replaces"


def test_eval_categorizer_evaluates_the_file_it_is_given(tmp_path: Path):
    (tmp_path / "tickets.csv").write_text("text,category,hard\n"
                                          "The projector in room 2.14 shows no signal,it,0\n"
                                          "Water is dripping from the ceiling in the library,facility,0\n"
                                          "The canteen charged me twice for one lunch,services,1\n")
    result = eval_categorizer(str(tmp_path / "tickets.csv"))
    assert result.returncode == 0, result.stderr
    assert re.search(r"Held-out tickets: 3\s+accuracy", result.stdout)
    assert re.search(r"Hard tickets:\s+1\s", result.stdout)


def test_every_command_has_help():
    from campus_helpdesk.cli import main

    for name, command in main.commands.items():
        assert command.help and len(command.help.strip()) > 20, name
        result = run_cli(name, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output
