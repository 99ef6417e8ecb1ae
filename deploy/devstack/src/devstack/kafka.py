"""Apache Kafka in KRaft mode from Maven Central jars: install, run a broker, create topics and ACLs.

Clients authenticate with SASL/SCRAM-SHA-256 and are authorised by ACLs, as in production: the
super user `admin` (devstack, tests' own probes, the dead-letter tool) and one principal per service.
"""

import asyncio
import base64
import hashlib
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from devstack.cache import CACHE, deploy_file, fingerprint, install_lock
from devstack.kafka_acls import Acl, create_acls
from devstack.probes import run_async
from devstack.processes import ManagedProcess, wait_for_port
from meldestelle_shared.settings import KafkaSettings

KAFKA_VERSION = "4.1.1"

_TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno
SCRAM_MECHANISM = "SCRAM-SHA-256"
ADMIN = "admin"


@dataclass(frozen=True)
class KafkaAccess:
    """How one principal reaches a broker: its address and SCRAM credentials."""

    bootstrap_servers: str
    username: str
    password: str

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer and admin client."""
        return {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": SCRAM_MECHANISM,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
        }

    def settings(self, **fields: Any) -> KafkaSettings:
        """The services' Kafka settings for this principal, with further fields (e.g. topic_prefix)."""
        return KafkaSettings(
            bootstrap_servers=self.bootstrap_servers, username=self.username, password=self.password, **fields
        )


