"""Real Kafka, MongoDB-compatible and SMTP processes on free ports, each in a temporary directory."""

import asyncio
import smtplib
import time
import uuid
from email.message import EmailMessage

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from bson import encode
from pymongo import AsyncMongoClient, ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError

from devstack.database import MongoServer, ensure_ferretdb
from devstack.kafka import KafkaAccess, KafkaBroker, cluster_access, create_topics, ensure_kafka, stop_cluster
from devstack.processes import free_port
from devstack.smtp_sink import SmtpSink

pytestmark = pytest.mark.infra

USERS = {"admin": "admin-password", "intake": "intake-password"}


@pytest.fixture(scope="module")
def kafka(tmp_path_factory):
    broker = KafkaBroker(tmp_path_factory.mktemp("kafka"), free_port(), free_port(), users=USERS)
    broker.start()
    try:
        broker.wait_ready(timeout=60)
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="module")
def mongo(tmp_path_factory):
    server = MongoServer(tmp_path_factory.mktemp("mongo"), free_port(), username="owner", password="owner-password")
    server.start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_sink(tmp_path):
    sink = SmtpSink(tmp_path, free_port())
    sink.start()
    try:
        sink.wait_ready()
        yield sink
    finally:
        sink.stop()


def test_installs_are_cached():
    for ensure in (ensure_kafka, ensure_ferretdb):
        first = ensure()
        started = time.monotonic()
        assert ensure() == first
        assert time.monotonic() - started < 1


