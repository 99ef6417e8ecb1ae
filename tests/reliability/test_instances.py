"""Two instances of every service on loopback, over three Kafka brokers and the stack's databases, under the end-to-end
load: each report becomes one case and one office e-mail, the instances of a group share the partitions, the throttles
hold across instances, scheduled jobs run once per period even when their holder is killed, and a rolling restart with
SIGTERM loses and doubles nothing while every resident gets 201 or 503."""

import asyncio
import collections
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from pymongo import MongoClient

from devstack.kafka import KafkaBroker, cluster_access, create_topics, stop_cluster
from devstack.kafka_acls import service_acls
from devstack.probes import eventually, read_topic, run_async
from meldestelle_shared.events import ReportSubmitted, decode_event
from devstack.processes import ManagedProcess, free_port, wait_for_port
from devstack.stack import SERVICES, LocalStack, Ports, kafka_users

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(1500)]

RATE = 20  # reports per second, as in the end-to-end benchmark
LIMIT = 20  # reports per client and window: the load spreads over enough addresses to stay below it
JOB_SECONDS = 2  # triage's job period here, so leases change hands within the test


@dataclass
class Instance:
    """One service process on its own port."""

    service: str
    number: int
    port: int
    process: ManagedProcess

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=3).status_code == 200
        except httpx.HTTPError:
            return False

    def restart_gracefully(self) -> None:
        """SIGTERM, wait for the exit, start again, wait until ready."""
        self.process.stop(timeout=30)
        self.process.start()
        wait_for_port("127.0.0.1", self.port, 90, self.process)
        eventually(self.ready, timeout=180, interval=0.5, what=f"{self.service} {self.number} ready again")


@dataclass
class Load:
    """Residents reporting at RATE per second through the intake instances, each from an address of its own.

    Like a load balancer, a request that finds an instance closed (restarting) goes to the other one; what counts is
    the answer the resident gets.
    """

    intakes: list[Instance]
    accepted: list[str] = field(default_factory=list)
    answers: collections.Counter = field(default_factory=collections.Counter)
    refused_connections: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        clients = [httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=f"127.0.{1 + n // 250}.{1 + n % 250}"), timeout=60) for n in range(500)]
        tasks, number = set(), 0
        try:
            while not self.stop.is_set():
                task = asyncio.create_task(self._report(clients[number % len(clients)], number))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                number += 1
                await asyncio.sleep(1 / RATE)
            await asyncio.gather(*tasks)
        finally:
            for client in clients:
                await client.aclose()

    async def _report(self, client: httpx.AsyncClient, number: int) -> None:
        body = {"description": f"Bericht {number}: beleidigt an der Haltestelle."}
        for attempt in range(len(self.intakes) * 3):
            instance = self.intakes[(number + attempt) % len(self.intakes)]
            try:
                response = await client.post(f"{instance.url}/api/v1/reports", json=body)
            except httpx.TransportError:
                self.refused_connections += 1
                await asyncio.sleep(0.2)
                continue
            self.answers[response.status_code] += 1
            if response.status_code == 201:
                self.accepted.append(response.json()["report_id"])
            return
        self.answers["unreachable"] += 1


@pytest.fixture
def instances(tmp_path) -> Iterator[tuple[LocalStack, list[KafkaBroker], dict[str, list[Instance]]]]:
    """The stack's databases and SMTP sink, three Kafka brokers, and two processes of each service."""
    env = {
        "INTAKE_REPORT_MAX_PER_WINDOW": str(LIMIT),
        "INTAKE_RECEIPT_HASH_MEMORY_KIB": "8192",  # the deliberate cost is measured in bench/, not here
        "INTAKE_RECEIPT_HASH_TIME_COST": "1",
        "TRIAGE_API_TOKENS_ENABLED": "true",
        "TRIAGE_JOB_INTERVAL_SECONDS": str(JOB_SECONDS),
        "NOTIFY_OFFICE_DIGEST_THRESHOLD": "0",  # one office e-mail per case: the test counts them
        "KAFKA_PUBLISH_TIMEOUT_MS": "20000",
    }
    ports = Ports(**{name: free_port() for name in Ports.__dataclass_fields__})
    stack = LocalStack(tmp_path / "stack", ports, env=env, intake_workers=1)
    quorum = [(node, free_port(), free_port()) for node in (1, 2, 3)]
    brokers = [
        KafkaBroker(tmp_path / f"kafka{node}", port, controller, node_id=node, heap="256m", quorum=quorum, users=kafka_users(stack.secrets))
        for node, port, controller in quorum
    ]
    running: dict[str, list[Instance]] = {service: [] for service in SERVICES}
    try:
        stack.start_infrastructure(kafka=False)
        for broker in brokers:
            broker.start()
        for broker in brokers:
            broker.wait_ready(timeout=120)
        topics = stack.topics
        run_async(
            lambda: create_topics(
                cluster_access(brokers), topics.partitions(), replication_factor=3, config={"min.insync.replicas": "2"}, acls=service_acls(topics)
            )
        )
        servers = cluster_access(brokers).bootstrap_servers
        for service in SERVICES:
            for number in (1, 2):
                port = free_port()
                env = stack.service_env(service) | {"KAFKA_BOOTSTRAP_SERVERS": servers, "METRICS_PORT": str(free_port())}
                env.pop("PROMETHEUS_MULTIPROC_DIR", None)
                process = ManagedProcess(f"{service}-{number}", stack.service_argv(service, port=port, workers=1), env=env,
                                         log_path=tmp_path / "logs" / f"{service}-{number}.log")  # fmt: skip
                running[service].append(Instance(service, number, port, process))
                process.start()
        for instance in (i for group in running.values() for i in group):
            wait_for_port("127.0.0.1", instance.port, 90, instance.process)
            eventually(instance.ready, timeout=180, interval=0.5, what=f"{instance.service} {instance.number} ready")
        yield stack, brokers, running
    finally:
        for instance in (i for group in running.values() for i in group):
            instance.process.stop(timeout=15)
        stack.stop()
        stop_cluster(brokers)


