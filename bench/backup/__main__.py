"""Backups at the size of a city's archive: time to back up and to restore 100,000 cases (issue 17).

    .venv/bin/python -m bench.backup                   # the issue's size (run it on a quiet machine)
    .venv/bin/python -m bench.backup --cases 10000     # a quick check

Loads the cases the way bench.workbench does (its loader: cases, reference aliases, archive pages and the
open cases' read model in triage's databases), then times `create` (every database of the three servers,
encrypted) and, after dropping triage's databases, `restore` (verification first, then the writes). Both go
through the command's own functions, in-process. The figures are the recovery time (restore) and what the
recovery point costs (create: how often a backup can run); bench/results.json gets both (target: under an
hour each, the objective docs/operations.md states).
"""

import argparse
import asyncio
import time
from pathlib import Path
from tempfile import TemporaryDirectory

from pymongo import MongoClient

from bench.harness import load, local_stack, machine, record_result
from bench.limits import TimeLimitExceeded, exit_on_timeout, time_limit
from bench.workbench.__main__ import load_cases
from meldestelle_shared.backup.create import create_backup
from meldestelle_shared.backup.restore import restore_backup
from meldestelle_shared.backup.settings import BackupSettings, Source
from meldestelle_shared.sealing import generate_key_pair, load_private_key, load_public_key

OBJECTIVE_SECONDS = 3600
SERVICES = ("intake", "triage", "notify")


def main() -> None:
    """Load the cases, back them up, drop them, restore them, and record both durations."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000, help="how many cases to load")
    parser.add_argument("--open", type=int, default=2_000, help="how many of them are open")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="stop and fail (exit 3) after this many seconds in all")
    args = parser.parse_args()
    print(f"# backup and restore of {args.cases} cases  ({machine()})", flush=True)
    try:
        with time_limit(args.timeout, "bench.backup"):
            _run(args)
    except TimeLimitExceeded as error:
        exit_on_timeout(error)


def _run(args: argparse.Namespace) -> None:
    private, public = generate_key_pair()
    with local_stack(services=()) as stack, TemporaryDirectory(prefix="meldestelle-backup-bench-") as scratch:
        database = f"{stack.database_prefix}triage"
        office_key = (stack.secrets / "intake" / "intake_office_public_key").read_text()
        started = time.monotonic()
        asyncio.run(load_cases(stack.database_uri("triage"), database, args.cases, args.open, office_key))
        print(f"  loaded in {time.monotonic() - started:.0f} s  [{load()}]", flush=True)
        settings = BackupSettings(
            sources=[Source(service=name, uri=stack.database_uri(name), database=f"{stack.database_prefix}{name}") for name in SERVICES]
        )
        folder = Path(scratch) / "set"
        started = time.monotonic()
        manifest = create_backup(settings, load_public_key(public), folder)
        create_seconds = time.monotonic() - started
        size = sum(archive.bytes for archive in manifest.archives)
        documents = sum(archive.documents for archive in manifest.archives)
        print(f"  create  {create_seconds:7.1f} s  {documents} documents, {size / 2**20:.1f} MiB  [{load()}]", flush=True)
        with MongoClient(stack.database_uri("triage")) as client:
            for name in client.list_database_names():
                if name == database or name.startswith(f"{database}_"):
                    client.drop_database(name)
        started = time.monotonic()
        restore_backup(settings, load_private_key(private), folder, say=lambda line: print(f"    {line}", flush=True))
        restore_seconds = time.monotonic() - started
        print(f"  restore {restore_seconds:7.1f} s  [{load()}]", flush=True)
    scale = f"{args.cases} cases ({documents} documents, {size / 2**20:.1f} MiB encrypted)"
    for name, seconds in (("create", create_seconds), ("restore", restore_seconds)):
        record_result(
            f"backup: {name}", target=f"< {OBJECTIVE_SECONDS} s at 100,000 cases", measured=seconds, baseline=None, unit="s",
            met=seconds < OBJECTIVE_SECONDS, note=f"{scale}; {load()}" + ("" if args.cases >= 100_000 else "; a smoke run below the issue's size"),
        )  # fmt: skip


if __name__ == "__main__":
    main()
