import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from devstack.probes import eventually
from devstack.processes import free_port
from devstack.stack import LocalStack, Ports


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The whole system as separate processes on free ports, in a folder of its own."""
    ports = Ports(**{name: free_port() for name in Ports.__dataclass_fields__})
    stack = LocalStack(tmp_path_factory.mktemp("stack"), ports, mongodb_uri=os.environ.get("MELDESTELLE_TEST_MONGODB_URI"))
    try:
        # Playwright's sync API keeps an event loop running in this thread; the stack creates topics with asyncio.run.
        with ThreadPoolExecutor(max_workers=1) as thread:
            thread.submit(stack.start_infrastructure).result()
        stack.start_services()
        for service in ("intake", "triage", "notify"):
            eventually(lambda: _ready(stack.url(service)), timeout=60, what=f"{service} to be ready")
        yield stack
    finally:
        stack.stop()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def staff_headers(stack: LocalStack) -> dict[str, str]:
    """The staff API's bearer token, as the local stack generated it."""
    return {"Authorization": f"Bearer {(stack.secrets / 'triage' / 'triage_api_token').read_text()}"}
