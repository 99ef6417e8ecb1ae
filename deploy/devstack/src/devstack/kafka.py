"""Apache Kafka in KRaft mode from Maven Central jars: install, run a broker, create topics."""

import asyncio
import base64
import hashlib
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from devstack.cache import CACHE, deploy_file, fingerprint, install_lock
from devstack.processes import ManagedProcess, wait_for_port

KAFKA_VERSION = "4.1.1"

_TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno


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
    ) -> None:
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
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
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
        if (self.data_dir / "log" / "meta.properties").exists():
            return
        args = ["format", "-t", self._cluster_id(), "-c", str(self.properties_path)]
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
        while self.node_id not in _live_broker_ids("127.0.0.1", self.port):
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


def stop_cluster(brokers: list[KafkaBroker], timeout: float = 30.0) -> None:
    """Stop all nodes of a quorum at once; one by one, the last nodes hang without a quorum."""
    for broker in brokers:
        if broker.process:
            broker.process.terminate()
    for broker in brokers:
        broker.stop(timeout)


def _live_broker_ids(host: str, port: int) -> set[int]:
    """Ask a broker for cluster metadata (Metadata v1, no topics) and return the live broker IDs."""
    # Header: api_key 3 (Metadata), version 1, correlation id, client id; body: empty topic array.
    client_id = b"devstack"
    request = struct.pack(">hhih", 3, 1, 1, len(client_id)) + client_id + struct.pack(">i", 0)
    try:
        with socket.create_connection((host, port), timeout=2.0) as sock:
            sock.sendall(struct.pack(">i", len(request)) + request)
            size = struct.unpack(">i", _read_exactly(sock, 4))[0]
            response = _read_exactly(sock, size)
    except OSError:
        return set()
    offset = 4  # correlation id
    (count,) = struct.unpack_from(">i", response, offset)
    offset += 4
    ids = set()
    for _ in range(count):
        node_id, host_len = struct.unpack_from(">ih", response, offset)
        offset += 6 + host_len + 4  # host string, then port
        (rack_len,) = struct.unpack_from(">h", response, offset)
        offset += 2 + max(rack_len, 0)
        ids.add(node_id)
    return ids


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed mid-response")
        data += chunk
    return bytes(data)


async def create_topics(
    bootstrap_servers: str,
    topics: dict[str, int],
    replication_factor: int = 1,
    config: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> None:
    """Create topics (name -> partition count) unless they exist, then wait until every partition has a leader."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=int(timeout * 1000))
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
