"""The campus-helpdesk command: run the services and work with the data."""
from __future__ import annotations

import functools
import inspect
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import click

from .services import (DEFAULT_DB_PATH, DEFAULT_PORTS, DEFAULT_STORE_URL, FUNCTIONS, SERVICES_BY_NAME,
                       is_healthy)

# Heavy modules (waitress, numpy, pyarrow, honcho) are imported inside the commands that need them,
# so that `campus-helpdesk health` (the containers' health check) and --help answer quickly.

IMPORT_TYPES = {".csv": "text/csv", ".ndjson": "application/x-ndjson", ".jsonl": "application/x-ndjson"}
IMPORT_LIMIT = 512 * 1024 * 1024  # the store's limit for one import body


def host_and_port(service: str):
    """Add --host and --port options with the service's defaults."""

    def decorate(command):
        command = click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORTS.get(service),
                               show_default=True, help="Port to listen on.")(command)
        return click.option("--host", default="127.0.0.1", show_default=True,
                            help="Address to listen on (0.0.0.0 for every interface).")(command)

    return decorate


# Every service is one process with threads (see serve.py); --workers is still accepted so that
# older scripts keep working, and has no effect.
workers_option = click.option("--workers", type=click.IntRange(1), default=None, hidden=True,
                              help="No effect: every service is one process; use --threads.")

