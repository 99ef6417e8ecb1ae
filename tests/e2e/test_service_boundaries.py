"""A compromised intake (or notify) attacks the other services through Kafka and the database, with its own credentials.

Each service has its own Kafka principal (SASL/SCRAM) limited by ACLs, and its own database server
and user; these tests perform what an attacker holding intake's secrets would try, and check that
the same credentials still do what intake needs.
"""

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

from devstack.kafka import KafkaAccess

pytestmark = pytest.mark.infra


async def produce(access: KafkaAccess, topic: str) -> None:
    producer = AIOKafkaProducer(**access.client_options(), enable_idempotence=True, request_timeout_ms=10_000)
    try:
        await producer.start()
        await producer.send_and_wait(topic, b'{"event_type": "CaseErased"}', key=b"any-report")
    finally:
        await producer.stop()


async def consume(access: KafkaAccess, topic: str, group: str | None = None) -> list:
    consumer = AIOKafkaConsumer(topic, **access.client_options(), group_id=group, auto_offset_reset="earliest")
    try:
        await consumer.start()
        batch = await consumer.getmany(timeout_ms=3000)
        return [record for records in batch.values() for record in records]
    finally:
        await consumer.stop()


@pytest.fixture
def intake(infrastructure) -> KafkaAccess:
    return infrastructure.kafka.access("intake")


@pytest.mark.asyncio
async def test_intake_cannot_publish_case_events_or_statistics(infrastructure, topics, intake):
    """Forged CaseErased/CaseClosed events would rewrite what residents see; forged statistics what the public sees."""
    for topic in (topics.cases, topics.statistics):
        with pytest.raises(TopicAuthorizationFailedError):
            await produce(intake, topic)
    await produce(intake, topics.reports)  # what intake is for still works


@pytest.mark.asyncio
async def test_intake_cannot_read_other_reports_or_dead_letters(infrastructure, topics, intake):
    """The reports topic carries every report (sealed) and reporters' public keys; dead letters carry anything."""
    await produce(infrastructure.kafka.admin, topics.reports)
    await produce(infrastructure.kafka.admin, topics.dead_letters)
    for topic in (topics.reports, topics.dead_letters):
        with pytest.raises(TopicAuthorizationFailedError):
            await consume(intake, topic)
    await produce(infrastructure.kafka.admin, topics.cases)
    assert len(await consume(intake, topics.cases, group=f"{topics.prefix}-intake")) == 1


@pytest.mark.asyncio
async def test_intake_cannot_join_or_reset_triages_consumer_group(infrastructure, topics, intake):
    """Joining triage's group would steal its partitions (and commit past reports it never stored)."""
    with pytest.raises(GroupAuthorizationFailedError):
        await consume(intake, topics.cases, group=f"{topics.prefix}-triage")


@pytest.mark.asyncio
async def test_notify_publishes_nothing_but_dead_letters(infrastructure, topics):
    notify = infrastructure.kafka.access("notify")
    for topic in (topics.reports, topics.cases, topics.statistics):
        with pytest.raises(TopicAuthorizationFailedError):
            await produce(notify, topic)
    await produce(notify, topics.dead_letters)


@pytest.mark.asyncio
async def test_kafka_refuses_clients_without_or_with_wrong_credentials(infrastructure, topics, intake):
    wrong = KafkaAccess(intake.bootstrap_servers, "intake", "guessed-password")
    with pytest.raises(KafkaConnectionError, match="Unable to bootstrap"):  # SASL authentication failed
        await asyncio.wait_for(produce(wrong, topics.reports), timeout=30)
    anonymous = AIOKafkaProducer(bootstrap_servers=intake.bootstrap_servers, request_timeout_ms=5000)
    try:
        with pytest.raises(KafkaConnectionError):
            await anonymous.start()
    finally:
        await anonymous.stop()
    await produce(intake, topics.reports)  # the same broker, with the right password


@pytest.fixture
def own_databases(infrastructure):
    if not infrastructure.databases:
        pytest.skip("MELDESTELLE_TEST_MONGODB_URI: one server given from outside, no per-service servers")
    return infrastructure.databases


@pytest.mark.asyncio
async def test_intake_cannot_write_into_triages_database(own_databases, unique_name):
    """A session document in triage's database would be a staff login; intake's password opens only its own server."""
    intake, triage = own_databases["intake"], own_databases["triage"]
    attacks = [
        AsyncMongoClient(triage.uri, serverSelectionTimeoutMS=5000),  # no credentials
        AsyncMongoClient(triage.uri, username=intake.username, password=intake.password, authSource="admin", serverSelectionTimeoutMS=5000),
        AsyncMongoClient(triage.uri, username="triage", password=intake.password, authSource="admin", serverSelectionTimeoutMS=5000),
    ]
    for client in attacks:
        try:
            with pytest.raises(OperationFailure) as refused:
                await client[unique_name]["sessions"].insert_one({"_id": "forged", "account_id": "admin"})
            assert refused.value.code in (13, 18)  # Unauthorized, AuthenticationFailed
        finally:
            await client.close()

    async with AsyncMongoClient(triage.authenticated_uri) as owner:
        assert await owner[unique_name]["sessions"].find_one({"_id": "forged"}) is None
    async with AsyncMongoClient(intake.authenticated_uri) as own:  # intake's own database still works
        await own[unique_name]["inboxes"].insert_one({"_id": "inbox"})
        assert await own[unique_name]["inboxes"].find_one({"_id": "inbox"}) == {"_id": "inbox"}
