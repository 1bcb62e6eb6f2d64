"""Measure the whole helpdesk at one or more database sizes and print one table per size.

    python -m bench --tickets 1000000
    python -m bench --sizes 10000,100000,1000000

For each size: a fresh database of N realistic tickets built through the store's bulk import,
the store, the three functions and the web app started as real processes on free ports, and
every operation timed against them; beside the reads and the analyses, the store's own SQL for
the same question run by DuckDB in this process on a copy of the same file (the physical limit
here). Results go to bench/results/latest.json and latest.md, with a growth table across sizes.
"""
from __future__ import annotations

import argparse
import shlex
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

from .report import Row, growth_table, judge, load_average, machine, now_text, size_table, write
from .stack import Bench

RESULTS = Path(__file__).resolve().parent / "results"


def sizes(text: str) -> list[int]:
    values = [int(part.replace("_", "").replace(",", "")) for part in text.split(",") if part.strip()]
    if not values or min(values) < 100:
        raise argparse.ArgumentTypeError("give sizes of at least 100 tickets, e.g. 10000,100000,1000000")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--tickets", type=int, help="one size (default 100000)")
    group.add_argument("--sizes", type=sizes, help="several sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=100, help="requests per latency row (32-word searches: half)")
    parser.add_argument("--web-runs", type=int, default=5, help="fresh-browser visits per page")
    parser.add_argument("--no-web", action="store_true", help="skip the real-browser part")
    parser.add_argument("--no-web-use", action="store_true", help="time first renders only, not callbacks")
    parser.add_argument("--loader", choices=("auto", "demo", "csv"), default="auto",
                        help="demo: the campus-helpdesk demo generator (default when present); csv: bench/dataset.py")
    parser.add_argument("--demo-messages", type=int, default=2000, help="thread messages the demo load posts")
    parser.add_argument("--timezone", default="Europe/Rome", help="the campus time zone for functions and web app")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON and Markdown results")
    parser.add_argument("--name", default="latest", help="file name (without extension) of the results")
    args = parser.parse_args(argv)
    args.sizes = args.sizes or [args.tickets or 100_000]
    return args


def section(name: str, rows: list[Row], skipped: list[str], measure: Callable[[], list[Row]]) -> None:
    """Run one group of measurements; on failure, say so and go on with the next group."""
    started = time.perf_counter()
    print(f"  {name} ...", flush=True)
    try:
        rows += measure()
    except Exception as error:  # one broken part must not cost the other measurements of a long run
        traceback.print_exc()
        skipped.append(f"{name} (failed: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})")
    print(f"  {name} done in {time.perf_counter() - started:.0f} s", flush=True)


def measure_size(tickets: int, args: argparse.Namespace) -> dict:
    """Build a database of *tickets* tickets, measure everything, and return the size's result."""
    from .analyses import measure_analyses
    from .categorizer import measure_categorizer
    from .mail import measure_mail
    from .photos import measure_photos
    from .store import measure_reads, measure_writes

    print(f"\n{tickets:,} tickets: building the database ({time.strftime('%H:%M:%S')}, load {load_average()})",
          flush=True)
    with Bench(tickets, web=not args.no_web, loader=args.loader, timezone=args.timezone,
               demo_messages=args.demo_messages) as bench:
        rows, skipped = list(bench.load_rows), bench.skipped
        function_urls = {name: server.url for name, server in bench.functions.items()}
        # Reads and analyses first, on exactly the imported data the reference copy holds.
        section("store reads", rows, skipped, lambda: measure_reads(
            bench.api, tickets, args.repeat, bench.reference, bench.store_cpu))
        section("analyses", rows, skipped, lambda: measure_analyses(
            function_urls, bench.store.url, bench.reference, max(5, args.repeat // 2), args.timezone))
        section("categorizer", rows, skipped, lambda: measure_categorizer(bench.store.url, 2 * args.repeat))
        if bench.web is not None:
            from .web import measure_web

            section("web app in the browser", rows, skipped, lambda: measure_web(
                bench.web.url, bench.store.url, args.web_runs, use=not args.no_web_use))
            from .web_assets import measure_assets

            section("web app's scripts and first paints", rows, skipped, lambda: measure_assets(
                bench.web.url, bench.store.url, args.web_runs))
        section("store writes", rows, skipped, lambda: measure_writes(bench.api, args.repeat, bench.store_cpu))
        section("similar tickets and photos", rows, skipped, lambda: measure_photos(
            bench.api, args.repeat, settle=min(30.0, tickets / 20_000)))  # the word index builds in the background
        section("mail sender", rows, skipped, lambda: measure_mail(bench.store.url, 1000))
        rows += bench.resource_rows()
    judge(rows, tickets)
    return bench.result(rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = {"command": "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv),
              "machine": machine(), "started": now_text(), "results": []}
    for tickets in args.sizes:
        result = measure_size(tickets, args)
        report["results"].append(result)
        report["finished"] = now_text()
        json_path, md_path = write(report, args.out, args.name)  # after every size: a long run keeps its parts
        print("\n" + size_table(result) + "\n", flush=True)
    if len(report["results"]) > 1:
        print("### How cost grows with the number of tickets\n\n" + growth_table(report["results"]) + "\n")
    print(f"wrote {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
