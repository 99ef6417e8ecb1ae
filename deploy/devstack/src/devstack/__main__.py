"""Command line: `python -m devstack up` runs the whole local system; `install` only fetches and builds."""

import argparse
import os
import shutil
import signal
import threading
import time
from pathlib import Path

from devstack.database import configured_backend, ensure_ferretdb, legacy_sqlite_data
from devstack.kafka import ensure_kafka
from devstack.postgresql import PostgresCluster, kept_cluster_folder


def install() -> None:
    """Fetch the Kafka jars and build FerretDB into the cache, timing each."""
    for name, ensure in (("kafka", ensure_kafka), ("ferretdb", lambda: ensure_ferretdb(configured_backend()))):
        started = time.monotonic()
        path = ensure()
        print(f"{name}: {path} ({time.monotonic() - started:.1f}s)")


def up(root: Path) -> None:
    """Run the infrastructure and the three services until SIGINT or SIGTERM, then stop them all."""
    # Imported here: the stack needs the shared package, `install` does not.
    from devstack.stack import LocalStack

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    # API tokens stay off unless asked for: `TRIAGE_API_TOKENS_ENABLED=true make up`.
    tokens = os.environ.get("TRIAGE_API_TOKENS_ENABLED", "false")
    mongodb_uri = os.environ.get("MONGODB_URI")
    backend, cluster = _embedded_database(root) if not mongodb_uri else (None, None)
    stack = LocalStack(root, mongodb_uri=mongodb_uri, env={"TRIAGE_API_TOKENS_ENABLED": tokens}, database_backend=backend, database_cluster=cluster)
    try:
        print("Starting Kafka, the database and the SMTP sink (a first run downloads and builds them)...", flush=True)
        stack.start_infrastructure()
        print("Starting intake, triage and notify...", flush=True)
        stack.start_services()
        print(_banner(stack), flush=True)
        while not stopping.wait(1):
            for process in stack.services.values():
                if not process.is_running:
                    raise SystemExit(f"{process.name} exited; see {process.log_path}")
    finally:
        print("Stopping...", flush=True)
        stack.stop()


def _embedded_database(root: Path) -> tuple[str, PostgresCluster | None]:
    """FerretDB's backend for the stack in root and, on PostgreSQL, the cluster it keeps; says so when old SQLite data keeps SQLite."""
    backend = configured_backend(root)
    if backend == "sqlite" and not os.environ.get("MELDESTELLE_DATABASE_BACKEND"):
        print(_LEGACY_SQLITE.format(root=root, files=len(legacy_sqlite_data(root))), flush=True)
    if backend == "postgresql" and not shutil.which("mongod"):
        return backend, PostgresCluster(kept_cluster_folder(root))
    return backend, None


_LEGACY_SQLITE = """\
Note: {root}/database holds FerretDB's SQLite data from before PostgreSQL became the default ({files} files),
and {root}/postgresql does not exist, so the database stays FerretDB on SQLite and your data is kept.
To start afresh on PostgreSQL, move {root}/database aside; to keep SQLite and silence this note,
set MELDESTELLE_DATABASE_BACKEND=sqlite (docs/architecture.md, "The embedded database").
"""


def _banner(stack: "LocalStack") -> str:  # noqa: F821 - imported lazily in up()
    return f"""
The system is up. Ctrl-C stops it.
  intake (resident site, API)  {stack.url("intake")}   OpenAPI: {stack.url("intake")}/openapi.json
  triage (workbench, API)      {stack.url("triage")}   first admin: python -m triage.staff.cli create-admin (see README)
  notify                       {stack.url("notify")}/readyz
  metrics (loopback only)      {stack.metrics_url("intake")}  {stack.metrics_url("triage")}  {stack.metrics_url("notify")}
  Kafka                        {stack.kafka.bootstrap_servers} (SASL/SCRAM-SHA-256; admin password: {stack.secrets / "kafka" / "kafka_password"})
  Databases (one per service)  {_databases(stack)}
  SMTP sink                    127.0.0.1:{stack.smtp.port}, e-mails as .eml files in {stack.smtp.maildir}
  Logs                         {stack.root / "logs"}
"""


def _databases(stack: "LocalStack") -> str:  # noqa: F821 - imported lazily in up()
    if not stack.databases:
        return stack.mongodb_uri
    servers = ", ".join(f"{name} {server.uri} (user {name})" for name, server in stack.databases.items())
    if stack.database_cluster:
        return f"{servers}\n  PostgreSQL under FerretDB    {stack.database_cluster.pgdata} (Unix socket only, in {stack.database_cluster.socket_dir})"
    return servers


def main() -> None:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="fetch the Kafka jars and build FerretDB into the cache")
    run = commands.add_parser("up", help="run the infrastructure and the services in the foreground")
    run.add_argument("--root", type=Path, default=Path("var"), help="folder for data and logs")
    args = parser.parse_args()
    if args.command == "install":
        install()
    else:
        up(args.root)


if __name__ == "__main__":
    main()
