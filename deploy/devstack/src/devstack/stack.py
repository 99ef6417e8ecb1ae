"""The whole local system: Kafka, the database, the SMTP sink and the three services, on 127.0.0.1.

`make up` runs it in the foreground; the end-to-end tests run their own on other ports and folders.
It is plain http on loopback, so the services' https-only defaults (HSTS, Secure `__Host-` cookies,
SMTP STARTTLS) are turned off here: the one documented local exception.
"""

import os
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from devstack.cache import DEPLOY_DIR
from devstack.database import MongoServer
from devstack.postgresql import PostgresCluster
from devstack.kafka import ADMIN, KafkaBroker, create_topics
from devstack.kafka_acls import service_acls
from devstack.probes import run_async
from devstack.processes import ManagedProcess, wait_for_port
from devstack.smtp_sink import SmtpSink
from meldestelle_shared.keygen import ensure_secrets
from meldestelle_shared.topics import Topics

SERVICES = ("intake", "triage", "notify")


@dataclass(frozen=True)
class Ports:
    """Where each part listens; the defaults are the local stack's."""

    intake: int = 8000
    triage: int = 8001
    notify: int = 8002
    # Prometheus metrics, never on a service's public port.
    intake_metrics: int = 9100
    triage_metrics: int = 9101
    notify_metrics: int = 9102
    kafka: int = 9092
    kafka_controller: int = 9093
    # One database server per service: FerretDB has no roles, so separate servers (each with its
    # own user) are what keeps a service out of another's data.
    intake_database: int = 27017
    triage_database: int = 27018
    notify_database: int = 27019
    smtp: int = 1025


def read_secret(folder: Path, name: str) -> str:
    """One generated secret file's content."""
    return (folder / name).read_text()


def kafka_users(secrets: Path) -> dict[str, str]:
    """The SCRAM users a broker registers: the super user and each service's principal."""
    kafka = secrets / "kafka"
    return {ADMIN: read_secret(kafka, "kafka_password")} | {name: read_secret(kafka, f"{name}_password") for name in SERVICES}


def database_servers(
    root: Path, secrets: Path, ports: "Ports", *, backend: str | None = None, cluster: PostgresCluster | None = None
) -> dict[str, MongoServer]:
    """One database server per service, data under `root/<service>`, each with that service's user.

    On PostgreSQL each server has a database of its own: in `cluster`, named after the service;
    without one, a fresh one in the process's scratch cluster.
    """
    return {
        name: MongoServer(
            root / name,
            getattr(ports, f"{name}_database"),
            username=name,
            password=read_secret(secrets / "mongodb", f"{name}_password"),
            backend=backend,
            cluster=cluster,
            postgresql_database=name if cluster else None,
        )
        for name in SERVICES
    }