store_url_option = click.option(
    "--store-url", envvar="HELPDESK_STORE_URL", default=DEFAULT_STORE_URL, show_default=True, show_envvar=True,
    help="Address of the running ticket store (the token comes from HELPDESK_API_TOKEN).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="campus-helpdesk")
def main() -> None:
    """Campus Helpdesk: a ticket system for university campuses.

    `campus-helpdesk up --demo` starts everything with demo data; the other commands run one
    service each (as the containers do) or work with the data of a running store.
    """


@main.command()
@click.option("--demo", is_flag=True, help="Fill an empty database with an 18-month demo history first.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address every service listens on.")
@click.option("--port-offset", type=int, default=0, show_default=True,
              help="Add this to every default port (8060-8064, 8050), e.g. 1000 for 9060-9064 and 9050.")
@click.option("--db-path", type=click.Path(dir_okay=False, path_type=Path), envvar="HELPDESK_DB_PATH",
              default=DEFAULT_DB_PATH, show_default=True, show_envvar=True, help="The DuckDB database file.")
@click.option("--timeout", type=click.FloatRange(1), default=90, show_default=True,
              help="Seconds to wait for each group of services to answer its health check.")
def up(demo: bool, host: str, port_offset: int, db_path: Path, timeout: float) -> None:
    """Start the store, the three functions and the web app, and stop them all on Ctrl-C.

    Each service runs as its own process on its own port, with its log lines prefixed by its
    name. Once every health check answers, the addresses are printed. If any service stops on
    its own, the others are stopped too and the exit status is 1.
    """
    from .up import run_up

    ports = [port + port_offset for port in DEFAULT_PORTS.values()]
    if min(ports) < 1 or max(ports) > 65535:
        raise click.BadParameter("the ports must stay between 1 and 65535.", param_hint="--port-offset")
    sys.exit(run_up(host, port_offset, db_path, demo, timeout))


@main.command()
@host_and_port("store")
@click.option("--threads", default=8, show_default=True, help="Request threads (the store is always one process).")
def store(host: str, port: int, threads: int) -> None:
    """Run the ticket store API (the only process that opens the database at HELPDESK_DB_PATH)."""
    from .serve import serve
    from .services import close_store, store_app

    serve(store_app, host, port, threads=threads, body_limit=IMPORT_LIMIT, name="helpdesk-store",
          on_stop=close_store)


@main.command()
@host_and_port("web")
@click.option("--threads", default=8, show_default=True, help="Request threads (one process).")
@workers_option
def web(host: str, port: int, threads: int, workers: int | None) -> None:
    """Run the web app (it finds the store and the functions through the HELPDESK_*_URL variables)."""
    from .serve import serve
    from .services import web_app

    serve(web_app, host, port, threads=threads, name="helpdesk-web")


@main.command()
@click.argument("name", type=click.Choice(FUNCTIONS))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port (default: the function's own, 8061 to 8064).")
@click.option("--threads", default=4, show_default=True, help="Request threads (one process).")
@workers_option
def function(name: str, host: str, port: int | None, threads: int, workers: int | None) -> None:
    """Run one analysis function: open_since, resolution_time, category_active or service_levels."""
    from .serve import serve
    from .services import function_app, function_source

    try:
        function_source(name)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    serve(functools.partial(function_app, name), host, port or DEFAULT_PORTS[name], threads=threads,
          name=f"helpdesk-{name}")


@main.command()
@host_and_port("mailer")
def mailer(host: str, port: int) -> None:
    """Deliver the helpdesk's mail: lease it from the store's outbox, send it through HELPDESK_SMTP_URL.

    Without HELPDESK_SMTP_URL it stays idle and sends nothing. HELPDESK_MAIL_FROM is the sender's
    address and HELPDESK_PUBLIC_URL the web app's address for follow links. The port serves only
    the health check.
    """
    from .mailer import MailSettings, run_mailer

    try:
        settings = MailSettings.from_environment()
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    run_mailer(host, port, settings)


@main.command()
@click.argument("service", type=click.Choice(list(SERVICES_BY_NAME)))
@click.option("--url", help="The service's address (default: http://127.0.0.1 on its default port).")
def health(service: str, url: str | None) -> None:
    """Exit 0 when SERVICE answers its health check, 1 otherwise (used by the containers)."""
    target = (url or f"http://127.0.0.1:{DEFAULT_PORTS[service]}").rstrip("/")
    if not is_healthy(SERVICES_BY_NAME[service], target, os.environ.get("HELPDESK_API_TOKEN") or None):
        raise click.ClickException(f"The {service} service at {target} does not answer its health check.")
    click.echo(f"{service} is healthy at {target}")


@main.command()
@click.option("--tickets", type=click.IntRange(1, 20_000_000), default=4000, show_default=True,
              help="How many tickets to generate.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same tickets.")
@click.option("--messages", type=click.IntRange(0), default=2000, show_default=True,
              help="At most this many thread messages under the newest open and active tickets.")
@click.option("--now", "end", type=click.DateTime(["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
              help="End the history at this UTC time instead of now (the same seed and end give the same tickets).")
@store_url_option
def demo(tickets: int, seed: int, messages: int, end: datetime | None, store_url: str) -> None:
    """Load a realistic 18-month history of campus tickets into the running store.

    The tickets are added to whatever the store holds, through its bulk import, in chunks of
    100,000; closed, active and open tickets follow the academic year and each category's usual
    resolution time.
    """
    from .demo import load_demo
    from .store_client import StoreClient

    now = end.replace(tzinfo=timezone.utc) if end else None
    if now and now > datetime.now(timezone.utc):
        raise click.BadParameter("the history cannot end in the future.", param_hint="--now")
    client = StoreClient(store_url)
    client.ticket_count()  # fails with a sentence before generating anything when the store is away
    load_demo(client, tickets, seed, now=now, messages=messages, progress=True, say=click.echo)


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--format", "kind", type=click.Choice(["csv", "ndjson"]),
              help="The file's format (default: from its extension, .csv or .ndjson/.jsonl).")
@store_url_option
def import_command(file: Path, kind: str | None, store_url: str) -> None:
    """Import tickets from a CSV or NDJSON FILE into the running store, all or nothing.

    Columns: title,description,location,reporter,category,status,opened_at,closed_at (the
    export's columns). An empty category is assigned by the categorizer.
    """
    from rich.progress import Progress

    from .store_client import StoreClient

    content_type = {"csv": "text/csv", "ndjson": "application/x-ndjson"}.get(kind or "") or \
        IMPORT_TYPES.get(file.suffix.lower())
    if content_type is None:
        raise click.ClickException(f"Cannot tell the format of {file} from its name; "
                                   "use a .csv or .ndjson file, or say --format csv or --format ndjson.")
    if file.stat().st_size > IMPORT_LIMIT:
        raise click.ClickException(f"{file} is larger than the 512 MiB the store takes in one import; "
                                   "split it into smaller files (each is imported all or nothing).")
    client = StoreClient(store_url)
    started = time.perf_counter()
    with Progress(transient=True) as progress, progress.open(file, "rb", description=f"Sending {file.name}") as body:
        imported = client.import_tickets(body, content_type)
    click.echo(f"Imported {imported:,} tickets from {file} in {time.perf_counter() - started:.1f} s.")


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@store_url_option
def export_command(file: Path, store_url: str) -> None:
    """Export every ticket of the running store to FILE as CSV (the columns `import` reads)."""
    from .store_client import StoreClient

    folder = file.parent if str(file.parent) else Path(".")
    if not folder.is_dir():
        raise click.ClickException(f"Cannot write {file}: the folder {folder} does not exist.")
    response = StoreClient(store_url).export_tickets()
    partial = file.with_name(f".{file.name}.part")
    try:
        with open(partial, "wb") as target:
            for chunk in response.iter_content(1024 * 1024):
                target.write(chunk)
        partial.replace(file)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"Cannot write {file}: {error.strerror}.") from None
    click.echo(f"Exported {csv_rows(file):,} tickets to {file}.")


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@store_url_option
def backup_command(file: Path, store_url: str) -> None:
    """Copy a consistent snapshot of the running store's database to FILE, without stopping it.

    The copy holds every write the store acknowledged before the backup began; writers wait only
    while its snapshot is fixed. FILE appears only once the whole copy is written and checked.
    """
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    from .backup import download_backup
    from .store_client import StoreClient

    folder = file.parent if str(file.parent) else Path(".")
    if not folder.is_dir():
        raise click.ClickException(f"Cannot write {file}: the folder {folder} does not exist.")
    started = time.perf_counter()
    with Progress(*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(), transient=True) as bar:
        task = bar.add_task(f"Backing up to {file.name}", total=None)
        size = download_backup(StoreClient(store_url), file,
                               lambda done, total: bar.update(task, completed=done, total=total))
    click.echo(f"Backed up the store at {store_url} to {file} ({size / 2**20:,.1f} MiB) "
               f"in {time.perf_counter() - started:.1f} s.")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--db-path", type=click.Path(path_type=Path), envvar="HELPDESK_DB_PATH", default=DEFAULT_DB_PATH,
              show_default=True, show_envvar=True, help="The database file of the (stopped) store.")
def restore_command(file: Path, db_path: Path) -> None:
    """Put the backup FILE in place of the stopped store's database.

    The backup is checked first (it must open as a helpdesk database of a known schema version);
    the database it replaces is kept beside it as DB.before-restore-TIME. Refused while a store runs.
    """
    from .backup import restore_backup

    counts = restore_backup(file, db_path, click.echo)
    click.echo(f"Restored {file} to {db_path}: {counts['tickets']:,} tickets, {counts['messages']:,} messages, "
               f"schema version {counts['schema_version']}. Start the store to use it.")


def csv_rows(file: Path) -> int:
    """Return how many records (not lines: descriptions may span lines) a CSV file holds after its header."""
    import pyarrow.csv as pa_csv

    reader = pa_csv.open_csv(file, parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                             convert_options=pa_csv.ConvertOptions(column_types={}, strings_can_be_null=False))
    return sum(batch.num_rows for batch in reader)


@main.command("eval-categorizer", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def eval_categorizer(ctx: click.Context) -> None:
    """Measure the categorizer on the held-out tickets of each language and print its scores.

    Arguments go to the evaluation unchanged: `--language it` evaluates one language's held-out
    tickets (en, it, de, fr, es); a CSV file of text,category[,hard] rows evaluates those tickets.
    """
    try:
        from ticket_store.categorizer import evaluate
    except ModuleNotFoundError as error:
        if error.name != "ticket_store.categorizer.evaluate":
            raise
        raise click.ClickException("This installation has no categorizer evaluation "
                                   "(the module ticket_store.categorizer.evaluate is missing).") from None
    entry = getattr(evaluate, "main", None)
    if entry is None:
        raise click.ClickException("ticket_store.categorizer.evaluate has no main() to run.")
    if inspect.signature(entry).parameters:
        status = entry(list(ctx.args))
    else:
        sys.argv = [ctx.command_path, *ctx.args]
        status = entry()
    ctx.exit(status if isinstance(status, int) else 0)
