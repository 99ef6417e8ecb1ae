"""The whole local system: Kafka, the database, the SMTP sink and the three services, on 127.0.0.1.

`make up` runs it in the foreground; the end-to-end tests run their own on other ports and folders.
It is plain http on loopback, so the services' https-only defaults (HSTS, Secure `__Host-` cookies,
SMTP STARTTLS) are turned off here: the one documented local exception.
"""

import os
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from devstack.database import MongoServer
from devstack.kafka import KafkaBroker, create_topics
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
    database: int = 27017
    smtp: int = 1025


@dataclass
class LocalStack:
    """Starts and stops every part of the system as child processes, data under `root`."""

    root: Path
    ports: Ports = field(default_factory=Ports)
    topic_prefix: str = "meldestelle"
    database_prefix: str = ""
    mongodb_uri: str | None = None
    # Extra settings for every service, over the stack's own (e.g. TRIAGE_STATS_CHECK_INTERVAL_SECONDS).
    env: dict[str, str] = field(default_factory=dict)
    # Peers whose X-Forwarded-For/-Proto the services believe (uvicorn --forwarded-allow-ips): a local
    # reverse proxy on 127.0.0.1 only; any other client's forwarded headers are ignored.
    trusted_proxies: str = "127.0.0.1"
    kafka: KafkaBroker = field(init=False)
    database: MongoServer | None = field(init=False, default=None)
    smtp: SmtpSink = field(init=False)
    services: dict[str, ManagedProcess] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.kafka = KafkaBroker(self.root / "kafka", self.ports.kafka, self.ports.kafka_controller)
        if not self.mongodb_uri:
            self.database = MongoServer(self.root / "database", self.ports.database)
        self.smtp = SmtpSink(self.root / "mail", self.ports.smtp)
        self.secrets = ensure_secrets(self.root / "secrets")
        for name in SERVICES:
            self.services[name] = ManagedProcess(
                name, self._service_argv(name), env=self.service_env(name), log_path=self.root / "logs" / f"{name}.log"
            )

    @property
    def uri(self) -> str:
        """Connection string of the database server."""
        return self.mongodb_uri or self.database.uri

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

    def start_infrastructure(self) -> None:
        """Start Kafka, the database and the SMTP sink, and create the topics."""
        self.kafka.start()
        if self.database:
            self.database.start()
        self.smtp.start()
        self.kafka.wait_ready(timeout=120)
        if self.database:
            self.database.wait_ready()
        self.smtp.wait_ready()
        run_async(lambda: create_topics(self.kafka.bootstrap_servers, self.topics.partitions()))

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
        if self.database:
            self.database.stop()
        self.kafka.stop()

    def service_env(self, name: str) -> dict[str, str]:
        """The environment a service runs with in this stack."""
        own = ("INTAKE_", "TRIAGE_", "NOTIFY_", "KAFKA_", "MONGODB_", "METRICS_")
        env = {key: value for key, value in os.environ.items() if not key.startswith(own)}
        env.update(
            KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{self.ports.kafka}",
            KAFKA_TOPIC_PREFIX=self.topic_prefix,
            MONGODB_URI=self.uri,
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
            METRICS_HOST="127.0.0.1",
            METRICS_PORT=str(getattr(self.ports, f"{name}_metrics")),
            PYTHONUNBUFFERED="1",
        )
        if (self.secrets / name).is_dir():  # each service sees only its own secrets
            env["MELDESTELLE_SECRETS_DIR"] = str(self.secrets / name)
        env.update(self.env)
        return env

    def _service_argv(self, name: str) -> list[str]:
        port = getattr(self.ports, name)
        return [
            sys.executable, "-m", "uvicorn", f"{name}.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port),
            "--forwarded-allow-ips", self.trusted_proxies,
            "--no-access-log",  # access logs carry client addresses
            "--ws", "none",  # no WebSockets: an upgrade is plain HTTP, and nothing logs the client's address
            "--timeout-graceful-shutdown", "8",
        ]  # fmt: skip