@dataclass
class LocalStack:
    """Starts and stops every part of the system as child processes, data under `root`."""

    root: Path
    ports: Ports = field(default_factory=Ports)
    topic_prefix: str = "meldestelle"
    database_prefix: str = ""
    mongodb_uri: str | None = None
    # Each service's consumer groups are named `consumer_group_prefix` + its name (+ a suffix).
    consumer_group_prefix: str = ""
    # The secrets folder; None: the stack's own under root/secrets. Services started alone on
    # infrastructure that runs already must use the folder that infrastructure's users came from.
    secrets: Path | None = None
    # Extra settings for every service, over the stack's own (e.g. TRIAGE_STATS_CHECK_INTERVAL_SECONDS).
    env: dict[str, str] = field(default_factory=dict)
    # Peers whose X-Forwarded-For/-Proto the services believe (uvicorn --forwarded-allow-ips): a local
    # reverse proxy on 127.0.0.1 only; any other client's forwarded headers are ignored.
    trusted_proxies: str = "127.0.0.1"
    # uvicorn workers of intake (its Argon2id cost is CPU-bound); INTAKE_WORKERS, else one per core.
    intake_workers: int = field(default_factory=lambda: int(os.environ.get("INTAKE_WORKERS") or os.cpu_count() or 1))
    # FerretDB's backend (None: MELDESTELLE_DATABASE_BACKEND's, else postgresql) and the PostgreSQL
    # cluster the stack keeps and stops (None: the process's scratch cluster, removed at exit).
    database_backend: str | None = None
    database_cluster: PostgresCluster | None = None
    kafka: KafkaBroker = field(init=False)
    databases: dict[str, MongoServer] = field(init=False, default_factory=dict)
    smtp: SmtpSink = field(init=False)
    services: dict[str, ManagedProcess] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.secrets = ensure_secrets(self.secrets or self.root / "secrets")
        self.kafka = KafkaBroker(
            self.root / "kafka", self.ports.kafka, self.ports.kafka_controller, users=kafka_users(self.secrets)
        )
        if not self.mongodb_uri:
            self.databases = database_servers(
                self.root / "database", self.secrets, self.ports, backend=self.database_backend, cluster=self.database_cluster
            )
        self.smtp = SmtpSink(self.root / "mail", self.ports.smtp)
        shutil.rmtree(self.root / "metrics", ignore_errors=True)  # multiprocess metrics of an earlier run
        (self.root / "metrics" / "intake").mkdir(parents=True)
        for name in SERVICES:
            self.services[name] = ManagedProcess(
                name, self.service_argv(name), env=self.service_env(name), log_path=self.root / "logs" / f"{name}.log"
            )

    def database_uri(self, service: str) -> str:
        """Connection string of a service's database server, with its credentials, for tests' and benchmarks' own clients."""
        return self.mongodb_uri or self.databases[service].authenticated_uri

    @property
    def topics(self) -> Topics:
        """The topic names this stack uses."""
        return Topics(self.topic_prefix)

    def url(self, service: str) -> str:
        """Base URL of a service."""
        return f"http://127.0.0.1:{getattr(self.ports, service)}"

    def metrics_url(self, service: str) -> str:
        """Where a service's Prometheus metrics are (loopback only)."""
        return f"http://127.0.0.1:{getattr(self.ports, f'{service}_metrics')}/metrics"

    def start_infrastructure(self, *, kafka: bool = True) -> None:
        """Start Kafka, the database and the SMTP sink, and create the topics; without `kafka`, the caller brings its own."""
        if kafka:
            self.kafka.start()
        for database in self.databases.values():
            database.start()
        self.smtp.start()
        if kafka:
            self.kafka.wait_ready(timeout=120)
        for database in self.databases.values():
            database.wait_ready()
        self.smtp.wait_ready()
        if kafka:
            self.create_topics()

    def create_topics(self) -> None:
        """Create this stack's topics on its Kafka, with the ACLs of its services and their consumer groups."""
        acls = service_acls(self.topics, group_prefix=self.consumer_group_prefix)
        run_async(lambda: create_topics(self.kafka.admin, self.topics.partitions(), acls=acls))

    def ready(self, service: str) -> bool:
        """Whether a service answers /readyz with 200."""
        try:
            with urllib.request.urlopen(f"{self.url(service)}/readyz", timeout=3) as response:
                return response.status == 200
        except OSError:  # refused, timed out, or an HTTP error status
            return False

    def start_services(self, timeout: float = 90.0) -> None:
        """Start the three services and wait until each answers on its port."""
        for process in self.services.values():
            process.start()
        for name, process in self.services.items():
            wait_for_port("127.0.0.1", getattr(self.ports, name), timeout, process)

    def stop(self) -> None:
        """Stop everything, services first so they can commit what they processed."""
        for process in self.services.values():
            process.stop(timeout=15)
        self.smtp.stop()
        for database in self.databases.values():
            database.stop()
        if self.database_cluster:
            self.database_cluster.stop()
        self.kafka.stop()

    def service_env(self, name: str) -> dict[str, str]:
        """The environment a service runs with in this stack."""
        own = ("INTAKE_", "TRIAGE_", "NOTIFY_", "KAFKA_", "MONGODB_", "METRICS_")
        env = {key: value for key, value in os.environ.items() if not key.startswith(own)}
        env.update(
            KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{self.ports.kafka}",
            KAFKA_TOPIC_PREFIX=self.topic_prefix,
            KAFKA_USERNAME=name,
            INTAKE_CONSUMER_GROUP=f"{self.consumer_group_prefix}intake",
            TRIAGE_CONSUMER_GROUP=f"{self.consumer_group_prefix}triage",
            NOTIFY_CONSUMER_GROUP=f"{self.consumer_group_prefix}notify",
            MONGODB_URI=self.mongodb_uri or self.databases[name].uri,
            INTAKE_DATABASE=f"{self.database_prefix}intake",
            TRIAGE_DATABASE=f"{self.database_prefix}triage",
            NOTIFY_DATABASE=f"{self.database_prefix}notify",
            NOTIFY_SMTP_HOST="127.0.0.1",
            NOTIFY_SMTP_PORT=str(self.ports.smtp),
            NOTIFY_WORKBENCH_URL=self.url("triage"),
            NOTIFY_PUBLIC_URL=self.url("intake"),
            # Plain http and SMTP on loopback: the local exception to the https-only defaults.
            INTAKE_HTTPS_ONLY="false",
            TRIAGE_HTTPS_ONLY="false",
            NOTIFY_SMTP_STARTTLS="false",
            TRIAGE_REFERRAL_DIRECTORY=str(DEPLOY_DIR / "referrals" / "services.json"),
            TRIAGE_EVENT_CATALOGUE_DIR=str(DEPLOY_DIR.parent / "docs" / "asyncapi"),
            METRICS_HOST="127.0.0.1",
            METRICS_PORT=str(getattr(self.ports, f"{name}_metrics")),
            PYTHONUNBUFFERED="1",
        )
        if self.databases:
            env["MONGODB_USERNAME"] = name
        if name == "triage":
            # The evidence store is intake's database `<intake>_evidence`, on intake's server. FerretDB has no roles, so
            # here triage reads (and erases) it with intake's login; MongoDB in compose gives triage a role of its own.
            env["TRIAGE_EVIDENCE_DATABASE"] = f"{self.database_prefix}intake_evidence"
            if self.databases:
                env["TRIAGE_EVIDENCE_STORE_URI"] = self.databases["intake"].authenticated_uri
        if name == "intake" and self.intake_workers > 1:
            # prometheus_client's multiprocess mode: the workers share one emptied folder, one of them serves it.
            env["PROMETHEUS_MULTIPROC_DIR"] = str(self.root / "metrics" / name)  # emptied in __post_init__
        if (self.secrets / name).is_dir():  # each service sees only its own secrets (and passwords)
            env["MELDESTELLE_SECRETS_DIR"] = str(self.secrets / name)
        env.update(self.env)
        return env

    def create_api_token(self, actor: str, scopes: str, days: int = 1) -> str:
        """A triage API token made with the operators' command; triage accepts it only with TRIAGE_API_TOKENS_ENABLED=true."""
        command = [sys.executable, "-m", "triage.staff.cli", "create-token", "--actor", actor, "--scopes", scopes, "--days", str(days)]
        done = subprocess.run(command, env=self.service_env("triage"), capture_output=True, text=True, check=True, timeout=60)
        return done.stdout.splitlines()[1].strip()

    def service_argv(self, name: str, *, port: int | None = None, workers: int | None = None) -> list[str]:
        """The command that runs a service: on its stack port and worker count unless others are given (more instances)."""
        port = port or getattr(self.ports, name)
        workers = workers or (self.intake_workers if name == "intake" else 1)
        return [
            sys.executable, "-m", "uvicorn", f"{name}.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port),
            "--forwarded-allow-ips", self.trusted_proxies,
            "--no-access-log",  # access logs carry client addresses
            "--ws", "none",  # no WebSockets: an upgrade is plain HTTP, and nothing logs the client's address
            "--timeout-graceful-shutdown", "8",
            "--workers", str(workers),
            # The supervisor kills a worker that does not answer its ping in time; 5 s (the default) was
            # too short on a busy machine: workers were killed while still starting (bench.intake).
            "--timeout-worker-healthcheck", "30",
        ]  # fmt: skip