def cases_by_report(stack: LocalStack) -> collections.Counter:
    with MongoClient(stack.database_uri("triage"), serverSelectionTimeoutMS=5000) as client:
        return collections.Counter(case["report_id"] for case in client["triage"]["cases"].find({}, {"report_id": 1}))


def office_emails(stack: LocalStack) -> collections.Counter:
    """Office e-mails per case reference."""
    return collections.Counter(
        match.group(0) for message in stack.smtp.messages() if (match := re.search(r"[A-Z]+-\d{4}-\d+", message["Subject"] or ""))
    )


def lease_holders(stack: LocalStack) -> list[str]:
    with MongoClient(stack.database_uri("triage"), serverSelectionTimeoutMS=5000) as client:
        return [doc["holder"] for doc in client["triage"]["job_leases"].find({"job": "triage-jobs"}).sort("expires_at", 1)]


def group_members(brokers: list[KafkaBroker], group: str) -> dict[str, set[tuple[str, int]]]:
    """Each member of a consumer group with the (topic, partition) pairs it holds."""

    async def describe() -> dict[str, set[tuple[str, int]]]:
        admin = AIOKafkaAdminClient(**cluster_access(brokers).client_options())
        await admin.start()
        try:
            (response,) = await admin.describe_consumer_groups([group])
        finally:
            await admin.close()
        (described,) = response.to_object()["groups"]
        return {
            member["member_id"]: {
                (topic, partition)
                for topic, partitions in ConsumerProtocolMemberAssignment.decode(member["member_assignment"]).assignment
                for partition in partitions
            }
            for member in described["members"]
        }

    return run_async(describe)


def test_two_instances_of_each_service_share_the_work_and_a_rolling_restart_loses_nothing(instances):
    stack, brokers, running = instances
    load = Load(running["intake"])
    feeder = threading.Thread(target=load.run)
    feeder.start()
    try:
        eventually(lambda: len(load.accepted) >= 100, timeout=300, interval=0.5, what="100 accepted reports")

        # The partitions of each consumer group are shared between its two instances.
        for group in ("triage", "notify"):
            members = eventually(lambda g=group: len(m := group_members(brokers, g)) == 2 and m, timeout=180, interval=1, what=f"two members of {group}")
            assert all(members.values()) and not set.intersection(*members.values()), members

        # The submission throttle holds across instances: one flooding address gets LIMIT reports, alternating instances.
        flood = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.99"), timeout=60)
        statuses = [
            flood.post(f"{running['intake'][n % 2].url}/api/v1/reports", json={"description": f"Flut Nummer {n}: beleidigt an der Haltestelle."}).status_code for n in range(LIMIT + 6)
        ]
        flood_accepted = statuses.count(201)
        assert set(statuses) <= {201, 429, 503} and flood_accepted <= LIMIT and statuses[-6:] == [429] * 6, statuses

        # Scheduled jobs: one holder per period; kill the holder, and the other instance takes the next periods.
        holders = eventually(lambda: len(h := lease_holders(stack)) >= 3 and h, timeout=180, interval=0.5, what="three job periods")
        holder = holders[-1]
        killed = next(i for i in running["triage"] if holder.endswith(f"-{i.process.pid}"))
        survivor = next(i for i in running["triage"] if i is not killed)
        killed.process.kill()
        eventually(lambda: lease_holders(stack)[-3:] == [survivor_name(holder, survivor)] * 3, timeout=180, interval=0.5, what="the survivor's leases")
        killed.process.start()
        eventually(killed.ready, timeout=180, interval=0.5, what="the killed triage back")

        # Rolling restart under load: each instance in turn, with SIGTERM.
        for instance in (i for service in SERVICES for i in running[service]):
            instance.restart_gracefully()
    finally:
        load.stop.set()
        feeder.join(timeout=120)

    assert set(load.answers) <= {201, 503}, load.answers
    try:
        eventually(lambda: len(cases_by_report(stack)) >= len(load.accepted) + flood_accepted, timeout=600, interval=2, what="a case per accepted report")
    except AssertionError:
        on_topic = {
            str(event.report_id)
            for event in (decode_event(record.value) for record in read_topic(cluster_access(brokers), stack.topics.reports, idle_seconds=3))
            if isinstance(event, ReportSubmitted)
        }
        stored = cases_by_report(stack)
        missing = set(load.accepted) - set(stored)
        raise AssertionError(
            f"accepted {len(load.accepted)}, cases {len(stored)}, missing {len(missing)}, of which not on the topic "
            f"{len(missing - on_topic)}; answers {dict(load.answers)}"
        ) from None
    time.sleep(5)  # room for a wrong extra case or e-mail to appear
    cases = cases_by_report(stack)
    assert set(load.accepted) <= set(cases) and max(cases.values()) == 1 and len(cases) == len(load.accepted) + flood_accepted
    emails = eventually(lambda: len(e := office_emails(stack)) >= len(cases) and e, timeout=300, interval=2, what="an e-mail per case")
    duplicates = sum(count - 1 for count in emails.values())
    assert len(emails) == len(cases) and duplicates <= 1, emails.most_common(3)  # one kill -9 of triage: at most one duplicate


def survivor_name(holder: str, survivor: Instance) -> str:
    """The lease holder name of the surviving instance: same host as the killed holder, its own process id."""
    return f"{holder.rsplit('-', 1)[0]}-{survivor.process.pid}"
