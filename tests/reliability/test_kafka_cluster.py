"""A three-broker Kafka cluster (replication 3, min.insync.replicas 2): one broker killed mid-stream,
and no report intake acknowledged is lost."""

import asyncio
import threading
import time

import pytest
from fastapi.testclient import TestClient

from devstack.kafka import KafkaBroker, cluster_access, create_topics, stop_cluster
from devstack.kafka_acls import service_acls
from devstack.stack import kafka_users
from meldestelle_shared.keygen import ensure_secrets
from devstack.probes import eventually, read_topic
from devstack.processes import free_port
from intake.app import create_app
from intake.settings import ReceiptHashSettings, ReportThrottleSettings, Settings
from meldestelle_shared.events import ReportSubmitted, decode_event
from meldestelle_shared.sealing import generate_key_pair
from meldestelle_shared.settings import MongoSettings
from meldestelle_shared.topics import Topics

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(600)]


@pytest.fixture
def cluster(tmp_path):
    """Three Kafka nodes, each broker and controller, on loopback."""
    quorum = [(node_id, free_port(), free_port()) for node_id in (1, 2, 3)]
    users = kafka_users(ensure_secrets(tmp_path / "secrets"))
    brokers = [
        KafkaBroker(tmp_path / f"node{node_id}", port, controller, node_id=node_id, heap="256m", quorum=quorum, users=users)
        for node_id, port, controller in quorum
    ]
    try:
        for broker in brokers:
            broker.start()
        for broker in brokers:
            broker.wait_ready(timeout=90)
        yield brokers
    finally:
        stop_cluster(brokers)


def test_no_acknowledged_report_is_lost_when_a_broker_dies(cluster, infrastructure, unique_name):
    topics = Topics("cluster")
    asyncio.run(
        create_topics(
            cluster_access(cluster), topics.partitions(), replication_factor=3, config={"min.insync.replicas": "2"}, acls=service_acls(topics)
        )
    )
    settings = Settings(
        office_public_key=generate_key_pair()[1],
        notify_public_key=generate_key_pair()[1],
        database=unique_name,
        mongodb=MongoSettings(uri=infrastructure.database_uri("intake")),
        receipt_pepper="cluster-test-pepper-0123456789",
        receipt_hash=ReceiptHashSettings(memory_kib=8192, time_cost=1),
        report_throttle=ReportThrottleSettings(max_per_window=1_000_000),  # every report comes from the one test client
        # Leadership moves in a few seconds; give a publish room to ride it out rather than fail.
        kafka=cluster_access(cluster, "intake").settings(topic_prefix=topics.prefix, publish_timeout_ms=20_000),
    )
    accepted, unexpected, stop = [], [], threading.Event()
    with TestClient(create_app(settings)) as client:

        def submit_steadily() -> None:
            while not stop.is_set():
                response = client.post("/api/v1/reports", json={"description": "Beleidigung im Bus, Linie 903."})
                if response.status_code == 201:
                    accepted.append(response.json()["report_id"])
                elif response.status_code != 503:  # asserted in the test's thread: a failed assert here would only be a warning
                    unexpected.append(f"{response.status_code} {response.text}")
                    return

        submitter = threading.Thread(target=submit_steadily)
        submitter.start()
        try:
            eventually(lambda: len(accepted) >= 50 or unexpected, timeout=60, what="reports before the crash")
            cluster[1].kill()
            crashed_at = len(accepted)
            eventually(lambda: len(accepted) >= crashed_at + 50 or unexpected, timeout=90, what="reports after the crash")
        finally:
            stop.set()
            submitter.join()
    assert unexpected == []

    time.sleep(1)
    survivors = cluster_access([broker for broker in cluster if broker is not cluster[1]])
    on_topic = {
        str(event.report_id)
        for event in (decode_event(record.value) for record in read_topic(survivors, topics.reports, idle_seconds=3))
        if isinstance(event, ReportSubmitted)
    }
    assert set(accepted) <= on_topic
