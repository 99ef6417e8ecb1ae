from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from devstack.probes import serving as serve_app
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
    """intake under a real uvicorn on a free port of 127.0.0.1, in this test's event loop; yields its base URL."""
    async with serve_app(create_app(settings)) as url:
        yield url


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