async def produce(access: KafkaAccess, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(**access.client_options(), enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"key")
    finally:
        await producer.stop()


async def consume_one(access: KafkaAccess, topic: str) -> bytes:
    consumer = AIOKafkaConsumer(
        topic, **access.client_options(), group_id=f"test-{uuid.uuid4()}", auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=30)
        await consumer.commit()
        return message.value
    finally:
        await consumer.stop()


@pytest.mark.asyncio
async def test_kafka_topic_round_trip(kafka):
    await create_topics(kafka.admin, {"reports": 3}, config={"retention.ms": "3600000"})
    # Creating an existing topic again is not an error.
    await create_topics(kafka.admin, {"reports": 3})
    await produce(kafka.admin, "reports", b"hello")
    assert await consume_one(kafka.admin, "reports") == b"hello"


def test_kafka_keeps_data_after_kill(tmp_path):
    broker = KafkaBroker(tmp_path, free_port(), free_port(), users=USERS)
    broker.start()
    try:
        broker.wait_ready()
        asyncio.run(create_topics(broker.admin, {"durable": 1}))
        asyncio.run(produce(broker.admin, "durable", b"survives"))
        broker.kill()
        assert not broker.process.is_running
        broker.start()
        broker.wait_ready()
        assert asyncio.run(consume_one(broker.admin, "durable")) == b"survives"
    finally:
        broker.stop()


def test_kafka_three_node_cluster(tmp_path):
    quorum = [(node_id, free_port(), free_port()) for node_id in (1, 2, 3)]
    brokers = [
        KafkaBroker(tmp_path / f"node{node_id}", port, controller_port, node_id=node_id, heap="256m", quorum=quorum, users=USERS)
        for node_id, port, controller_port in quorum
    ]
    admin = cluster_access(brokers)
    try:
        for broker in brokers:
            broker.start()
        for broker in brokers:
            broker.wait_ready(timeout=90)
        asyncio.run(create_topics(admin, {"replicated": 3}, replication_factor=3))
        asyncio.run(produce(admin, "replicated", b"three copies"))
        assert asyncio.run(consume_one(admin, "replicated")) == b"three copies"
        assert "min.insync.replicas=2" in brokers[0].properties_path.read_text()
    finally:
        stop_cluster(brokers)


@pytest.mark.asyncio
async def test_mongo_round_trip(mongo):
    client = AsyncMongoClient(mongo.authenticated_uri, serverSelectionTimeoutMS=10_000)
    try:
        collection = client["devstack_test"]["cases"]
        await collection.create_index("reference", unique=True)
        await collection.insert_one({"reference": "A-1", "status": "open"})
        assert (await collection.find_one({"reference": "A-1"}))["status"] == "open"
        with pytest.raises(DuplicateKeyError):
            await collection.insert_one({"reference": "A-1", "status": "duplicate"})
        counters = client["devstack_test"]["counters"]
        for expected in (1, 2):
            counter = await counters.find_one_and_update(
                {"_id": "cases"}, {"$inc": {"value": 1}}, upsert=True, return_document=ReturnDocument.AFTER
            )
            assert counter["value"] == expected
        assert [doc["reference"] async for doc in collection.find({})] == ["A-1"]
    finally:
        await client.close()


def test_smtp_sink_stores_messages(smtp_sink):
    message = EmailMessage()
    message["From"] = "meldestelle@example.org"
    message["To"] = "reporter@example.org"
    message["Subject"] = "Eingangsbestätigung"
    message.set_content("Danke für Ihre Meldung.")
    with smtplib.SMTP("127.0.0.1", smtp_sink.port, timeout=10) as client:
        client.send_message(message, to_addrs=["reporter@example.org", "audit@example.org"])

    [stored] = smtp_sink.messages()
    assert stored["Subject"] == "Eingangsbestätigung"
    assert stored["X-Envelope-To"] == "reporter@example.org, audit@example.org"
    assert stored.get_content().strip() == "Danke für Ihre Meldung."
    assert len(list(smtp_sink.maildir.glob("*.eml"))) == 1
    smtp_sink.stop()
    assert "127.0.0.1" not in smtp_sink.process.log_path.read_text()


@pytest.mark.asyncio
async def test_lookups_by_id_use_the_index(mongo):
    """Our FerretDB patches: finds and updates by `_id` search the `_id` index instead of scanning the table.

    The default runs it on PostgreSQL; MELDESTELLE_DATABASE_BACKEND=sqlite runs it on SQLite.
    """
    client = AsyncMongoClient(mongo.authenticated_uri, serverSelectionTimeoutMS=10_000)
    try:
        database = client["devstack_test"]
        await database["by_id"].insert_many([{"_id": f"case-{n}", "status": "new"} for n in range(100)])
        await database["by_id"].update_one({"_id": "case-7", "status": "new"}, {"$set": {"status": "closed"}})
        assert (await database["by_id"].find_one({"_id": "case-7"}))["status"] == "closed"
        assert await database["by_id"].find_one({"_id": "case-8", "status": "closed"}) is None
        plan = await database.command("explain", {"find": "by_id", "filter": {"_id": "case-7", "status": "closed"}})
        if "ferretdbVersion" not in plan.get("serverInfo", {}):
            pytest.skip("the server is MongoDB, which uses its _id index anyway")
        if mongo.backend == "postgresql":
            assert "Index Scan" in str(plan["queryPlanner"])
        else:
            assert "USING INDEX" in " ".join(plan["queryPlanner"]["Plan"])
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_a_bulk_write_of_many_updates_completes(mongo):
    """Our FerretDB patch: an update command closes each statement's query, so 300 statements do not exhaust its pool of 100."""
    client = AsyncMongoClient(mongo.authenticated_uri, serverSelectionTimeoutMS=10_000, socketTimeoutMS=20_000)
    try:
        collection = client["devstack_test"]["bulk"]
        for value in (1, 2):
            result = await collection.bulk_write(
                [UpdateOne({"_id": f"key-{n}"}, {"$set": {"value": value}}, upsert=True) for n in range(300)], ordered=False
            )
            assert result.upserted_count + result.modified_count == 300
        assert await collection.count_documents({"value": 2}) == 300
    finally:
        await client.close()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("stored", "new"),
    [
        ({"counts": {"a": 1}}, {"counts": {"b": 1}}),
        ({"stats": {"outer": {"a": 1}}}, {"stats": {"other": {"b": 1}}}),
        ({"items": [{"a": 1}, {"b": 2}]}, {"items": [{"c": 1}, {"d": 2}]}),
        ({"order": {"a": 1, "b": 1}}, {"order": {"b": 1, "a": 1}}),
    ],
    ids=["document", "nested-document", "array-of-documents", "same-keys-reordered"],
)
async def test_a_set_of_the_same_values_under_other_keys_is_written(mongo, stored, new):
    """Our FerretDB patch: `$set` compares keys too, so equal values under other keys are not skipped as a no-op."""
    client = AsyncMongoClient(mongo.authenticated_uri, serverSelectionTimeoutMS=10_000)
    try:
        collection = client["devstack_test"]["set_keys"]
        key = uuid.uuid4().hex
        await collection.insert_one({"_id": key, **stored})
        result = await collection.update_one({"_id": key}, {"$set": new})
        assert result.modified_count == 1
        # Compared as BSON bytes, so key order counts as it does for the server.
        assert encode(await collection.find_one({"_id": key}, {"_id": 0})) == encode(new)
        unchanged = await collection.update_one({"_id": key}, {"$set": new})
        assert unchanged.matched_count == 1 and unchanged.modified_count == 0
    finally:
        await client.close()
