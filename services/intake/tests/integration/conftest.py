import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn

from intake.app import create_app
from intake.settings import Settings
from meldestelle_shared.settings import MongoSettings


@pytest.fixture
def live_settings(intake_settings: Settings, infrastructure, topics, unique_name) -> Settings:
    """intake on this test's own topics, database and consumer group."""
    return intake_settings.model_copy(
        update={
            "kafka": infrastructure.kafka.access("intake").settings(topic_prefix=topics.prefix),
            "mongodb": MongoSettings(uri=infrastructure.database_uri("intake")),
            "database": unique_name,
            "consumer_group": f"{unique_name}-intake",
        }
    )


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[str]:
    """intake under a real uvicorn on a free port of 127.0.0.1, in this test's event loop; yields its base URL.

    Clients connect from other loopback addresses (127.0.0.2, 127.0.0.3 ...), so the address the app
    sees is the TCP peer uvicorn puts into the ASGI scope, exactly as in production without a proxy.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, access_log=False, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "intake did not start"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def client_from(address: str, base_url: str) -> httpx.AsyncClient:
    """An HTTP client whose connections come from `address`."""
    return httpx.AsyncClient(
        base_url=base_url, transport=httpx.AsyncHTTPTransport(local_address=address), timeout=60, follow_redirects=True
    )


@pytest.fixture
def serve():
    """`serve(settings)`: intake under a real uvicorn, as an async context manager yielding its URL."""
    return serving


@pytest.fixture
def connect():
    """`connect(address, url)`: an HTTP client whose connections come from that loopback address."""
    return client_from
