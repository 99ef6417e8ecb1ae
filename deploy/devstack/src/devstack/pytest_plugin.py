"""Pytest fixtures that give tests real infrastructure of their own, never the running local stack's.

One Kafka broker, one database server and one SMTP sink per test session, on free ports in a
temporary folder; each test gets its own topic prefix and database names so tests cannot see
each other's data. `stack` runs the whole system as processes for one test module. FerretDB's
PostgreSQL cluster is one per session too (devstack.postgresql.scratch_cluster): every database
server, the session's and each stack's, gets a fresh database in it, and it is removed at exit.
MELDESTELLE_TEST_MONGODB_URI points the tests at an existing MongoDB instead.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from devstack.database import MongoServer
from devstack.kafka import KafkaBroker, create_topics
from devstack.kafka_acls import service_acls
from devstack.probes import eventually, run_async
from devstack.processes import free_port
from devstack.smtp_sink import SmtpSink
from devstack.stack import SERVICES, LocalStack, Ports, database_servers, kafka_users
from meldestelle_shared.keygen import ensure_secrets
from meldestelle_shared.topics import Topics


@dataclass
class Infrastructure:
    """The session's running Kafka (with a SCRAM user per service), database servers (one per service) and SMTP sink."""

    kafka: KafkaBroker
    databases: dict[str, MongoServer]
    external_mongodb_uri: str | None
    smtp: SmtpSink
    # The folder the Kafka and database users' passwords were read from, in each service's layout.
    secrets: Path

    def database_uri(self, service: str) -> str:
        """Connection string of a service's database server, with that service's credentials."""
        return self.external_mongodb_uri or self.databases[service].authenticated_uri

    def service_stack(self, root: Path, name: str, **options) -> LocalStack:
        """The services as processes on this infrastructure, none started: start the ones a test needs from `.services`.

        Topics, databases and consumer groups are named after `name`; the topics are created with
        the services' ACLs, and the services log in as the users this infrastructure knows.
        `options` are further LocalStack fields (e.g. trusted_proxies, env).
        """
        own = {field: free_port() for field in ("intake", "triage", "notify", "intake_metrics", "triage_metrics", "notify_metrics")}
        shared = {"kafka": self.kafka.port, "kafka_controller": self.kafka.controller_port, "smtp": self.smtp.port}
        databases = {f"{service}_database": database.port for service, database in self.databases.items()}
        stack = LocalStack(
            root, Ports(**own, **shared, **databases), topic_prefix=name, database_prefix=f"{name}_",
            consumer_group_prefix=f"{name}-", mongodb_uri=self.external_mongodb_uri, secrets=self.secrets, **options,
        )  # fmt: skip
        stack.create_topics()
        return stack


@pytest.fixture(scope="session")
def infrastructure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    """Start Kafka, the database servers and the SMTP sink once for the whole test session."""
    root: Path = tmp_path_factory.mktemp("infrastructure")
    secrets = ensure_secrets(root / "secrets")
    kafka = KafkaBroker(root / "kafka", free_port(), free_port(), users=kafka_users(secrets))
    external_uri = os.environ.get("MELDESTELLE_TEST_MONGODB_URI")
    ports = Ports(**{f"{name}_database": free_port() for name in SERVICES})
    databases = {} if external_uri else database_servers(root / "database", secrets, ports)
    smtp = SmtpSink(root / "mail", free_port())
    started = []
    try:
        for part in (kafka, *databases.values(), smtp):
            part.start()
            started.append(part)
        kafka.wait_ready(timeout=120)
        for database in databases.values():
            database.wait_ready()
        smtp.wait_ready()
        yield Infrastructure(kafka, databases, external_uri, smtp, secrets)
    finally:
        for part in reversed(started):
            part.stop()


@contextmanager
def running_stack(root: Path, env: dict[str, str] | None = None) -> Iterator[LocalStack]:
    """The whole system as separate processes on free ports, data under `root`, every service ready.

    `env` adds settings for every service, over the stack's own. Test stacks accept API tokens
    (off by default in production) so tests can read cases the way a tool would.
    """
    ports = Ports(**{name: free_port() for name in Ports.__dataclass_fields__})
    # Every test report comes from 127.0.0.1, far more than a resident sends; the limit has tests of its own.
    env = {"INTAKE_REPORT_MAX_PER_WINDOW": "1000000", "TRIAGE_API_TOKENS_ENABLED": "true", **(env or {})}
    stack = LocalStack(root, ports, mongodb_uri=os.environ.get("MELDESTELLE_TEST_MONGODB_URI"), env=env)
    try:
        stack.start_infrastructure()
        stack.start_services()
        for service in SERVICES:
            eventually(lambda: stack.ready(service), timeout=60, what=f"{service} to be ready")
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The whole system for one test module, in a folder of its own."""
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="module")
def staff_headers(stack: LocalStack) -> dict[str, str]:
    """Headers of an API token for the staff API, made with the operators' command for this module's tests."""
    token = stack.create_api_token("e2e-tests", "case.read,case.work,case.assign,stats.read")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def unique_name() -> str:
    """A short name no other test uses, for topic prefixes and database names."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def topics(infrastructure: Infrastructure, unique_name: str) -> Topics:
    """This test's own topics, created on the session's Kafka with the services' ACLs.

    Each service's consumer groups must start with `<unique_name>-<service>`.
    """
    names = Topics(unique_name)
    acls = service_acls(names, group_prefix=f"{unique_name}-")
    run_async(lambda: create_topics(infrastructure.kafka.admin, names.partitions(), acls=acls))
    return names


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for one test module.

    Module-scoped on purpose: while Playwright's sync API is open it runs an event loop in
    the main thread, and any later test that calls asyncio.run would fail.
    """
    from playwright.sync_api import sync_playwright

    from devstack.browser import CHROMIUM_FLAGS, chromium_path

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Path:
    """A folder under test-artifacts/screenshots/ for this test's screenshots, kept for reviewers."""
    from devstack.browser import ARTIFACTS

    folder = ARTIFACTS / "screenshots" / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