def ensure_kafka() -> Path:
    """Return a directory holding the broker's runtime jars, resolving them with Maven once."""
    pom = deploy_file("kafka", "pom.xml")
    target = CACHE / "kafka" / f"{KAFKA_VERSION}-{fingerprint(pom, KAFKA_VERSION)}"
    stamp = target / ".complete"
    if stamp.exists():
        return target / "libs"
    with install_lock("kafka"):
        if stamp.exists():
            return target / "libs"
        if shutil.which("mvn") is None:
            raise RuntimeError("mvn not found on PATH; it is needed once to fetch the Kafka jars")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="install-", dir=target.parent))
        try:
            result = subprocess.run(
                [
                    "mvn",
                    "-B",
                    "-q",
                    "-f",
                    str(pom),
                    "dependency:copy-dependencies",
                    f"-Dkafka.version={KAFKA_VERSION}",
                    "-DincludeScope=runtime",
                    f"-DoutputDirectory={staging / 'libs'}",
                ],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise RuntimeError(f"resolving the Kafka jars failed:\n{result.stdout}{result.stderr}")
            # A half-finished earlier attempt may have left the target behind.
            shutil.rmtree(target, ignore_errors=True)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        stamp.touch()
    return target / "libs"


def _kafka_uuid(seed: str) -> str:
    """Derive a Kafka-style UUID (22 base64url chars) from a seed, so every node of a quorum agrees."""
    raw = hashlib.sha256(seed.encode()).digest()[:16]
    text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    # Kafka rejects IDs that would look like a command-line flag.
    return "A" + text[1:] if text.startswith("-") else text


class KafkaBroker:
    """One Kafka node in KRaft combined mode (broker and controller), alone or as part of a quorum."""

    def __init__(
        self,
        data_dir: Path,
        port: int,
        controller_port: int,
        *,
        node_id: int = 1,
        heap: str = "512m",
        quorum: list[tuple[int, int, int]] | None = None,
        users: dict[str, str],
    ) -> None:
        if ADMIN not in users:
            raise ValueError(f"the users must include the super user {ADMIN!r}")
        self.users = dict(users)
        self.data_dir = data_dir.resolve()
        self.port = port
        self.controller_port = controller_port
        self.node_id = node_id
        self.heap = heap
        self.quorum = sorted(quorum) if quorum else [(node_id, port, controller_port)]
        if (node_id, port, controller_port) not in self.quorum:
            raise ValueError(f"node {node_id} with ports {port}/{controller_port} is not in {quorum}")
        self.process: ManagedProcess | None = None

    @property
    def bootstrap_servers(self) -> str:
        """Address clients connect to."""
        return f"127.0.0.1:{self.port}"

    @property
    def admin(self) -> KafkaAccess:
        """The super user's access, for creating topics and ACLs and for tests' own probes."""
        return self.access(ADMIN)

    def access(self, username: str) -> KafkaAccess:
        """A principal's access to this node."""
        return KafkaAccess(self.bootstrap_servers, username, self.users[username])

    @property
    def properties_path(self) -> Path:
        """The server.properties written into the data directory."""
        return self.data_dir / "server.properties"

    @property
    def log_path(self) -> Path:
        """The broker's output, warnings and errors only."""
        return self.data_dir / "kafka.log"

    def _cluster_id(self) -> str:
        return _kafka_uuid(f"cluster:{self.quorum}")

    def _directory_id(self, node_id: int) -> str:
        return _kafka_uuid(f"directory:{self.quorum}:{node_id}")

    def server_properties(self) -> dict[str, str]:
        """Broker settings: loopback only, no automatic topics, internal topics sized to the quorum."""
        replicas = len(self.quorum)
        min_isr = 1 if replicas == 1 else 2
        return {
            "process.roles": "broker,controller",
            "node.id": str(self.node_id),
            "controller.quorum.bootstrap.servers": ",".join(
                f"127.0.0.1:{controller}" for _, _, controller in self.quorum
            ),
            "listeners": f"CLIENTS://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"CLIENTS://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "CLIENTS",
            # Every listener authenticates: clients and brokers with SCRAM, whose credentials live in
            # the metadata log; the controllers with PLAIN (SCRAM cannot authenticate the quorum that
            # holds its credentials), so no anonymous super user exists even on loopback.
            "listener.security.protocol.map": "CONTROLLER:SASL_PLAINTEXT,CLIENTS:SASL_PLAINTEXT",
            "sasl.enabled.mechanisms": SCRAM_MECHANISM,
            "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
            "listener.name.clients.scram-sha-256.sasl.jaas.config": _jaas("scram.ScramLoginModule", ADMIN, self.users[ADMIN]),
            "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
            "sasl.mechanism.controller.protocol": "PLAIN",
            "listener.name.controller.plain.sasl.jaas.config": _jaas(
                "plain.PlainLoginModule", ADMIN, self.users[ADMIN], f'user_{ADMIN}="{self.users[ADMIN]}"'
            ),
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": f"User:{ADMIN}",
            "allow.everyone.if.no.acl.found": "false",
            "log.dirs": str(self.data_dir / "log"),
            "auto.create.topics.enable": "false",
            "group.initial.rebalance.delay.ms": "0",
            "num.partitions": "1",
            "default.replication.factor": str(replicas),
            "min.insync.replicas": str(min_isr),
            "offsets.topic.replication.factor": str(replicas),
            # Fewer than the default 50 partitions: the first consumer group starts much faster.
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": str(replicas),
            "transaction.state.log.min.isr": str(min_isr),
            "transaction.state.log.num.partitions": "10",
            "share.coordinator.state.topic.replication.factor": str(replicas),
            "share.coordinator.state.topic.min.isr": str(min_isr),
            # A development stack: keep a day, at most 256 MiB per partition.
            "log.retention.hours": "24",
            "log.retention.bytes": str(256 * 1024 * 1024),
            "log.segment.bytes": str(16 * 1024 * 1024),
            # Two cores: the defaults (3 network, 8 I/O threads) only add contention.
            "num.network.threads": "2",
            "num.io.threads": "4",
            # Fence a dead node after 4s instead of 9s, so failover tests finish quickly.
            "broker.heartbeat.interval.ms": "1000",
            "broker.session.timeout.ms": "4000",
        }

    def _write_properties(self) -> None:
        lines = [f"{key}={value}" for key, value in self.server_properties().items()]
        self.properties_path.write_text("\n".join(lines) + "\n")

    def _java(self, jars: Path, main_class: str, *args: str, heap: str = "256m") -> list[str]:
        return [
            "java",
            f"-Xmx{heap}",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={deploy_file('kafka', 'log4j2.properties')}",
            "-cp",
            f"{jars}/*",
            main_class,
            *args,
        ]

    def _format_storage(self, jars: Path) -> None:
        users_stamp = self.data_dir / "scram-users"
        wanted = " ".join(sorted(self.users))
        if (self.data_dir / "log" / "meta.properties").exists():
            if users_stamp.exists() and users_stamp.read_text() == wanted:
                return
            # SCRAM users can only be added when storage is formatted (no user could log in to add
            # them later), so a local stack from before authentication, or with other users, starts afresh.
            print(f"Kafka storage in {self.data_dir} lacks the SCRAM users; formatting it afresh", flush=True)
            shutil.rmtree(self.data_dir / "log")
        args = ["format", "-t", self._cluster_id(), "-c", str(self.properties_path)]
        for username, password in sorted(self.users.items()):
            args += ["--add-scram", f"{SCRAM_MECHANISM}=[name={username},password={password}]"]
        if len(self.quorum) == 1:
            args.append("--standalone")
        else:
            # Every node formats with the same voter list; directory IDs are
            # derived from the quorum so the nodes need not exchange them.
            args += [
                "--initial-controllers",
                ",".join(
                    f"{node}@127.0.0.1:{controller}:{self._directory_id(node)}" for node, _, controller in self.quorum
                ),
            ]
        with open(self.log_path, "ab") as log:
            result = subprocess.run(
                self._java(jars, "kafka.tools.StorageTool", *args),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if result.returncode != 0:
            raise RuntimeError(f"formatting Kafka storage failed; see {self.log_path}")
        users_stamp.write_text(wanted)

    def start(self) -> None:
        """Write server.properties, format storage on first use and launch the broker."""
        if shutil.which("java") is None:
            raise RuntimeError("java not found on PATH; Kafka needs Java 17 or newer")
        jars = ensure_kafka()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._write_properties()
        self._format_storage(jars)
        self.process = ManagedProcess(
            f"kafka-{self.node_id}",
            self._java(jars, "kafka.Kafka", str(self.properties_path), heap=self.heap),
            cwd=self.data_dir,
            log_path=self.log_path,
        )
        self.process.start()

    def wait_ready(self, timeout: float = 60) -> None:
        """Block until the port is open and the broker lists itself in a metadata response."""
        deadline = time.monotonic() + timeout
        wait_for_port("127.0.0.1", self.port, timeout, self.process)
        while self.node_id not in _live_broker_ids(self.admin):
            if not self.process.is_running or time.monotonic() >= deadline:
                raise RuntimeError(
                    f"Kafka node {self.node_id} did not become ready within {timeout:.0f}s; "
                    f"last lines of {self.log_path}:\n{self.process.log_tail()}"
                )
            time.sleep(0.2)

    def stop(self, timeout: float = 30.0) -> None:
        """Shut the broker down cleanly, killing it if that takes longer than timeout."""
        if self.process:
            self.process.stop(timeout)

    def kill(self) -> None:
        """Kill the broker at once, as a crash would."""
        if self.process:
            self.process.kill()


def cluster_access(brokers: list[KafkaBroker], username: str = ADMIN) -> KafkaAccess:
    """A principal's access to a quorum, through every node's address."""
    return KafkaAccess(",".join(broker.bootstrap_servers for broker in brokers), username, brokers[0].users[username])


def _jaas(module: str, username: str, password: str, *extra: str) -> str:
    """A JAAS line for a broker's own login (and, for PLAIN, the users it accepts)."""
    return " ".join(
        [f"org.apache.kafka.common.security.{module} required", f'username="{username}"', f'password="{password}"', *extra]
    ) + ";"


def stop_cluster(brokers: list[KafkaBroker], timeout: float = 30.0) -> None:
    """Stop all nodes of a quorum at once; one by one, the last nodes hang without a quorum."""
    for broker in brokers:
        if broker.process:
            broker.process.terminate()
    for broker in brokers:
        broker.stop(timeout)


def _live_broker_ids(access: KafkaAccess) -> set[int]:
    """Ask a broker, as the super user, for cluster metadata and return the live broker IDs."""

    async def ask() -> set[int]:
        admin = AIOKafkaAdminClient(**access.client_options(), request_timeout_ms=2000)
        try:
            await admin.start()
            return {broker["node_id"] for broker in (await admin.describe_cluster())["brokers"]}
        except Exception:  # not up yet: refused, authentication not ready, timed out
            return set()
        finally:
            await admin.close()

    return run_async(ask)


async def create_topics(
    access: KafkaAccess,
    topics: dict[str, int],
    replication_factor: int = 1,
    config: dict[str, str] | None = None,
    timeout: float = 30.0,
    acls: list[Acl] = (),
) -> None:
    """Create topics (name -> partition count) unless they exist, grant `acls`, then wait until every partition has a leader."""
    admin = AIOKafkaAdminClient(**access.client_options(), request_timeout_ms=int(timeout * 1000))
    await admin.start()
    try:
        new = [
            NewTopic(name, partitions, replication_factor, topic_configs=config or {})
            for name, partitions in topics.items()
        ]
        response = await admin.create_topics(new, timeout_ms=int(timeout * 1000))
        for name, code, *rest in response.topic_errors:
            if code not in (0, _TOPIC_ALREADY_EXISTS):
                message = rest[0] if rest else ""
                raise RuntimeError(f"creating topic {name} failed with Kafka error {code}: {message}")
        await create_acls(admin, acls)
        await _wait_for_leaders(admin, list(topics), timeout)
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str], timeout: float) -> None:
    """Poll topic metadata until each partition has an elected leader, so producers succeed at once."""
    deadline = time.monotonic() + timeout
    while True:
        described = await admin.describe_topics(names)
        if all(
            topic["error_code"] == 0
            and topic["partitions"]
            and all(partition["leader"] >= 0 for partition in topic["partitions"])
            for topic in described
        ):
            return
        if time.monotonic() >= deadline:
            raise RuntimeError(f"topics {names} have partitions without a leader after {timeout:.0f}s")
        await asyncio.sleep(0.2)
