"""Small tools tests use to look at real infrastructure: wait for a condition, read or write a topic, serve an app."""

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
import uvicorn

if TYPE_CHECKING:
    from devstack.kafka import KafkaAccess

T = TypeVar("T")


def run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on a fresh event loop in a worker thread.

    Tests call this from synchronous code, where an event loop may already be running in the
    main thread (Playwright's sync API keeps one), so asyncio.run could not be used there.
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def eventually(probe: Callable[[], T], *, timeout: float = 60.0, interval: float = 0.1, what: str = "condition") -> T:
    """Call `probe` until it returns something truthy; fail with `what` after `timeout` seconds.

    The default is an upper bound for a loaded 2-core machine running the whole suite, where an event's way
    through Kafka and a consumer can take seconds; a passing probe returns as soon as it holds.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {result!r})")
        time.sleep(interval)


def read_topic(kafka: "KafkaAccess", topic: str, *, idle_seconds: float = 1.0) -> list[ConsumerRecord]:
    """Every message on a topic so far, read from the beginning without joining a group."""

    async def read() -> list[ConsumerRecord]:
        consumer = AIOKafkaConsumer(topic, **kafka.client_options(), auto_offset_reset="earliest", group_id=None)
        await consumer.start()
        try:
            records: list[ConsumerRecord] = []
            while True:
                batch = await consumer.getmany(timeout_ms=int(idle_seconds * 1000))
                if not batch:
                    return sorted(records, key=lambda r: (r.timestamp, r.partition, r.offset))
                for partition_records in batch.values():
                    records.extend(partition_records)
        finally:
            await consumer.stop()

    return run_async(read)


def publish_raw(kafka: "KafkaAccess", topic: str, messages: list[tuple[bytes | None, bytes]], headers: list | None = None) -> None:
    """Publish (key, value) pairs as they are, as `kafka`'s principal, for tests that replay or inject messages."""

    async def publish() -> None:
        producer = AIOKafkaProducer(**kafka.client_options(), acks="all", enable_idempotence=True)
        await producer.start()
        try:
            for key, value in messages:
                await producer.send_and_wait(topic, value, key=key, headers=headers)
        finally:
            await producer.stop()

    run_async(publish)


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """An ASGI app under a real uvicorn on a free port of 127.0.0.1, in the caller's event loop; yields its base URL.

    Clients may connect from other loopback addresses (127.0.0.2 ...): the app sees the TCP peer, as in production without a proxy.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the app did not start"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
